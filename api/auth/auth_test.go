package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseTokensAcceptsListsAndHashes(t *testing.T) {
	sum := sha256.Sum256([]byte("hashed-token-0123456789"))
	yamlFile := `
- name: pr-team
  role: read
  token_sha256: ` + hex.EncodeToString(sum[:]) + `
- name: it.oncall@example.com
  role: write
  token: "plain-token-0123456789"
`
	jsonFile := `{"tokens": [{"name": "admin", "role": "admin", "token": "admin-token-0123456789"}]}`
	ts, err := ParseTokens([]byte(yamlFile))
	if err != nil || len(ts) != 2 || ts[0].Name != "pr-team" || ts[0].Role != RoleRead || ts[1].Role != RoleWrite {
		t.Fatalf("yaml: %+v, %v", ts, err)
	}
	if ts[0].hash != sum {
		t.Fatal("token_sha256 not used as the hash")
	}
	ts, err = ParseTokens([]byte(jsonFile))
	if err != nil || len(ts) != 1 || ts[0].Role != RoleAdmin {
		t.Fatalf("json: %+v, %v", ts, err)
	}
	if ts, err := ParseTokens(nil); err != nil || len(ts) != 0 {
		t.Fatalf("empty file: %v, %v", ts, err)
	}
}

func TestParseTokensRefusesBadEntriesWithoutQuotingTokens(t *testing.T) {
	const secret = "super-secret-token-value-123"
	tests := []struct{ name, file, want string }{
		{"unknown role", "- {name: a, role: owner, token: " + secret + "}", "role"},
		{"no token", "- {name: a, role: read}", "token or token_sha256 is required"},
		{"both token and hash", "- {name: a, role: read, token: " + secret + ", token_sha256: " + strings.Repeat("0", 64) + "}", "not both"},
		{"short token", "- {name: a, role: read, token: short}", "at least 16"},
		{"bad hash", "- {name: a, role: read, token_sha256: xyz}", "64 hex digits"},
		{"bad name", "- {name: 'a b', role: read, token: " + secret + "}", "token name"},
		{"duplicate name", "- {name: a, role: read, token: " + secret + "}\n- {name: a, role: read, token: other-token-0123456789}", "used twice"},
		{"duplicate token", "- {name: a, role: read, token: " + secret + "}\n- {name: b, role: write, token: " + secret + "}", "same token"},
		{"misspelt key", "- {name: a, role: read, tokn: " + secret + "}", "tokn"},
		{"token of the wrong type", "- {name: a, role: read, token: [" + secret + "]}", "tokens[0]"},
		{"not a list", "name: a", "tokens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTokens([]byte(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error quotes the token: %v", err)
			}
		})
	}
}

func TestLoadTokensNamesTheFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(p, []byte("- {name: a, role: nope, token: x}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTokens(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("error %v does not name %s", err, p)
	}
	if _, err := LoadTokens(p + ".missing"); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestIsLoopback(t *testing.T) {
	for listen, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:8080": true, "[::1]:8080": true, "127.0.0.2:0": true,
		"0.0.0.0:8080": false, ":8080": false, "[::]:8080": false, "10.0.0.5:8080": false, "api.example.com:80": false, "nonsense": false,
	} {
		if got := IsLoopback(listen); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", listen, got, want)
		}
	}
}

