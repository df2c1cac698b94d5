package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// capture is an httptest server that records requests and answers status.
type capture struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []*http.Request
	bodies [][]byte
	status int
}

func newCapture(t *testing.T, status int) *capture {
	c := &capture{status: status}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.reqs = append(c.reqs, r)
		c.bodies = append(c.bodies, b)
		c.mu.Unlock()
		w.WriteHeader(c.status)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *capture) last(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.reqs) == 0 {
		t.Fatal("no request received")
	}
	return c.reqs[len(c.reqs)-1], c.bodies[len(c.bodies)-1]
}

func TestWebhookSignatureVerifiesWithDocumentedAlgorithm(t *testing.T) {
	const secret = "s3cret-shared-key"
	srv := newCapture(t, http.StatusNoContent)
	a := testAlert("checkout", t0, 1)
	if err := NewWebhook(srv.URL, secret, srv.Client()).Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	req, body := srv.last(t)

	// The documented algorithm, computed independently.
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(req.Header.Get(HeaderTimestamp) + "." + string(body)))
	if want := "sha256=" + hex.EncodeToString(m.Sum(nil)); req.Header.Get(HeaderSignature) != want {
		t.Fatalf("signature %q, want %q", req.Header.Get(HeaderSignature), want)
	}
	if err := VerifyWebhook(secret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("VerifyWebhook: %v", err)
	}
	if got := req.Header.Get(HeaderDelivery); got != a.ID+":1" {
		t.Errorf("delivery header %q", got)
	}
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Version != 1 || env.Alert.ID != a.ID || env.Alert.Evidence.Samples[0].Text == "" {
		t.Fatalf("body %s: %v", body, err)
	}

	tests := []struct {
		name string
		edit func(h http.Header, body []byte) (http.Header, []byte, time.Time)
		want error
	}{
		{"tampered body", func(h http.Header, b []byte) (http.Header, []byte, time.Time) {
			return h, []byte(strings.Replace(string(b), `"priority":1`, `"priority":4`, 1)), time.Now()
		}, ErrBadSignature},
		{"timestamp changed to replay later", func(h http.Header, b []byte) (http.Header, []byte, time.Time) {
			h = h.Clone()
			h.Set(HeaderTimestamp, "9999999999")
			return h, b, time.Unix(9999999999, 0)
		}, ErrBadSignature},
		{"replayed after the tolerance", func(h http.Header, b []byte) (http.Header, []byte, time.Time) {
			return h, b, time.Now().Add(time.Hour)
		}, ErrStale},
		{"wrong secret", func(h http.Header, b []byte) (http.Header, []byte, time.Time) {
			h = h.Clone()
			ts := h.Get(HeaderTimestamp)
			h.Set(HeaderSignature, SignWebhook("other", mustAtoi(t, ts), b))
			return h, b, time.Now()
		}, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, b, now := tt.edit(req.Header, body)
			if err := VerifyWebhook(secret, h, b, now, 5*time.Minute); !errors.Is(err, tt.want) {
				t.Fatalf("VerifyWebhook = %v, want %v", err, tt.want)
			}
		})
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHTTPErrorsNeverContainTheURL(t *testing.T) {
	srv := newCapture(t, http.StatusServiceUnavailable)
	secretURL := srv.URL + "/services/T000/B000/XXXXSECRETTOKEN"
	err := NewSlack(secretURL).Send(context.Background(), testAlert("checkout", t0, 1))
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusServiceUnavailable {
		t.Fatalf("err = %v, want a 503 StatusError", err)
	}
	// A transport error (nothing listens) must not echo the URL either.
	err = NewWebhook("http://127.0.0.1:1/hook?token=XXXXSECRETTOKEN", "k", nil).Send(context.Background(), testAlert("checkout", t0, 1))
	if err == nil {
		t.Fatal("send to a closed port succeeded")
	}
	for _, e := range []error{se, err} {
		if strings.Contains(e.Error(), "XXXXSECRETTOKEN") {
			t.Errorf("error leaks the URL: %v", e)
		}
	}
}

