package alert

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// hugeAlert is an alert whose samples carry 300 KB urls, handles and texts,
// as stored before the decoder bounded them.
func hugeAlert() Alert {
	a := testAlert("checkout", t0, 1)
	for i := range 20 {
		a.Evidence.Samples = append(a.Evidence.Samples, Sample{ID: "p", Text: strings.Repeat("t", 300_000),
			URL: "https://x.example/" + strings.Repeat("u", 300_000), Author: strings.Repeat("h", 300_000), Followers: int64(i)})
	}
	a.Evidence.TopWords = []string{strings.Repeat("w", 300_000)}
	return a
}

func TestTrimShrinksEvidenceLevelByLevel(t *testing.T) {
	a := hugeAlert()
	prev := -1
	for level := TrimLevels - 1; level >= 0; level-- {
		b, err := json.Marshal(Trim(a, level))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) <= prev {
			t.Fatalf("level %d is %d bytes, not larger than level %d (%d bytes)", level, len(b), level+1, prev)
		}
		prev = len(b)
	}
	small := Trim(a, TrimLevels-1)
	if len(small.Evidence.Samples) != 0 || small.Evidence.Current != a.Evidence.Current || small.Summary != a.Summary {
		t.Fatalf("smallest trim: %d samples, current %v, summary %q", len(small.Evidence.Samples), small.Evidence.Current, small.Summary)
	}
	if len(a.Evidence.Samples[len(a.Evidence.Samples)-1].Text) != 300_000 {
		t.Fatal("Trim modified its argument")
	}
}

// sizeLimited answers 413 to bodies over limit and records the sizes.
type sizeLimited struct {
	*httptest.Server
	mu    sync.Mutex
	sizes []int
}

func newSizeLimited(t *testing.T, limit int) *sizeLimited {
	s := &sizeLimited{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.sizes = append(s.sizes, len(b))
		s.mu.Unlock()
		if len(b) > limit {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestReceiversKeepPayloadsWithinBudgetAndTrimOn413(t *testing.T) {
	tests := []struct {
		name   string
		budget int
		limit  int // the receiver's own limit; -1: refuses everything
		make   func(url string) Receiver
		ok     bool
	}{
		{"webhook within budget", WebhookBudget, 1 << 30, func(u string) Receiver { return NewWebhook(u, "k", nil) }, true},
		{"webhook trimmed after a 413", WebhookBudget, 4 << 10, func(u string) Receiver { return NewWebhook(u, "k", nil) }, true},
		{"slack within budget", SlackBudget, 1 << 30, func(u string) Receiver { return NewSlack(u) }, true},
		{"slack trimmed after a 413", SlackBudget, 2 << 10, func(u string) Receiver { return NewSlack(u) }, true},
		{"alertmanager within budget", AlertmanagerBudget, 1 << 30, func(u string) Receiver { return NewAlertmanager(u) }, true},
		{"alertmanager trimmed after a 413", AlertmanagerBudget, 3 << 10, func(u string) Receiver { return NewAlertmanager(u) }, true},
		{"webhook that refuses every size gives up", WebhookBudget, -1, func(u string) Receiver { return NewWebhook(u, "k", nil) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newSizeLimited(t, tt.limit)
			err := tt.make(srv.URL).Send(context.Background(), hugeAlert())
			if tt.ok != (err == nil) {
				t.Fatalf("Send = %v, want success %v", err, tt.ok)
			}
			var perm *PermanentError
			if !tt.ok && (!errors.As(err, &perm) || !errors.Is(err, ErrPayloadTooLarge)) {
				t.Fatalf("err = %v, want a permanent ErrPayloadTooLarge", err)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if len(srv.sizes) > TrimLevels {
				t.Fatalf("%d requests, want at most one per trim level (%d)", len(srv.sizes), TrimLevels)
			}
			for _, n := range srv.sizes {
				if n > tt.budget {
					t.Fatalf("a payload of %d bytes, over the budget of %d", n, tt.budget)
				}
			}
		})
	}
}

func TestPayloadTooLargeGivesUpAtOnceAndIsVisible(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		srv := newSizeLimited(t, -1)
		ob := newOutbox(t, s, nil, NewWebhook(srv.URL, "k", nil)) // MaxAttempts 0: retry forever
		a := testAlert("checkout", t0, 1)
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		run(t, ob)
		eventually(t, 10*time.Second, "delivery given up", func() bool {
			r, err := ob.Get(ctx, a.ID)
			return err == nil && r.Deliveries[0].State == DeliveryFailed
		})
		r, _ := ob.Get(ctx, a.ID)
		if d := r.Deliveries[0]; d.Attempts != 1 || !strings.Contains(d.LastError, "too large") {
			t.Fatalf("delivery %+v, want failed after 1 attempt with the reason", d)
		}
		if v := metricValue(t, ob.m.givenUp.WithLabelValues("webhook", givenUpTooLarge)); v != 1 {
			t.Fatalf("given up metric = %v, want 1", v)
		}
		if n := s.rdb.ZCard(ctx, ob.queueKey("webhook")).Val(); n != 0 {
			t.Errorf("given-up delivery still queued (%d)", n)
		}
	})
}
