// Package api serves socialpulse over HTTP: the versioned JSON API under
// /api/v1, Prometheus metrics at /metrics, liveness and readiness at
// /healthz and /readyz, and the web page at /ui/.
//
// It is the parent of the whole HTTP wing. This package holds the server,
// the one routing table (Table: method, pattern, role and handler of every
// route; routes.go), the matrix endpoint, the one parameter error
// (ParamError) and the JSON rendering every endpoint shares. Its children
// hold the rest: api/spikes (the spike history and the OpenAPI document),
// api/incidents, api/corrections, api/auth (tokens, roles, CORS and the
// open-API host guard) and api/webui (the embedded page). The children
// import this package, never the other way: the server mounts their
// handlers through the Endpoints interfaces, and the app wires them. The
// emerging-terms handler stays in package emerging and is mounted the same
// way.
//
// Scope: request parsing, validation (a 400 names the bad parameter),
// timeouts and body limits, and rendering. Non-goals: computing anything;
// handlers read through small interfaces (MatrixReader, readiness checks).
// Metrics are served from the registry the caller injects (Options.Gatherer),
// never the global one.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/impactmatrix"
)

// MatrixReader reads the impact matrix.
type MatrixReader interface {
	Window(ctx context.Context, from, to time.Time) (*impactmatrix.Matrix, error)
	WindowEnd(t time.Time) time.Time
}

// Check is a named readiness check; it returns nil when ready.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Options configure a Server.
type Options struct {
	Listen       string
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	MaxBodyBytes int64
	// Windows are the rolling windows the matrix endpoint accepts; the
	// first is the default.
	Windows []time.Duration
	Matrix  MatrixReader
	// Ready are the readiness checks behind /readyz.
	Ready []Check
	// ShowDetails reports whether a /readyz caller may see why a check
	// failed (the error, which may name addresses); others see only which
	// check failed. nil: nobody does (the errors are logged).
	ShowDetails func(r *http.Request) bool
	// Gatherer is what /metrics serves; required (the server never falls
	// back to the global registry, so that tests and embedders stay
	// isolated). The app passes its own registry.
	Gatherer prometheus.Gatherer
	Logger   *zap.Logger
	Now      func() time.Time
	// Endpoints are the handlers mounted beside the server's own routes,
	// each at its row of the routing table (routes.go).
	Endpoints Endpoints
	// Middleware, if set, wraps every route (inside the body limit), e.g.
	// access control and CORS for /api/v1.
	Middleware func(http.Handler) http.Handler
}

// Server is the HTTP server. Run it once.
type Server struct {
	o       Options
	log     *zap.Logger
	srv     *http.Server
	ln      net.Listener
	metricz http.Handler
}

// New listens on o.Listen (so the address is known before Run, e.g. with
// port 0) and returns the server.
func New(o Options) (*Server, error) {
	if o.Matrix == nil || len(o.Windows) == 0 {
		return nil, errors.New("api: matrix reader and windows are required")
	}
	if o.Gatherer == nil {
		return nil, errors.New("api: a metrics gatherer is required")
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{o: o, log: o.Logger,
		metricz: promhttp.HandlerFor(o.Gatherer, promhttp.HandlerOpts{ErrorLog: zap.NewStdLog(o.Logger)})}
	mux := Mux(s.Routes())
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("api: listen %s: %w", o.Listen, err)
	}
	s.ln = ln
	var h http.Handler = jsonRouteErrors(mux)
	if o.Middleware != nil {
		h = o.Middleware(h)
	}
	s.srv = &http.Server{
		Handler:           http.MaxBytesHandler(h, max(o.MaxBodyBytes, 1)),
		ReadHeaderTimeout: min(o.ReadTimeout, 5*time.Second),
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		ErrorLog:          zap.NewStdLog(o.Logger),
	}
	return s, nil
}

// jsonRouteErrors answers a request under /api/v1/ that no route matches
// with a JSON error, as every other API error is: 404 for an unknown path,
// 405 with an Allow header for a known path and another method. Elsewhere
// (the web page, /metrics) the mux's own answers stand.
func jsonRouteErrors(mux *http.ServeMux) http.Handler {
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/v1/") {
			mux.ServeHTTP(w, r)
			return
		}
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		var allow []string
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			WriteError(w, http.StatusNotFound, "no such API route: "+r.URL.Path+" (see /api/v1/openapi.json)")
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		WriteError(w, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+strings.Join(allow, ", "))
	})
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Run serves until ctx ends, then shuts down gracefully within 10s.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	s.log.Info("http server listening", zap.String("addr", s.Addr()))
	select {
	case err := <-errc:
		return fmt.Errorf("api: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("api: shutdown: %w", err)
	}
	<-errc
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) { s.metricz.ServeHTTP(w, r) }

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := http.StatusOK
	checks := map[string]string{}
	details := s.o.ShowDetails != nil && s.o.ShowDetails(r)
	for _, c := range s.o.Ready {
		if err := c.Fn(ctx); err != nil {
			status = http.StatusServiceUnavailable
			checks[c.Name] = "unavailable"
			if details {
				checks[c.Name] = err.Error()
			}
			s.log.Debug("readiness check failed", zap.String("check", c.Name), zap.Error(err))
			continue
		}
		checks[c.Name] = "ok"
	}
	WriteJSON(w, status, map[string]any{"ready": status == http.StatusOK, "checks": checks})
}

