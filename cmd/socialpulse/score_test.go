package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/sentiment"
	"github.com/socialpulse/socialpulse/synth"
)

// resultLine is the exact shape of a result: field names and their order.
var resultLine = regexp.MustCompile(`^\{"id":"[^"]*","sentiment":\{"label":"(negative|neutral|positive|unscored)","score":-?[0-9]+(\.[0-9]+)?\},"features":\[("[a-z0-9_]+"(,"[a-z0-9_]+")*)?\],"lang":"[^"]*"\}$`)

type scoreOut struct {
	ID        *string `json:"id"`
	Sentiment struct {
		Label string  `json:"label"`
		Score float64 `json:"score"`
	} `json:"sentiment"`
	Features []string `json:"features"`
	Lang     string   `json:"lang"`
	Line     int      `json:"line"`
	Error    string   `json:"error"`
}

func newTestEnricher(t testing.TB) *enrich.Enricher {
	t.Helper()
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	e, err := enrich.New(sentiment.New(), tg)
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
		`{"id":"last","text":"no newline at the end"}`,
	}, "\n")
	tests := []struct {
		name    string
		line    int
		id      string // for results
		label   string // for results; "" means any scored label
		feature string // a feature the result must list
		err     string // for error lines: a substring of the error
	}{
		{name: "string id is kept", line: 1, id: "a1", feature: "checkout"},
		{name: "numeric id becomes a string with every digit", line: 2, id: "12345678901234567"},
		{name: "empty line is an error line", line: 3, err: "empty line"},
		{name: "missing id gives an empty id", line: 4, id: ""},
		{name: "invalid JSON is an error line", line: 5, err: "invalid JSON"},
		{name: "non-object is an error line", line: 6, err: "want a JSON object"},
		{name: "unsupported language is unscored", line: 7, id: "de1", label: "unscored"},
		{name: "id of another type is an error line", line: 8, err: "field id"},
		{name: "missing text is an error line", line: 9, err: "field text: required"},
		{name: "non-string text is an error line", line: 10, err: "field text: want a string"},
		{name: "escapes round-trip and unknown fields are ignored", line: 11, id: `q"uote`},
		{name: "CRLF line endings are accepted", line: 12, id: "crlf"},
		{name: "last line without a newline is scored", line: 13, id: "last"},
	}

	var out bytes.Buffer
	if err := scoreLines(context.Background(), newTestEnricher(t), strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(tests) {
		t.Fatalf("got %d output lines for %d input lines:\n%s", len(lines), len(tests), out.String())
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := lines[tt.line-1]
			var got scoreOut
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatalf("output line %d is not JSON: %v: %s", tt.line, err, raw)
			}
			if tt.err != "" {
				if got.Line != tt.line || !strings.Contains(got.Error, tt.err) || got.ID != nil {
					t.Fatalf("want {\"line\":%d,\"error\":\"...%s...\"}, got %s", tt.line, tt.err, raw)
				}
				if !strings.HasPrefix(raw, `{"line":`) {
					t.Errorf("error line fields out of order: %s", raw)
				}
				return
			}
			if tt.id != `q"uote` && !resultLine.MatchString(raw) {
				t.Errorf("result line does not match the contract: %s", raw)
			}
			if got.ID == nil || *got.ID != tt.id {
				t.Errorf("id: want %q, got %s", tt.id, raw)
			}
			if tt.label != "" && got.Sentiment.Label != tt.label {
				t.Errorf("label: want %q, got %s", tt.label, raw)
			}
			if got.Sentiment.Score < -1 || got.Sentiment.Score > 1 {
				t.Errorf("score out of [-1, 1]: %s", raw)
			}
			if got.Features == nil {
				t.Errorf("features must be a list, never null: %s", raw)
			}
			if tt.feature != "" && !slices.Contains(got.Features, tt.feature) {
				t.Errorf("features: want %q listed, got %s", tt.feature, raw)
			}
		})
	}
}

func TestScoreReportsAnOverlongLineAndGoesOn(t *testing.T) {
	long := `{"id":"big","text":"` + strings.Repeat("a", maxScoreLine) + `"}`
	in := long + "\n" + `{"id":"after","text":"fine"}` + "\n"
	var out bytes.Buffer
	if err := scoreLines(context.Background(), newTestEnricher(t), strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"line":1,"error":"line longer than`) || !strings.HasPrefix(lines[1], `{"id":"after",`) {
		t.Fatalf("got %q", out.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("device gone") }

func TestScoreFailsOnIOErrors(t *testing.T) {
	e := newTestEnricher(t)
	if err := scoreLines(context.Background(), e, strings.NewReader(`{"id":"1","text":"x"}`+"\n"), failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write failure: got %v", err)
	}
	if err := scoreLines(context.Background(), e, failingReader{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "device gone") {
		t.Errorf("read failure: got %v", err)
	}
}

func TestScoreCommandArguments(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "posts.jsonl")
	if err := os.WriteFile(file, []byte(`{"id":7,"text":"search is broken"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		stdin   string
		wantOut string // prefix of stdout
		wantErr string // substring; "" means success
	}{
		{name: "reads a file", args: []string{file}, wantOut: `{"id":"7",`},
		{name: "reads stdin with -", args: []string{"-"}, stdin: `{"id":"s","text":"hi"}`, wantOut: `{"id":"s",`},
		{name: "reads stdin by default", stdin: `{"id":"d","text":"hi"}`, wantOut: `{"id":"d",`},
		{name: "missing file fails", args: []string{filepath.Join(dir, "nope.jsonl")}, wantErr: "nope.jsonl"},
		{name: "bad taxonomy fails", args: []string{"--taxonomy", filepath.Join(dir, "nope.yaml"), file}, wantErr: "taxonomy"},
		{name: "two files is a usage error", args: []string{file, file}, wantErr: "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := runScore(context.Background(), tt.args, strings.NewReader(tt.stdin), &out, &errb)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want error containing %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), tt.wantOut) {
				t.Errorf("stdout %q, want prefix %q", out.String(), tt.wantOut)
			}
		})
	}
}

func TestAppendJSONStringMakesValidJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // decoded value
	}{
		{"plain", "checkout", "checkout"},
		{"quotes and backslashes", `a"b\c`, `a"b\c`},
		{"control characters", "a\x00b\x1fc\n\r\t", "a\x00b\x1fc\n\r\t"},
		{"multi-byte runes", "café 🛒", "café 🛒"},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"line separators", "a\u2028b\u2029c", "a\u2028b\u2029c"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := appendJSONString(nil, []byte(tt.in))
			var got string
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("%s is not a JSON string: %v", raw, err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q (encoded %s)", got, tt.want, raw)
			}
		})
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
	if err := scoreLines(context.Background(), e, bytes.NewReader(in), &out); err != nil {
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

func BenchmarkScoreLines(b *testing.B) {
	in := synthLines(10_000)
	e := newTestEnricher(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := scoreLines(context.Background(), e, bytes.NewReader(in), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10_000), "ns/line")
}
