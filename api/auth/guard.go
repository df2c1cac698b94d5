package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// Principal is who made a request: the token's name and role.
type Principal struct {
	Name string
	Role Role
}

type ctxKey struct{}

// FromContext returns the principal the Guard attached to a request's
// context; false when the request carried no valid token (an open API).
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// WithPrincipal returns ctx carrying p, for tests of handlers that read it.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// Options configure a Guard.
type Options struct {
	// Tokens are the accepted tokens.
	Tokens []Token
	// Require makes every request under Prefix present a valid token with
	// the role RoleFor asks. It needs at least one token. Without it the API
	// is open; a valid token, when sent, still names the principal.
	Require bool
	// CORSOrigins are the browser origins (scheme://host[:port]) allowed to
	// call the API cross-site. Empty: no CORS headers, no preflight answers.
	// The origin "null" (sandboxed frames, file: pages) is never allowed, and
	// a request that sends it is refused.
	CORSOrigins []string
	// AllowedHosts are Host names (without port) an open API (Require
	// false) serves besides loopback names and addresses: localhost,
	// *.localhost, 127.0.0.0/8 and ::1. A request to any other Host without
	// a valid token gets 421 Misdirected Request, so that a web page cannot
	// reach an open API through DNS rebinding (its requests carry the
	// attacker's host name). A request with a valid token, or any request
	// when Require is set, is served whatever its Host.
	AllowedHosts []string
	// Prefix is the path prefix the Guard protects. Default: "/api/".
	Prefix string
	// RoleFor returns the role a request needs. Default: RoleRead for GET,
	// HEAD and OPTIONS, RoleWrite for any other method.
	RoleFor func(r *http.Request) Role
	// Logger logs refused requests at debug level (method, path, remote
	// address, token name: never a token). nil discards.
	Logger *zap.Logger
}

// Guard is the access-control middleware. It is safe for concurrent use.
type Guard struct {
	o      Options
	log    *zap.Logger
	tokens []Token
}

// ErrNoTokens is returned by New when authentication is required but no
// token is configured.
var ErrNoTokens = errors.New("auth: authentication is required but no tokens are configured")

// New returns a Guard.
func New(o Options) (*Guard, error) {
	if o.Require && len(o.Tokens) == 0 {
		return nil, ErrNoTokens
	}
	if o.Prefix == "" {
		o.Prefix = "/api/"
	}
	if o.RoleFor == nil {
		o.RoleFor = RoleByMethod
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	for _, origin := range o.CORSOrigins {
		if origin == "" || origin == "*" || origin == "null" || strings.HasSuffix(origin, "/") {
			return nil, fmt.Errorf("auth: CORS origin %q: want scheme://host[:port]", origin)
		}
	}
	for _, h := range o.AllowedHosts {
		if h == "" || strings.ContainsAny(h, ":/ ") && net.ParseIP(h) == nil {
			return nil, fmt.Errorf("auth: allowed host %q: want a host name or address without port", h)
		}
	}
	return &Guard{o: o, log: o.Logger, tokens: slices.Clone(o.Tokens)}, nil
}

// RoleByMethod is the default RoleFor: reads need RoleRead, anything else
// RoleWrite.
func RoleByMethod(r *http.Request) Role {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return RoleRead
	}
	return RoleWrite
}

// Required reports whether the Guard refuses requests without a token.
func (g *Guard) Required() bool { return g.o.Require }

