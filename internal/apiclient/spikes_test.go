package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/socialpulse/socialpulse/api/spikes"
)

// pagedServer serves three pages of one spike each; page i's cursor is
// "c<i>".
func pagedServer(t *testing.T) *url.URL {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := 0
		if c := r.URL.Query().Get("cursor"); c != "" {
			_, _ = fmt.Sscanf(c, "c%d", &i)
		}
		next := ""
		if i < 2 {
			next = fmt.Sprintf("c%d", i+1)
		}
		fmt.Fprintf(w, `{"spikes":[{"id":"s%d"}],"nextCursor":%q}`, i, next)
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSpikePagesFollowsCursorsOnlyWhenAskedTo(t *testing.T) {
	tests := []struct {
		name     string
		cursor   string
		all      bool
		wantIDs  []string
		wantNext string
	}{
		{"one page and the cursor of the next", "", false, []string{"s0"}, "c1"},
		{"all pages to the end", "", true, []string{"s0", "s1", "s2"}, ""},
		{"from a cursor on", "c1", true, []string{"s1", "s2"}, ""},
		{"the last page has no next cursor", "c2", false, []string{"s2"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{Base: pagedServer(t)})
			q := url.Values{"limit": {"1"}}
			if tt.cursor != "" {
				q.Set("cursor", tt.cursor)
			}
			var ids []string
			next, err := c.SpikePages(context.Background(), q, tt.all, func(p spikes.SpikeList) error {
				for _, s := range p.Spikes {
					ids = append(ids, s.ID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, tt.wantIDs) || next != tt.wantNext {
				t.Fatalf("got %v, next %q; want %v, next %q", ids, next, tt.wantIDs, tt.wantNext)
			}
			if q.Get("cursor") != tt.cursor {
				t.Fatalf("the caller's query was changed: cursor %q", q.Get("cursor"))
			}
		})
	}
}

func TestSpikePagesStopsAtTheCallbacksError(t *testing.T) {
	c := New(Options{Base: pagedServer(t)})
	stop := errors.New("stdout closed")
	calls := 0
	_, err := c.SpikePages(context.Background(), nil, true, func(spikes.SpikeList) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("err %v after %d calls, want %v after 1", err, calls, stop)
	}
}