func TestSlackPayloadShape(t *testing.T) {
	srv := newCapture(t, http.StatusOK)
	a := testAlert("checkout", t0, 1)
	a.Evidence.Samples[0].Text = "total <b>rip-off</b> & broken"
	if err := NewSlack(srv.URL).Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	req, body := srv.last(t)
	if ct := req.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type     string            `json:"type"`
			Text     map[string]any    `json:"text"`
			Fields   []map[string]any  `json:"fields"`
			Elements []json.RawMessage `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Text, a.Summary) {
		t.Errorf("fallback text %q lacks the summary", msg.Text)
	}
	var types []string
	for _, b := range msg.Blocks {
		types = append(types, b.Type)
	}
	if got, want := strings.Join(types, ","), "header,section,section,context,section,actions"; got != want {
		t.Fatalf("block types %s, want %s", got, want)
	}
	if len(msg.Blocks[2].Fields) != 7 {
		t.Errorf("evidence section has %d fields, want 7", len(msg.Blocks[2].Fields))
	}
	if authors := msg.Blocks[2].Fields[5]["text"]; authors != "*Distinct authors*\n"+strconv.FormatInt(a.Evidence.DistinctAuthors, 10) {
		t.Errorf("evidence field 6 = %q, want the distinct authors", authors)
	}
	samples := msg.Blocks[4].Text["text"].(string)
	if !strings.Contains(samples, "&lt;b&gt;rip-off&lt;/b&gt; &amp; broken") || !strings.Contains(samples, a.Evidence.Samples[0].URL) {
		t.Errorf("sample block not escaped or unlinked: %q", samples)
	}
	if len(msg.Blocks[5].Elements) != 2 {
		t.Errorf("want dashboard and API buttons, got %s", msg.Blocks[5].Elements)
	}
}

func TestNamedKeepsOptionalInterfaces(t *testing.T) {
	am := Named("pager", NewAlertmanager("http://example.invalid"))
	if am.Name() != "pager" {
		t.Errorf("name %q", am.Name())
	}
	if _, ok := am.(StatefulReceiver); !ok {
		t.Error("Named dropped StatefulReceiver")
	}
	if _, ok := am.(Resender); !ok {
		t.Error("Named dropped Resender")
	}
	if _, ok := Named("x", newRecorder("y")).(StatefulReceiver); ok {
		t.Error("Named added StatefulReceiver")
	}
}

func TestFormatSummary(t *testing.T) {
	a := testAlert("checkout", t0, 1)
	if got, want := FormatSummary(a), "checkout: +300% negative posts vs baseline in 15m (P1)"; got != want {
		t.Errorf("FormatSummary = %q, want %q", got, want)
	}
}

func TestReceiversCarryTheIncident(t *testing.T) {
	own := testAlert("checkout", t0, 1)
	own.Incident = own.ID
	joined := testAlert("availability", t0.Add(3*time.Minute), 1)
	joined.Incident = own.ID
	cases := []struct {
		name      string
		a         Alert
		wantSlack string // the Slack incident field; "" for none
	}{
		{"a spike that opened its incident", own, "*Incident*\n" + own.ID},
		{"a spike that joined an open incident", joined, "*Incident*\n" + own.ID + "\n(joins an open incident)"},
		{"an alert raised before incidents were labelled", testAlert("search", t0, 1), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hook := newCapture(t, http.StatusNoContent)
			if err := NewWebhook(hook.URL, "", hook.Client()).Send(context.Background(), c.a); err != nil {
				t.Fatal(err)
			}
			_, body := hook.last(t)
			var env struct {
				Alert map[string]any `json:"alert"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatal(err)
			}
			if got, _ := env.Alert["incident"].(string); got != c.a.Incident {
				t.Errorf("webhook incident = %q, want %q", got, c.a.Incident)
			}

			var field string
			for _, f := range SlackMessage(c.a)["blocks"].([]any)[2].(map[string]any)["fields"].([]any) {
				if text := f.(map[string]any)["text"].(string); strings.HasPrefix(text, "*Incident*") {
					field = text
				}
			}
			if field != c.wantSlack {
				t.Errorf("slack incident field = %q, want %q", field, c.wantSlack)
			}

			labels := NewAMAlert(c.a, t0, time.Minute).Labels
			if got, ok := labels["incident"]; got != c.a.Incident || ok != (c.a.Incident != "") {
				t.Errorf("alertmanager incident label = %q (present %v), want %q", got, ok, c.a.Incident)
			}
		})
	}
}

func TestValidateRejectsAnIncidentThatCannotBeALabel(t *testing.T) {
	cases := []struct {
		name     string
		incident string
		ok       bool
	}{
		{"none", "", true},
		{"an alert id", "0123abcd-1700000000", true},
		{"a pipe", "a|b", false},
		{"a newline", "a\nb", false},
		{"too long", strings.Repeat("x", 257), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := testAlert("checkout", t0, 1)
			a.Incident = c.incident
			if err := a.Validate(); (err == nil) != c.ok {
				t.Errorf("Validate = %v, want ok %v", err, c.ok)
			}
		})
	}
}
