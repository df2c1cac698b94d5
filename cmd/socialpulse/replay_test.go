package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/goleak"
)

// verifyNoLeaks checks, after every other cleanup of t, that t started no
// goroutine that is still running.
func verifyNoLeaks(t *testing.T) {
	t.Helper()
	opts := []goleak.Option{goleak.IgnoreCurrent()}
	t.Cleanup(func() { goleak.VerifyNone(t, opts...) })
}

// newKafka starts an in-process Kafka with a one-partition topic, so
// consumed records keep the file's order.
func newKafka(t *testing.T, topic string) string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

type record struct{ key, value string }

// consume reads n records from topic, failing after 10s.
func consume(t *testing.T, broker, topic string, n int) []record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("got %d records, want %d: %v", len(out), n, ctx.Err())
		}
		fs.EachError(func(_ string, _ int32, err error) { t.Logf("fetch: %v", err) })
		fs.EachRecord(func(r *kgo.Record) {
			k := "<none>"
			if r.Key != nil {
				k = string(r.Key)
			}
			out = append(out, record{k, string(r.Value)})
		})
	}
	return out
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "posts.jsonl")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReplayProducesEachLineUnchangedKeyedByID(t *testing.T) {
	verifyNoLeaks(t)
	const topic = "replay.test"
	broker := newKafka(t, topic)
	oversized := `{"id":"huge","text":"` + strings.Repeat("x", maxReplayLine) + `"}`
	file := writeFile(t, strings.Join([]string{
		`{"id":"p1","text":"checkout is down"}`,
		``,
		`{"id":42,"text":"numeric id"}`,
		`  {"text":"no id", "id":null}`,
		oversized,
		`not json at all`,
		"   ",
		`{"id":"crlf","text":"windows"}` + "\r",
		`{"id":"last","text":"no newline"}`,
	}, "\n"))
	want := []record{
		{"p1", `{"id":"p1","text":"checkout is down"}`},
		{"42", `{"id":42,"text":"numeric id"}`},
		{"<none>", `  {"text":"no id", "id":null}`},
		{"<none>", `not json at all`},
		{"crlf", `{"id":"crlf","text":"windows"}`},
		{"last", `{"id":"last","text":"no newline"}`},
	}

	var stdout, stderr bytes.Buffer
	err := runReplay(context.Background(), []string{"--brokers", broker, "--topic", topic, file}, nil, &stdout, &stderr)
	if err != nil {
		t.Fatalf("replay: %v\nstderr: %s", err, stderr.String())
	}
	got := consume(t, broker, topic, len(want))
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d: got key %q value %.80q, want key %q value %.80q", i, got[i].key, got[i].value, want[i].key, want[i].value)
		}
	}
	summary := stdout.String()
	for _, s := range []string{"produced 6 records from 9 lines", "skipped 2 empty and 1 over"} {
		if !strings.Contains(summary, s) {
			t.Errorf("summary %q lacks %q", summary, s)
		}
	}
	if !strings.Contains(stderr.String(), "line 5: ") {
		t.Errorf("the oversized line is not reported on stderr: %q", stderr.String())
	}
}

func TestReplayReadsStdinAndPacesToTheRate(t *testing.T) {
	verifyNoLeaks(t)
	const topic = "replay.rate"
	broker := newKafka(t, topic)
	const n, rate = 21, 100.0
	var in strings.Builder
	for i := range n {
		in.WriteString(`{"id":"r` + string(rune('a'+i)) + `","text":"t"}` + "\n")
	}
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err := runReplay(context.Background(), []string{"--brokers", broker, "--topic", topic, "--rate", "100", "-"},
		strings.NewReader(in.String()), &stdout, &stderr)
	if err != nil {
		t.Fatalf("replay: %v\nstderr: %s", err, stderr.String())
	}
	// n records at rate/s cannot take less than (n-1)/rate seconds.
	if el, least := time.Since(start), time.Duration(float64(n-1)/rate*float64(time.Second)); el < least {
		t.Errorf("replayed %d records in %v; the rate allows no less than %v", n, el, least)
	}
	if got := consume(t, broker, topic, n); len(got) != n || got[0].key != "ra" {
		t.Errorf("got %d records, first %v", len(got), got[0])
	}
}

func TestReplayArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no file", nil, "usage"},
		{"two files", []string{"a", "b"}, "usage"},
		{"negative rate", []string{"--rate", "-1", "f"}, "usage"},
		{"empty brokers", []string{"--brokers", " , ", "f"}, "usage"},
		{"missing file", []string{"--brokers", "127.0.0.1:1", filepath.Join(t.TempDir(), "nope.jsonl")}, "nope.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := runReplay(context.Background(), tt.args, strings.NewReader(""), &out, &errb)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want error containing %q, got %v", tt.want, err)
			}
		})
	}
}

func TestProgressLineShowsPercentAndETAOnlyWhenTheSizeIsKnown(t *testing.T) {
	tests := []struct {
		name            string
		consumed, total int64
		want            string
	}{
		{"size unknown", 500, 0, "replay: 1000 lines, 990 produced, 495 posts/s"},
		{"a quarter done", 250, 1000, "replay: 1000 lines, 990 produced, 495 posts/s, 25%, ETA 6s"},
		{"done", 1000, 1000, "replay: 1000 lines, 990 produced, 495 posts/s, 100%, ETA 0s"},
		{"nothing read yet", 0, 1000, "replay: 1000 lines, 990 produced, 495 posts/s, 0%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progressLine(1000, 990, tt.consumed, tt.total, 2*time.Second); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProgressRedrawsOnATerminalAndPrintsLinesOtherwise(t *testing.T) {
	clock := time.Unix(0, 0)
	for _, tty := range []bool{true, false} {
		var w bytes.Buffer
		p := newProgress(&w, tty, 0)
		p.now = func() time.Time { return clock }
		p.start, p.last = clock, clock
		for i := 1; i <= 40; i++ { // 10s in steps of 250ms
			clock = clock.Add(250 * time.Millisecond)
			p.update(i, i, 0, false)
		}
		p.finish()
		out := w.String()
		if tty {
			if n := strings.Count(out, "\r\033[K"); n != 40 {
				t.Errorf("terminal: %d redraws in 10s, want 40 (4 a second)", n)
			}
			if strings.Count(out, "\n") != 1 {
				t.Errorf("terminal: want one final newline, got %q", out)
			}
			continue
		}
		if strings.Contains(out, "\r") || strings.Count(out, "\n") != 2 {
			t.Errorf("not a terminal: want 2 plain lines in 10s, got %q", out)
		}
	}
}

func TestLineReaderSplitsLines(t *testing.T) {
	type line struct {
		text string
		size int // for lines over the limit
	}
	tests := []struct {
		name string
		in   string
		max  int
		want []line
	}{
		{"LF and CRLF", "a\r\nb\nc", 10, []line{{"a", 0}, {"b", 0}, {"c", 0}}},
		{"trailing newline adds no line", "a\n", 10, []line{{"a", 0}}},
		{"empty lines are kept", "\n\nx\n", 10, []line{{"", 0}, {"", 0}, {"x", 0}}},
		{"line at the limit", "12345\n", 5, []line{{"12345", 0}}},
		{"line over the limit", "123456\nok\n", 5, []line{{"", 7}, {"ok", 0}}},
		{"lines longer than the buffer", strings.Repeat("y", 200<<10) + "\nz", 300 << 10, []line{{strings.Repeat("y", 200<<10), 0}, {"z", 0}}},
		{"over the limit and longer than the buffer", strings.Repeat("y", 200<<10) + "\nz", 100 << 10, []line{{"", 200<<10 + 1}, {"z", 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newLineReader(strings.NewReader(tt.in), tt.max)
			var got []line
			for {
				l, size, err := r.next()
				if err != nil {
					break
				}
				if l == nil {
					got = append(got, line{"", size})
				} else {
					got = append(got, line{string(l), 0})
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d lines, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("line %d: got %.20q (size %d), want %.20q (size %d)", i, got[i].text, got[i].size, tt.want[i].text, tt.want[i].size)
				}
			}
			if r.consumed != int64(len(tt.in)) {
				t.Errorf("consumed %d bytes of %d", r.consumed, len(tt.in))
			}
		})
	}
}

func TestReplaySummarySaysWhenItStoppedEarly(t *testing.T) {
	start := time.Now()
	r := &replayer{lines: 500, produced: 0, progress: &progress{start: start}, now: func() time.Time { return start.Add(time.Second) }}
	if got := r.summary(true); !strings.Contains(got, "stopped after reading 500 lines") || !strings.Contains(got, "0 records were produced") {
		t.Fatalf("summary after an error = %q", got)
	}
	r.produced = 500
	if got := r.summary(false); !strings.Contains(got, "produced 500 records from 500 lines") {
		t.Fatalf("summary = %q", got)
	}
}