// Wrap returns h behind the Guard. Paths outside Prefix pass through
// untouched (health, readiness, metrics).
func (g *Guard) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, g.o.Prefix) {
			h.ServeHTTP(w, r)
			return
		}
		if r.Header.Get("Origin") == "null" {
			g.refuse(w, r, http.StatusForbidden, "requests from the origin null (a sandboxed frame or a file: page) are refused", "")
			return
		}
		if g.cors(w, r) {
			return // a preflight, answered
		}
		p, ok, reason := g.authenticate(r)
		if !ok && !g.o.Require && !g.hostAllowed(r.Host) {
			g.refuse(w, r, http.StatusMisdirectedRequest, fmt.Sprintf("host %q is not served: without API tokens "+
				"only localhost, loopback addresses and api.allowed_hosts are (send a bearer token, or add the host to api.allowed_hosts)",
				clipHost(r.Host)), "")
			return
		}
		if !ok && g.o.Require {
			g.refuse(w, r, http.StatusUnauthorized, reason, "")
			return
		}
		if ok && g.o.Require {
			if need := g.o.RoleFor(r); !p.Role.Allows(need) {
				g.refuse(w, r, http.StatusForbidden,
					fmt.Sprintf("token %q has role %s; %s %s needs role %s", p.Name, p.Role, r.Method, r.URL.Path, need), p.Name)
				return
			}
		}
		if ok {
			r = r.WithContext(WithPrincipal(r.Context(), p))
		}
		h.ServeHTTP(w, r)
	})
}

// Authenticated reports whether r carries a valid token, whatever its role:
// for endpoints outside Prefix that show more to a known caller (/readyz
// details).
func (g *Guard) Authenticated(r *http.Request) bool {
	_, ok, _ := g.authenticate(r)
	return ok
}

// authenticate finds the token of r. Every configured token is compared,
// in constant time and on SHA-256 hashes (so neither the position of a
// match nor the token's length shows in the timing).
func (g *Guard) authenticate(r *http.Request) (Principal, bool, string) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return Principal{}, false, "missing bearer token"
	}
	scheme, value, _ := strings.Cut(auth, " ")
	value = strings.TrimSpace(value)
	if !strings.EqualFold(scheme, "Bearer") || value == "" {
		return Principal{}, false, "missing bearer token"
	}
	sum := sha256.Sum256([]byte(value))
	match := -1
	for i := range g.tokens {
		if subtle.ConstantTimeCompare(sum[:], g.tokens[i].hash[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return Principal{}, false, "invalid bearer token"
	}
	t := g.tokens[match]
	return Principal{Name: t.Name, Role: t.Role}, true, ""
}

func (g *Guard) refuse(w http.ResponseWriter, r *http.Request, status int, msg, name string) {
	if status == http.StatusUnauthorized {
		challenge := `Bearer realm="socialpulse"`
		if msg != "missing bearer token" {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	g.log.Debug("api request refused", zap.Int("status", status), zap.String("method", r.Method),
		zap.String("path", r.URL.Path), zap.String("remote", r.RemoteAddr), zap.String("token_name", name),
		zap.String("reason", msg))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg}) // the client hung up: nothing left to tell it
}

// cors adds CORS headers for a listed Origin and answers its preflight; it
// reports whether the request was a preflight it answered.
func (g *Guard) cors(w http.ResponseWriter, r *http.Request) bool {
	if len(g.o.CORSOrigins) == 0 {
		return false
	}
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" || !slices.Contains(g.o.CORSOrigins, origin) {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Content-Disposition, Location")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", strconv.Itoa(600))
	w.WriteHeader(http.StatusNoContent)
	return true
}

// hostAllowed reports whether an open API serves the Host header h:
// a loopback name or address, or one of AllowedHosts.
func (g *Guard) hostAllowed(h string) bool {
	host := h
	if hh, _, err := net.SplitHostPort(h); err == nil {
		host = hh
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "" {
		return false
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, a := range g.o.AllowedHosts {
		if strings.EqualFold(strings.Trim(a, "[]"), host) {
			return true
		}
	}
	return false
}

// clipHost keeps a Host header short enough to quote in an error.
func clipHost(h string) string {
	if len(h) > 100 {
		return h[:100] + "..."
	}
	return h
}

// IsLoopback reports whether a listen address (host:port) accepts only
// local connections: localhost or a loopback IP. An empty host (":8080")
// or an unspecified one (0.0.0.0, ::) listens on every interface.
func IsLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
