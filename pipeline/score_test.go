package pipeline_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/internal/jsonl"
	"github.com/socialpulse/socialpulse/pipeline"
	"github.com/socialpulse/socialpulse/synth"
)

type scoreErrorOut struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	Error  string `json:"error"`
}

func newTestEnricher(t testing.TB) *enrich.Enricher {
	t.Helper()
	e, err := enrich.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestScoreWritesOneLinePerInputLineInOrder(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a1","text":"checkout keeps failing with an error, third time today"}`,
		`{"id":12345678901234567,"text":"just ordered a new jacket"}`,
		``,
		`{"text":"no id on this one"}`,
		`not json`,
		`["an","array"]`,
		`{"id":"de1","text":"Die Lieferung war schnell und gut","lang":"de"}`,
		`{"id":true,"text":"bool id"}`,
		`{"id":"no-text"}`,
		`{"id":"num-text","text":42}`,
		`{"id":"q\"uote","text":"tab\there","extra":{"ignored":[1,2]}}`,
		`{"id":"crlf","text":"windows line ending"}` + "\r",
		`{"id":"bad-utf8","text":"login \u2028 broken ` + "\xff" + `"}`,
		`{"id":"full","text":"the app is great but checkout is broken","created_at":"2026-01-02T03:04:05+01:00","platform":"x","url":"https://x.example/1","author":{"id":"9","handle":"@ann","followers":12}}`,
		`{"id":"last","text":"no newline at the end"}`,
	}, "\n")
	tests := []struct {
		name    string
		line    int
		id      string // for results
		label   string // for results; "" means any scored label
		feature string // a feature the result must list
		reason  string // for error lines: the rejection reason
		err     string // for error lines: a substring of the error
	}{
		{name: "string id is kept", line: 1, id: "a1", feature: "checkout"},
		{name: "numeric id becomes a string with every digit", line: 2, id: "12345678901234567"},
		{name: "empty line is an error line", line: 3, reason: "invalid_json"},
		{name: "missing id is an error line, as the processor dead-letters it", line: 4, reason: "missing_field", err: "field id"},
		{name: "invalid JSON is an error line", line: 5, reason: "invalid_json"},
		{name: "non-object is an error line", line: 6, reason: "not_object", err: "want a JSON object"},
		{name: "unsupported language is unscored", line: 7, id: "de1", label: "unscored"},
		{name: "id of another type is an error line", line: 8, reason: "bad_field_type", err: "field id"},
		{name: "missing text is an error line", line: 9, reason: "missing_field", err: "field text: required"},
		{name: "non-string text is an error line", line: 10, reason: "bad_field_type", err: "field text"},
		{name: "escapes round-trip and unknown fields are ignored", line: 11, id: `q"uote`},
		{name: "CRLF line endings are accepted", line: 12, id: "crlf"},
		{name: "invalid UTF-8 and line separators give valid JSON", line: 13, id: "bad-utf8", feature: "login"},
		{name: "every field of the post is carried", line: 14, id: "full", feature: "checkout"},
		{name: "last line without a newline is scored", line: 15, id: "last"},
	}

	var out bytes.Buffer
	if err := pipeline.Score(context.Background(), newTestEnricher(t), strings.NewReader(in), &out, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(tests) {
		t.Fatalf("got %d output lines for %d input lines:\n%s", len(lines), len(tests), out.String())
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := lines[tt.line-1]
			if tt.reason != "" {
				var got scoreErrorOut
				dec := json.NewDecoder(strings.NewReader(raw))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&got); err != nil {
					t.Fatalf("error line %d: %v: %s", tt.line, err, raw)
				}
				if got.Line != tt.line || got.Reason != tt.reason || !strings.Contains(got.Error, tt.err) {
					t.Fatalf("want {\"line\":%d,\"reason\":%q,\"error\":\"...%s...\"}, got %s", tt.line, tt.reason, tt.err, raw)
				}
				return
			}
			// A result is exactly a pipeline.ScoredPost: no other field, and
			// marshalling it back gives the same bytes.
			var got pipeline.ScoredPost
			dec := json.NewDecoder(strings.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("output line %d is not a ScoredPost: %v: %s", tt.line, err, raw)
			}
			if again, _ := json.Marshal(got); string(again) != raw {
				t.Errorf("line is not in ScoredPost's shape:\n got %s\nwant %s", raw, again)
			}
			if got.ID != tt.id {
				t.Errorf("id: want %q, got %s", tt.id, raw)
			}
			if tt.label != "" && got.Sentiment.Label != tt.label {
				t.Errorf("label: want %q, got %s", tt.label, raw)
			}
			if got.Sentiment.Score < -1 || got.Sentiment.Score > 1 {
				t.Errorf("score out of [-1, 1]: %s", raw)
			}
			if !strings.Contains(raw, `"features":[`) {
				t.Errorf("features must be a list, never null: %s", raw)
			}
			if tt.feature != "" && !slices.ContainsFunc(got.Features, func(f pipeline.ScoredFeature) bool { return f.ID == tt.feature }) {
				t.Errorf("features: want %q listed, got %s", tt.feature, raw)
			}
			if strings.Contains(raw, `"source"`) {
				t.Errorf("score reads no Kafka record, yet prints a source: %s", raw)
			}
		})
	}

	full := lines[13]
	var sp pipeline.ScoredPost
	if err := json.Unmarshal([]byte(full), &sp); err != nil {
		t.Fatal(err)
	}
	want := pipeline.ScoredPost{ID: "full", Text: "the app is great but checkout is broken", EventTime: time.Date(2026, 1, 2, 2, 4, 5, 0, time.UTC),
		Platform: "x", Lang: "en", URL: "https://x.example/1", Author: &pipeline.ScoredAuthor{ID: "9", Handle: "@ann", Followers: 12}}
	if sp.ID != want.ID || sp.Text != want.Text || !sp.EventTime.Equal(want.EventTime) || sp.Platform != want.Platform ||
		sp.Lang != want.Lang || sp.URL != want.URL || sp.Author == nil || *sp.Author != *want.Author {
		t.Errorf("post fields not carried:\n got %s", full)
	}
	// Each feature carries its own clause's sentiment, not the post's.
	labels := map[string]string{}
	for _, f := range sp.Features {
		labels[f.ID] = f.Label
	}
	if labels["mobile_app"] != "positive" || labels["checkout"] != "negative" {
		t.Errorf("want mobile_app positive and checkout negative, each its own clause's sentiment: %s", full)
	}
}

