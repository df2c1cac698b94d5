package corrections_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/auth"
	"github.com/socialpulse/socialpulse/api/corrections"
	"github.com/socialpulse/socialpulse/correction"
)

// newServer serves the corrections API behind a Guard that requires a
// token: "reader" (role read) or "analyst" (role write).
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	st, err := correction.NewStore(rdb, correction.Options{Prefix: "t"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := corrections.New(corrections.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	read, _ := auth.NewToken("reader", auth.RoleRead, "reader-token-0123456789")
	write, _ := auth.NewToken("analyst", auth.RoleWrite, "analyst-token-0123456789")
	g, err := auth.New(auth.Options{Tokens: []auth.Token{read, write}, Require: true})
	if err != nil {
		t.Fatal(err)
	}
	mux := api.Mux(api.Routes(api.Endpoints{Corrections: h}))
	srv := httptest.NewServer(g.Wrap(mux))
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, []byte) {
	t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, srv.URL+path, nil)
	if rd != nil {
		req, _ = http.NewRequestWithContext(context.Background(), method, srv.URL+path, rd)
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return resp.StatusCode, []byte(b.String())
}

const (
	reader  = "reader-token-0123456789"
	analyst = "analyst-token-0123456789"
	good    = `{"postId":"p1","text":"thanks for nothing","label":"negative","previous":"positive","note":"sarcasm"}`
)

func TestPostCorrectionChecksRoleAndFields(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		name, token, body string
		status            int
		param             string
	}{
		{"no token", "", good, http.StatusUnauthorized, ""},
		{"read role", reader, good, http.StatusForbidden, ""},
		{"write role", analyst, good, http.StatusCreated, ""},
		{"unknown label", analyst, strings.Replace(good, `"negative"`, `"angry"`, 1), http.StatusBadRequest, "label"},
		{"unscored label", analyst, strings.Replace(good, `"negative"`, `"unscored"`, 1), http.StatusBadRequest, "label"},
		{"missing previous", analyst, `{"postId":"p1","text":"x","label":"negative"}`, http.StatusBadRequest, "previous"},
		{"missing post id", analyst, `{"text":"x","label":"negative","previous":"neutral"}`, http.StatusBadRequest, "postId"},
		{"unknown field", analyst, `{"postId":"p1","text":"x","label":"negative","previous":"neutral","who":"me"}`, http.StatusBadRequest, "who"},
		{"number as text", analyst, `{"postId":"p1","text":3,"label":"negative","previous":"neutral"}`, http.StatusBadRequest, "text"},
		{"bidi in note", analyst, strings.Replace(good, "sarcasm", `sar\u202ecasm`, 1), http.StatusBadRequest, "note"},
		{"control in note", analyst, strings.Replace(good, "sarcasm", `sar\u0007casm`, 1), http.StatusBadRequest, "note"},
		{"two objects", analyst, good + good, http.StatusBadRequest, "body"},
		{"too large", analyst, `{"postId":"p1","text":"` + strings.Repeat("x", 70<<10) + `"}`, http.StatusRequestEntityTooLarge, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, srv, http.MethodPost, "/api/v1/corrections", tc.token, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			var e struct{ Parameter string }
			_ = json.Unmarshal(body, &e)
			if e.Parameter != tc.param {
				t.Fatalf("parameter %q, want %q: %s", e.Parameter, tc.param, body)
			}
			if status == http.StatusCreated {
				var got struct{ Correction correction.Correction }
				if err := json.Unmarshal(body, &got); err != nil || got.Correction.Who != "analyst" || got.Correction.ID == "" ||
					got.Correction.Note != "sarcasm" || got.Correction.When.IsZero() {
					t.Fatalf("created %s (%v)", body, err)
				}
			}
		})
	}
}

func TestListAndExportReturnWhatWasPosted(t *testing.T) {
	srv := newServer(t)
	for _, id := range []string{"a", "b", "c"} {
		if st, b := call(t, srv, http.MethodPost, "/api/v1/corrections", analyst, strings.Replace(good, `"p1"`, `"`+id+`"`, 1)); st != http.StatusCreated {
			t.Fatalf("post %s: %d %s", id, st, b)
		}
	}
	var seen []string
	path := "/api/v1/corrections?limit=2"
	for range 5 {
		st, b := call(t, srv, http.MethodGet, path, reader, "")
		if st != http.StatusOK {
			t.Fatalf("list: %d %s", st, b)
		}
		var l corrections.List
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatal(err)
		}
		for _, c := range l.Corrections {
			seen = append(seen, c.PostID)
		}
		if l.NextCursor == "" {
			break
		}
		path = "/api/v1/corrections?limit=2&cursor=" + l.NextCursor
	}
	if len(seen) != 3 {
		t.Fatalf("listed %v", seen)
	}
	st, b := call(t, srv, http.MethodGet, "/api/v1/corrections.jsonl", reader, "")
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if st != http.StatusOK || len(lines) != 3 {
		t.Fatalf("export: %d, %d lines: %s", st, len(lines), b)
	}
	for _, l := range lines {
		var c correction.Correction
		if err := json.Unmarshal([]byte(l), &c); err != nil || c.Validate() != nil {
			t.Fatalf("exported line %q: %v", l, err)
		}
	}
	for _, bad := range []struct{ path, param string }{
		{"/api/v1/corrections?limit=0", "limit"},
		{"/api/v1/corrections?order=up", "order"},
		{"/api/v1/corrections?cursor=zz", "cursor"},
		{"/api/v1/corrections?feature=x", "feature"},
		{"/api/v1/corrections.jsonl?limit=x", "limit"},
	} {
		st, b := call(t, srv, http.MethodGet, bad.path, reader, "")
		var e struct{ Parameter string }
		_ = json.Unmarshal(b, &e)
		if st != http.StatusBadRequest || e.Parameter != bad.param {
			t.Fatalf("%s: %d %s", bad.path, st, b)
		}
	}
}
