package webui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func serve(t *testing.T, method, path string) *http.Response {
	t.Helper()
	mux := http.NewServeMux()
	h := Handler()
	mux.Handle("GET /{$}", h)
	mux.Handle("GET "+Path, h)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Result()
}

func TestRootRedirectsToPage(t *testing.T) {
	resp := serve(t, http.MethodGet, "/")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != Path {
		t.Fatalf("GET / = %d Location %q, want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), Path)
	}
}

func TestPageAndAssetsAreServedWithSecurityHeaders(t *testing.T) {
	tests := []struct {
		path, wantType, wantBody string
	}{
		{"/ui/", "text/html", `<script src="app.js" defer></script>`},
		{"/ui/app.js", "text/javascript", "Authorization"},
		{"/ui/app.css", "text/css", ":root"},
		{"/ui/favicon.svg", "image/svg+xml", "<svg"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp := serve(t, http.MethodGet, tt.path)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type %q, want %s", ct, tt.wantType)
			}
			if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body lacks %q", tt.wantBody)
			}
			h := resp.Header
			if h.Get("Content-Security-Policy") != ContentSecurityPolicy {
				t.Errorf("CSP %q", h.Get("Content-Security-Policy"))
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("headers %v", h)
			}
		})
	}
}

func TestUnknownFileIs404(t *testing.T) {
	if resp := serve(t, http.MethodGet, "/ui/nope.js"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d, want 404", resp.StatusCode)
	}
}

func TestPolicyForbidsInlineAndRemoteCode(t *testing.T) {
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, want) {
			t.Errorf("CSP lacks %q", want)
		}
	}
	if strings.Contains(ContentSecurityPolicy, "unsafe") {
		t.Errorf("CSP allows unsafe sources: %s", ContentSecurityPolicy)
	}
}

// The page must work offline and under the CSP: no remote URLs in any
// asset, no inline script or style, no inline event handlers.
func TestAssetsAreSelfContained(t *testing.T) {
	remote := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|@import|url\(\s*["']?https?:`)
	inline := regexp.MustCompile(`(?i)<script>|<script [^>]*>[^<]|<style|\son[a-z]+\s*=\s*"|style\s*=\s*"`)
	entries, err := static.ReadDir("static")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := static.ReadFile("static/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if m := remote.Find(b); m != nil {
			t.Errorf("%s loads from the network: %q", e.Name(), m)
		}
		if strings.HasSuffix(e.Name(), ".html") {
			if m := inline.Find(b); m != nil {
				t.Errorf("%s has inline code the CSP would block: %q", e.Name(), m)
			}
		}
	}
}