func TestScoreReportsAnOverlongLineAndGoesOn(t *testing.T) {
	long := `{"id":"big","text":"` + strings.Repeat("a", pipeline.MaxScoreLine) + `"}`
	in := long + "\n" + `{"id":"after","text":"fine"}` + "\n"
	var out bytes.Buffer
	if err := pipeline.Score(context.Background(), newTestEnricher(t), strings.NewReader(in), &out, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"line":1,"reason":"too_large","error":"post: too_large: line longer than`) || !strings.HasPrefix(lines[1], `{"id":"after",`) {
		t.Fatalf("got %q", out.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("device gone") }

func TestScoreFailsOnIOErrors(t *testing.T) {
	e := newTestEnricher(t)
	if err := pipeline.Score(context.Background(), e, strings.NewReader(`{"id":"1","text":"x"}`+"\n"), failingWriter{}, nil); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write failure: got %v", err)
	}
	if err := pipeline.Score(context.Background(), e, failingReader{}, &bytes.Buffer{}, nil); err == nil || !strings.Contains(err.Error(), "device gone") {
		t.Errorf("read failure: got %v", err)
	}
}

// synthLines makes n JSONL posts from the synthetic generator.
func synthLines(n int) []byte {
	g := synth.New(1)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	for i := range n {
		b.Write(g.JSON(t0.Add(time.Duration(i) * time.Second)))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// TestScore100kLines shows the throughput the contract asks for (100k lines
// in a few seconds). It reports the time rather than asserting it.
func TestScore100kLines(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 100k lines")
	}
	const n = 100_000
	in := synthLines(n)
	e := newTestEnricher(t)
	var out bytes.Buffer
	start := time.Now()
	if err := pipeline.Score(context.Background(), e, bytes.NewReader(in), &out, nil); err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	got := 0
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if !bytes.HasPrefix(sc.Bytes(), []byte(`{"id":"synth-`)) {
			t.Fatalf("line %d: %s", got+1, sc.Bytes())
		}
		got++
	}
	if got != n {
		t.Fatalf("got %d output lines, want %d", got, n)
	}
	t.Logf("scored %d lines in %v (%.0f lines/s)", n, el.Round(time.Millisecond), float64(n)/el.Seconds())
}

func BenchmarkScore(b *testing.B) {
	in := synthLines(10_000)
	e := newTestEnricher(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := pipeline.Score(context.Background(), e, bytes.NewReader(in), io.Discard, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10_000), "ns/line")
}

func TestScoreShowsProgressAndEndsItsLine(t *testing.T) {
	in := `{"id":"1","text":"checkout is broken"}` + "\n" + `{"id":"2","text":"hello"}` + "\n"
	var out, progress bytes.Buffer
	p := jsonl.NewProgress(&progress, true, int64(len(in)), "score", "scored")
	if err := pipeline.Score(context.Background(), newTestEnricher(t), strings.NewReader(in), &out, p); err != nil {
		t.Fatal(err)
	}
	got := progress.String()
	if !strings.Contains(got, "score: 2 lines, 2 scored") || !strings.Contains(got, "100%") || !strings.HasSuffix(got, "\n") {
		t.Errorf("progress %q, want the final count at 100%% and a closing newline", got)
	}
	if strings.Count(out.String(), "\n") != 2 {
		t.Errorf("progress changed the output: %q", out.String())
	}
}