func TestGuardChecksRolesAndLeavesOtherPathsOpen(t *testing.T) {
	read, _ := NewToken("viewer", RoleRead, "viewer-token-0123456789")
	admin, _ := NewToken("boss", RoleAdmin, "boss-token-0123456789")
	if _, err := New(Options{Require: true}); err != ErrNoTokens {
		t.Fatalf("required without tokens: %v", err)
	}
	g, err := New(Options{Tokens: []Token{read, admin}, Require: true, RoleFor: func(r *http.Request) Role {
		if strings.HasPrefix(r.URL.Path, "/api/v1/admin") {
			return RoleAdmin
		}
		return RoleByMethod(r)
	}})
	if err != nil {
		t.Fatal(err)
	}
	var seen Principal
	h := g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = FromContext(r.Context())
		w.WriteHeader(http.StatusOK)
	}))
	tests := []struct {
		name, method, path, token string
		want                      int
	}{
		{"health needs no token", "GET", "/healthz", "", 200},
		{"metrics need no token", "GET", "/metrics", "", 200},
		{"api needs a token", "GET", "/api/v1/matrix", "", 401},
		{"read token reads", "GET", "/api/v1/matrix", "viewer-token-0123456789", 200},
		{"read token cannot write", "POST", "/api/v1/spikes/x/notes", "viewer-token-0123456789", 403},
		{"read token is not admin", "GET", "/api/v1/admin/x", "viewer-token-0123456789", 403},
		{"admin does anything", "GET", "/api/v1/admin/x", "boss-token-0123456789", 200},
		{"token prefix is not the token", "GET", "/api/v1/matrix", "viewer-token", 401},
		{"scheme is case-insensitive", "GET", "/api/v1/matrix", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			if tt.name == "scheme is case-insensitive" {
				req.Header.Set("Authorization", "bearer boss-token-0123456789")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("%d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
	req := httptest.NewRequest("GET", "/api/v1/matrix", nil)
	req.Header.Set("Authorization", "Bearer boss-token-0123456789")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if seen != (Principal{Name: "boss", Role: RoleAdmin}) {
		t.Fatalf("principal = %+v", seen)
	}
}

func TestOpenGuardServesOnlyLoopbackHostsUnlessATokenIsSent(t *testing.T) {
	tok, _ := NewToken("viewer", RoleRead, "viewer-token-0123456789")
	open, err := New(Options{Tokens: []Token{tok}, AllowedHosts: []string{"socialpulse.internal", "10.0.0.7"}})
	if err != nil {
		t.Fatal(err)
	}
	required, err := New(Options{Tokens: []Token{tok}, Require: true})
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	tests := []struct {
		name        string
		g           *Guard
		host, token string
		want        int
	}{
		{"loopback address", open, "127.0.0.1:8080", "", 200},
		{"other loopback address", open, "127.3.2.1", "", 200},
		{"IPv6 loopback", open, "[::1]:8080", "", 200},
		{"localhost", open, "localhost:8080", "", 200},
		{"localhost in capitals with a trailing dot", open, "LOCALHOST.:8080", "", 200},
		{"a name under localhost", open, "demo.localhost:8080", "", 200},
		{"allowed name", open, "socialpulse.internal:8080", "", 200},
		{"allowed address", open, "10.0.0.7", "", 200},
		{"rebinding name", open, "rebind.evil.example", "", 421},
		{"name that ends in localhost", open, "evillocalhost", "", 421},
		{"private address not allowed", open, "192.168.1.10:8080", "", 421},
		{"no host", open, "", "", 421},
		{"rebinding name with a valid token", open, "rebind.evil.example", "viewer-token-0123456789", 200},
		{"rebinding name with a wrong token", open, "rebind.evil.example", "wrong-token-0123456789", 421},
		{"required tokens: foreign host with a token", required, "api.example.com", "viewer-token-0123456789", 200},
		{"required tokens: foreign host without a token", required, "api.example.com", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/api/v1/spikes", nil)
			req.Host = tt.host
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			tt.g.Wrap(ok).ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("%d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.want == 421 && !strings.Contains(rec.Body.String(), "api.allowed_hosts") {
				t.Fatalf("421 without a clear message: %s", rec.Body)
			}
		})
	}
}

func TestGuardRefusesTheNullOrigin(t *testing.T) {
	if _, err := New(Options{CORSOrigins: []string{"null"}}); err == nil {
		t.Fatal(`CORS origin "null" accepted in the options`)
	}
	g, err := New(Options{CORSOrigins: []string{"https://pr.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"GET", "POST", "OPTIONS"} {
		req := httptest.NewRequest(method, "/api/v1/spikes", nil)
		req.Host = "127.0.0.1:8080"
		req.Header.Set("Origin", "null")
		req.Header.Set("Access-Control-Request-Method", "POST")
		rec := httptest.NewRecorder()
		g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden || rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("%s with Origin null: %d %v, want 403 without CORS headers", method, rec.Code, rec.Header())
		}
	}
}
