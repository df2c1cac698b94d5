package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/stream"
)

// limitedTopic is a Writer that, like a Kafka topic with max.message.bytes
// set to limit, refuses a write whose records add up to more than limit.
type limitedTopic struct {
	mu      sync.Mutex
	limit   int
	msgs    []kafka.Message
	refused int
}

func (w *limitedTopic) Write(_ context.Context, msgs ...kafka.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for i := range msgs {
		n += messageBytes(&msgs[i])
	}
	if n > w.limit {
		w.refused++
		errs := make(kafka.WriteErrors, len(msgs))
		for i := range errs {
			errs[i] = kafka.MessageSizeTooLarge
		}
		return fmt.Errorf("produce %d records: %w", len(msgs), errs)
	}
	w.msgs = append(w.msgs, msgs...)
	return nil
}

func newLimitedProcessor(t *testing.T, f *fixture, dlq, scored Writer) *Processor {
	t.Helper()
	p, err := New(Options{Store: f.store, Enricher: f.proc.o.Enricher, DLQ: dlq, Scored: scored,
		RetryMax: time.Millisecond, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func badText(id string, n int) string {
	return `{"id":"` + id + `","text":"` + strings.Repeat("x", n) + `"}`
}

func TestDeadLettersTooLargeForTheTopicAreCutInsteadOfStalling(t *testing.T) {
	const limit = 1 << 20
	f := newFixture(t)
	dlq := &limitedTopic{limit: limit}
	p := newLimitedProcessor(t, f, dlq, &recorder{})
	ph, _, err := p.Assign(context.Background(), "posts", 0)
	if err != nil {
		t.Fatal(err)
	}
	huge := rec(3, badText("3", 2<<20))
	huge.Key = []byte("k3")
	huge.Headers = []kafka.Header{{Key: "trace", Value: []byte("abc")}, {Key: HeaderReason, Value: []byte("spoofed")}}
	in := []stream.Record{
		rec(0, `nope`),
		rec(1, badText("1", 600<<10)), // 600 KiB each: together over the limit, each fits
		rec(2, badText("2", 600<<10)),
		huge, // over the limit on its own
		rec(4, `{"id":"4","text":"fine"}`),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ph.Handle(ctx, in); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if off, _ := f.store.Offset(ctx, ph.(*partition).src); off != 4 {
		t.Fatalf("stored offset %d, want 4: the batch did not complete", off)
	}
	if len(dlq.msgs) != 4 {
		t.Fatalf("dead letters = %d, want 4, each once", len(dlq.msgs))
	}
	for i, m := range dlq.msgs[:3] {
		h := headers(m)
		if h[HeaderOffset] != strconv.Itoa(i) || string(m.Value) != string(in[i].Value) {
			t.Errorf("dead letter %d = offset %s, %d bytes; want offset %d whole", i, h[HeaderOffset], len(m.Value), i)
		}
		if _, ok := h[HeaderTruncated]; ok {
			t.Errorf("dead letter %d marked truncated although it fits", i)
		}
	}
	cut := dlq.msgs[3]
	h := headers(cut)
	if h[HeaderTruncated] != strconv.Itoa(len(huge.Value)) || len(cut.Value) != deadLetterCutBytes ||
		string(cut.Value) != string(huge.Value[:deadLetterCutBytes]) || string(cut.Key) != "k3" {
		t.Errorf("cut dead letter: truncated=%q, %d bytes, key %q", h[HeaderTruncated], len(cut.Value), cut.Key)
	}
	if h[HeaderReason] != "too_large" || h[HeaderOffset] != "3" || h[HeaderTopic] != "posts" || h[HeaderError] == "" || h[HeaderTimestamp] == "" {
		t.Errorf("cut dead letter lost its own headers: %v", h)
	}
	if _, ok := h["trace"]; ok || len(cut.Headers) != len(ownHeaders)+1 {
		t.Errorf("cut dead letter kept the record's headers: %v", cut.Headers)
	}
	if got := counterValue(p.m.DeadLettersCut); got != 1 {
		t.Errorf("dead_letters_cut_total = %v, want 1", got)
	}
}

func TestDeadLettersAlreadyWrittenAreNotRepeatedOnRetry(t *testing.T) {
	f := newFixture(t)
	dlq := &flakyAfter{limitedTopic: limitedTopic{limit: 1 << 20}, failAt: 3}
	p := newLimitedProcessor(t, f, dlq, &recorder{})
	ph, _, _ := p.Assign(context.Background(), "posts", 0)
	in := []stream.Record{rec(0, badText("0", 600<<10)), rec(1, badText("1", 600<<10)), rec(2, `nope`)}
	if err := ph.Handle(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if len(dlq.msgs) != 3 {
		t.Fatalf("dead letters = %d, want 3 (none repeated by the retry)", len(dlq.msgs))
	}
}

// flakyAfter fails its failAt-th write with a transient error. With failAt
// 3: the batch is refused as too large, record 0 is written alone, record 1
// fails; the retry must start at record 1.
type flakyAfter struct {
	limitedTopic
	writes, failAt int
}

func (w *flakyAfter) Write(ctx context.Context, msgs ...kafka.Message) error {
	w.writes++
	if w.writes == w.failAt {
		return errors.New("leader not available")
	}
	return w.limitedTopic.Write(ctx, msgs...)
}

func TestEnrichedCopyTooLargeForTheTopicIsDroppedAndThePostCounted(t *testing.T) {
	f := newFixture(t)
	// Every field of a post is bounded at decode time, so only a topic
	// limit below the largest enriched copy (text of max_text_bytes) drops one.
	out := &limitedTopic{limit: 16 << 10}
	p := newLimitedProcessor(t, f, &recorder{}, out)
	ph, _, _ := p.Assign(context.Background(), "posts", 0)
	in := []stream.Record{
		rec(0, `{"id":"0","text":"login works"}`),
		rec(1, `{"id":"1","text":"login works `+strings.Repeat("x ", 10<<10)+`"}`),
		rec(2, `{"id":"2","text":"login works"}`),
	}
	if err := ph.Handle(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if got := f.window(t).Rows["login"].Total().Count; got != 3 {
		t.Errorf("login counted %d times, want 3", got)
	}
	if len(out.msgs) != 2 || counterValue(p.m.EnrichedDropped) != 1 {
		t.Errorf("enriched copies = %d, dropped = %v; want 2, 1", len(out.msgs), counterValue(p.m.EnrichedDropped))
	}
}

func TestTooLargeRecognisesSizeRefusals(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("produce: %w", kafka.WriteErrors{nil, kafka.MessageSizeTooLarge}), true},
		{fmt.Errorf("produce: %w", kafka.WriteErrors{kafka.RecordListTooLarge}), true},
		{fmt.Errorf("produce: %w", kafka.MessageTooLargeError{}), true},
		{fmt.Errorf("produce: %w", kafka.WriteErrors{kafka.LeaderNotAvailable, nil}), false},
		{errors.New("message too large"), false},
	} {
		if got := tooLarge(c.err); got != c.want {
			t.Errorf("tooLarge(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

func TestSampleTextIsCutAtACharacterBoundary(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int // length of the result in bytes
	}{
		{"short text is kept", "checkout broken", len("checkout broken")},
		{"text at the limit is kept", strings.Repeat("a", MaxSampleTextBytes), MaxSampleTextBytes},
		{"long text is cut with an ellipsis", strings.Repeat("a", 300_000), MaxSampleTextBytes},
		{"multi-byte text is not split", strings.Repeat("é", 1000), MaxSampleTextBytes - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sampleText(tt.in)
			if len(got) != tt.want || !utf8.ValidString(got) {
				t.Fatalf("sampleText: %d bytes (valid UTF-8: %v), want %d", len(got), utf8.ValidString(got), tt.want)
			}
		})
	}
}