func (s *Server) matrix(w http.ResponseWriter, r *http.Request) {
	q, perr := ParseQuery(r.URL.RawQuery)
	if perr != nil {
		WriteParamError(w, perr)
		return
	}
	window := s.o.Windows[0]
	if v := q.Get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || !slices.Contains(s.o.Windows, d) {
			BadRequest(w, "window", fmt.Sprintf("want one of %s, got %q", windowList(s.o.Windows), v))
			return
		}
		window = d
	}
	end := s.o.Matrix.WindowEnd(s.o.Now())
	if v := q.Get("end"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			BadRequest(w, "end", "want an RFC 3339 time, got "+Quote(v))
			return
		}
		end = s.o.Matrix.WindowEnd(t.Add(-time.Nanosecond))
		// The answer's bounds are RFC 3339 times, which have four-digit
		// years: "10000-01-01T00:00:00Z" would not read back.
		if end.Add(-window).UTC().Year() < 0 || end.UTC().Year() > 9999 {
			BadRequest(w, "end", "want a time whose "+ShortDuration(window)+" window lies within years 0000 to 9999, got "+Quote(v))
			return
		}
	}
	m, err := s.o.Matrix.Window(r.Context(), end.Add(-window), end)
	if err != nil {
		s.log.Warn("matrix read failed", zap.Error(err))
		WriteError(w, http.StatusServiceUnavailable, "matrix unavailable: the store could not be read")
		return
	}
	WriteJSON(w, http.StatusOK, struct {
		Window string               `json:"window"`
		Matrix *impactmatrix.Matrix `json:"matrix"`
	}{Window: ShortDuration(window), Matrix: m})
}

// windows lists the windows the matrix endpoint accepts, the default first.
func (s *Server) windows(w http.ResponseWriter, _ *http.Request) {
	ws := make([]string, len(s.o.Windows))
	for i, d := range s.o.Windows {
		ws[i] = ShortDuration(d)
	}
	WriteJSON(w, http.StatusOK, struct {
		Windows []string `json:"windows"`
		Default string   `json:"default"`
	}{Windows: ws, Default: ws[0]})
}

func windowList(ws []time.Duration) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = ShortDuration(w)
	}
	return strings.Join(parts, ", ")
}

// ShortDuration prints 15m rather than 15m0s (and 20s as 20s).
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// Quote quotes a request value for an error message, cut to 64 bytes.
func Quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// ReadJSONBody reads a request body that must be JSON (so a cross-site form
// cannot send it without a CORS preflight) and at most max bytes. On a wrong
// Content-Type (415), an over-long body (413) or a read error (400) it
// answers the request itself and reports false.
func ReadJSONBody(w http.ResponseWriter, r *http.Request, max int) ([]byte, bool) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		WriteError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(max)+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			WriteError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return nil, false
		}
		WriteError(w, http.StatusBadRequest, "request body could not be read")
		return nil, false
	}
	if len(body) > max {
		WriteError(w, http.StatusRequestEntityTooLarge, "request body too large")
		return nil, false
	}
	return body, true
}

// IsBidiOverride reports the embedding, override and isolate characters
// (U+202A..U+202E, U+2066..U+2069): in text people write through the API
// (notes, milestones) they can make what a reader sees differ from what was
// stored, so such text is refused.
func IsBidiOverride(r rune) bool { return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) }

// ParamError is a request parameter (a query parameter, a path value or a
// field of a JSON body) that is not valid. It is the one parameter error of
// every endpoint: WriteParamError answers it as a 400 whose body names the
// parameter ({"error": "invalid parameter P: M", "parameter": "P"}).
type ParamError struct {
	Param, Msg string
}

func (e *ParamError) Error() string { return "invalid parameter " + e.Param + ": " + e.Msg }

// BadParam returns a ParamError for param with a formatted message.
func BadParam(param, format string, a ...any) *ParamError {
	return &ParamError{Param: param, Msg: fmt.Sprintf(format, a...)}
}

// WriteParamError answers 400 with e, naming its parameter.
func WriteParamError(w http.ResponseWriter, e *ParamError) { BadRequest(w, e.Param, e.Msg) }

// ParseQuery decodes a raw query string as url.ParseQuery does, but refuses
// what (*url.URL).Query would silently drop: a pair that is not valid URL
// encoding or holds a semicolon, and a value without a name. Dropping
// "feature=checkout%" would answer for every feature. The error names the
// parameter, as sent when its name does not decode.
func ParseQuery(raw string) (url.Values, *ParamError) {
	v := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			name = rawName
		}
		switch {
		case rawName == "":
			return nil, &ParamError{Param: pair, Msg: "a value without a parameter name"}
		case err != nil || strings.Contains(pair, ";"):
			return nil, &ParamError{Param: name, Msg: "not valid URL query encoding (escape % as %25 and ; as %3B)"}
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, &ParamError{Param: name, Msg: "value " + Quote(rawValue) + " is not valid URL query encoding (escape % as %25)"}
		}
		if _, dup := v[name]; dup {
			// Every parameter of this API takes one value; taking the first
			// of two would answer a question that was not asked.
			return nil, &ParamError{Param: name, Msg: "given more than once; send it once"}
		}
		v[name] = []string{value}
	}
	return v, nil
}

// Error is the JSON body of every error response of the API.
type Error struct {
	Error string `json:"error"`
	// Parameter names the request parameter at fault, for a 400.
	Parameter string `json:"parameter,omitempty"`
}

// BadRequest answers 400 with an error naming param.
func BadRequest(w http.ResponseWriter, param, msg string) {
	WriteJSON(w, http.StatusBadRequest, Error{Error: "invalid parameter " + param + ": " + msg, Parameter: param})
}

// WriteError answers status with msg as the error.
func WriteError(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, Error{Error: msg})
}

// WriteJSON answers status with v as indented JSON, not to be cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client hung up: nothing left to tell it
}
