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

	"github.com/socialpulse/socialpulse/replay"
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
	oversized := `{"id":"huge","text":"` + strings.Repeat("x", replay.MaxLine) + `"}`
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
