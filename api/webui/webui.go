// Package webui serves socialpulse's web page for the PR and IT teams: a
// timeline and list of spikes with filters, one spike's evidence, sample
// posts, lifecycle, deliveries and notes, and a live heatmap of the impact
// matrix with the emerging terms.
//
// The page is plain HTML, CSS and JavaScript embedded in the binary: nothing
// is loaded from the internet and there is no build step. It is a client of
// the /api/v1 endpoints (package spikes and package api); it holds no
// data of its own. Loading the page needs no token; its API calls do, and
// when the API answers 401 the page asks for a token, keeps it in the
// browser tab's sessionStorage and sends it as a Bearer header (never in a
// URL).
//
// Non-goals: routing (api.Table mounts Handler at / and /ui/),
// server-side rendering and access control (package auth
// guards /api/v1; the page only reflects its answers).
package webui

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var static embed.FS

// Path is where the page is served; "/" redirects here.
const Path = "/ui/"

// ContentSecurityPolicy is sent with every response of the page: only this
// origin's own files, no inline scripts or styles, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler serves the page: GET / redirects to /ui/, and /ui/ serves the
// embedded files (index.html for /ui/ itself). The routing table
// (api.Table) mounts it at "GET /{$}" and "GET /ui/". It is safe for
// concurrent use.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic("webui: embedded files missing: " + err.Error()) // a build defect, caught by the package's tests
	}
	files := http.StripPrefix(strings.TrimSuffix(Path, "/"), http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		switch {
		case r.URL.Path == "/" || r.URL.Path == strings.TrimSuffix(Path, "/"):
			http.Redirect(w, r, Path, http.StatusFound)
		case strings.HasPrefix(r.URL.Path, Path):
			// The page is small and changes with the binary: revalidate
			// rather than cache stale script after an upgrade.
			h.Set("Cache-Control", "no-cache")
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
