package correction_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/sentiment"
)

func valid() correction.Correction {
	return correction.Correction{PostID: "p1", Text: "thanks for nothing", Label: sentiment.Negative, Previous: sentiment.Positive}
}

func TestValidateNamesTheBadField(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(c *correction.Correction)
		field string
	}{
		{"valid", func(*correction.Correction) {}, ""},
		{"valid with a note of lines and tabs", func(c *correction.Correction) { c.Note = "sarcasm\n\tsee thread" }, ""},
		{"missing post id", func(c *correction.Correction) { c.PostID = "" }, "postId"},
		{"post id too long", func(c *correction.Correction) { c.PostID = strings.Repeat("x", 257) }, "postId"},
		{"post id with a newline", func(c *correction.Correction) { c.PostID = "a\nb" }, "postId"},
		{"blank text", func(c *correction.Correction) { c.Text = "  " }, "text"},
		{"text too long", func(c *correction.Correction) { c.Text = strings.Repeat("x", 16<<10+1) }, "text"},
		{"text not UTF-8", func(c *correction.Correction) { c.Text = "bad \xff" }, "text"},
		{"label unscored", func(c *correction.Correction) { c.Label = sentiment.Unscored }, "label"},
		{"previous out of range", func(c *correction.Correction) { c.Previous = 9 }, "previous"},
		{"note too long", func(c *correction.Correction) { c.Note = strings.Repeat("é", 2001) }, "note"},
		{"note with a control character", func(c *correction.Correction) { c.Note = "a\x07b" }, "note"},
		{"note with a right-to-left override", func(c *correction.Correction) { c.Note = "fine \u202egnorw" }, "note"},
		{"note with an isolate", func(c *correction.Correction) { c.Note = "x \u2067y\u2069" }, "note"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.edit(&c)
			fe := c.Validate()
			switch {
			case tc.field == "" && fe != nil:
				t.Fatalf("refused: %v", fe)
			case tc.field != "" && (fe == nil || fe.Field != tc.field):
				t.Fatalf("got %v, want an error on %s", fe, tc.field)
			}
		})
	}
}

func newStore(t *testing.T, now func() time.Time) (*correction.Store, *miniredis.Miniredis) {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	s, err := correction.NewStore(rdb, correction.Options{Prefix: "sp", Retention: time.Hour, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s, mr
}

func TestStoreKeepsCorrectionsAndPagesThemByTime(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s, mr := newStore(t, func() time.Time { return t0 })
	for i := range 5 {
		c := valid()
		c.PostID = string(rune('a' + i))
		c.When = t0.Add(time.Duration(i%3) * time.Second) // ties on the time
		got, err := s.Add(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID == "" || !got.When.Equal(c.When) {
			t.Fatalf("stored %+v", got)
		}
	}
	if _, err := s.Add(ctx, correction.Correction{PostID: "x"}); err == nil {
		t.Fatal("an invalid correction was stored")
	}
	for _, asc := range []bool{false, true} {
		var seen []correction.Correction
		cursor := ""
		for range 10 {
			page, next, err := s.List(ctx, correction.Query{Limit: 2, Cursor: cursor, Asc: asc})
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, page...)
			if cursor = next; cursor == "" {
				break
			}
		}
		if len(seen) != 5 {
			t.Fatalf("asc %v: listed %d, want 5", asc, len(seen))
		}
		for i := 1; i < len(seen); i++ {
			a, b := seen[i-1], seen[i]
			if asc == (a.When.After(b.When) || (a.When.Equal(b.When) && a.ID > b.ID)) {
				t.Fatalf("asc %v: out of order: %s then %s", asc, a.ID, b.ID)
			}
		}
	}
	if _, _, err := s.List(ctx, correction.Query{Limit: 1, Cursor: "!!"}); !errors.Is(err, correction.ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
	// Every key expires with the retention.
	for _, k := range mr.Keys() {
		if mr.TTL(k) <= 0 || mr.TTL(k) > time.Hour {
			t.Fatalf("key %s has TTL %v", k, mr.TTL(k))
		}
	}
	mr.FastForward(2 * time.Hour)
	page, _, err := s.List(ctx, correction.Query{Limit: 10})
	if err != nil || len(page) != 0 {
		t.Fatalf("after retention: %d corrections, %v", len(page), err)
	}
}

func TestLatestKeepsTheLastCorrectionOfEachPost(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cs := []correction.Correction{
		{ID: "1", PostID: "a", Label: sentiment.Positive, When: t0},
		{ID: "2", PostID: "b", Label: sentiment.Neutral, When: t0},
		{ID: "3", PostID: "a", Label: sentiment.Negative, When: t0.Add(time.Second)},
	}
	got := correction.Latest(cs)
	if len(got) != 2 || got[0].ID != "3" || got[1].ID != "2" {
		t.Fatalf("Latest = %+v", got)
	}
}

func TestReadFileNamesTheFileInItsErrors(t *testing.T) {
	c := valid()
	c.ID, c.Who, c.When = "1767225600000-ab", "ann", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	line, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tests := []struct {
		name, content string // content "": no file
		want          int
		wantErr       string
	}{
		{"every line a correction", string(line) + "\n\n" + string(line) + "\n", 2, ""},
		{"a bad line names the file and the line", string(line) + "\n{\"error\":\"cut\"}\n", 0, "line 2"},
		{"a missing file is an error", "", 0, "no such file"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("c%d.jsonl", i))
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cs, err := correction.ReadFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("err = %v, want one naming %s and %q", err, path, tt.wantErr)
				}
				return
			}
			if err != nil || len(cs) != tt.want {
				t.Fatalf("read %d corrections, %v; want %d", len(cs), err, tt.want)
			}
		})
	}
}
