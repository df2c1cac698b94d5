package apiclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// server answers every request with status and body, and records the
// last request's Authorization header and query.
func server(t *testing.T, status int, body string) (*url.URL, *http.Request) {
	t.Helper()
	last := new(http.Request)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*last = *r.Clone(context.Background())
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u, last
}

func TestGetJSONAnswersAndErrors(t *testing.T) {
	tests := []struct {
		name, token, body string
		status            int
		wantErr           string // empty: success
		wantAuth          string
	}{
		{"a 2xx answer is decoded and the token sent", "tok", `{"n": 3}`, 200, "", "Bearer tok"},
		{"no token sends no header", "", `{"n": 3}`, 200, "", ""},
		{"the API's message is in the error", "tok", `{"error": "bad window"}`, 400, "api/v1/x: 400 Bad Request: bad window", "Bearer tok"},
		{"a body that is not the API's error is quoted", "tok", "upstream down\n", 502, "502 Bad Gateway: upstream down", "Bearer tok"},
		{"a 401 without a token says where one comes from", "", `{"error": "no token"}`, 401, "no token (set THE_TOKEN)", ""},
		{"a 401 with a token gives no hint", "tok", `{"error": "bad token"}`, 401, "bad token", "Bearer tok"},
		{"an answer that is not JSON is a bad response", "tok", "<html>", 200, "api: /api/v1/x: bad response", "Bearer tok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, last := server(t, tt.status, tt.body)
			c := New(Options{Base: u, Token: tt.token, Timeout: 5 * time.Second, NoTokenHint: "set THE_TOKEN"})
			var v struct{ N int }
			err := c.GetJSON(context.Background(), "/api/v1/x", url.Values{"q": {"a b"}}, &v)
			switch {
			case tt.wantErr == "" && (err != nil || v.N != 3):
				t.Fatalf("GetJSON = %v, %+v; want n=3", err, v)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("GetJSON = %v, want an error with %q", err, tt.wantErr)
			case err != nil && !strings.Contains(tt.wantErr, "THE_TOKEN") && strings.Contains(err.Error(), "THE_TOKEN"):
				t.Fatalf("GetJSON = %v, want no hint", err)
			}
			if got := last.Header.Get("Authorization"); got != tt.wantAuth {
				t.Errorf("Authorization = %q, want %q", got, tt.wantAuth)
			}
			if got := last.URL.Query().Get("q"); got != "a b" {
				t.Errorf("query q = %q, want %q", got, "a b")
			}
		})
	}
}

func TestPostJSONSendsJSON(t *testing.T) {
	u, last := server(t, 201, `{"id": "n1"}`)
	c := New(Options{Base: u, Token: "tok"})
	var out struct{ ID string }
	if err := c.PostJSON(context.Background(), "/api/v1/notes", map[string]string{"text": "hi"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.ID != "n1" || last.Method != http.MethodPost || last.Header.Get("Content-Type") != "application/json" {
		t.Errorf("got %+v, %s %q", out, last.Method, last.Header.Get("Content-Type"))
	}
}
