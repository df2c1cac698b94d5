package stream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The test's own producer uses kafka-go's shared default transport.
		goleak.IgnoreTopFunction("github.com/segmentio/kafka-go.(*connPool).discover"),
		goleak.IgnoreTopFunction("github.com/segmentio/kafka-go.(*conn).run"),
	)
}

func newCluster(t testing.TB, topic string, partitions int) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(int32(partitions), topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// recordingHandler remembers what each partition saw.
type recordingHandler struct {
	mu       sync.Mutex
	start    map[int]int64   // offset returned by Assign
	seen     map[int][]int64 // offsets handled, per partition
	failOnce map[int]bool    // fail the first Handle of these partitions
	assigns  map[int]int     // number of Assign calls
	closed   map[int]int     // number of Close calls
}

func newRecordingHandler() *recordingHandler {
	return &recordingHandler{start: map[int]int64{}, seen: map[int][]int64{}, failOnce: map[int]bool{}, assigns: map[int]int{}, closed: map[int]int{}}
}

func (h *recordingHandler) Assign(_ context.Context, _ string, p int) (PartitionHandler, int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.assigns[p]++
	start, ok := h.start[p]
	if !ok {
		start = -1
	}
	return &recordingPartition{h: h, p: p}, start, nil
}

func (h *recordingHandler) offsets(p int) []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]int64(nil), h.seen[p]...)
}

func (h *recordingHandler) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, s := range h.seen {
		n += len(s)
	}
	return n
}

type recordingPartition struct {
	h *recordingHandler
	p int
}

func (rp *recordingPartition) Handle(_ context.Context, recs []Record) error {
	rp.h.mu.Lock()
	defer rp.h.mu.Unlock()
	if rp.h.failOnce[rp.p] {
		rp.h.failOnce[rp.p] = false
		return errors.New("injected failure")
	}
	for _, r := range recs {
		if r.Partition != rp.p {
			panic("record from another partition")
		}
		rp.h.seen[rp.p] = append(rp.h.seen[rp.p], r.Offset)
	}
	return nil
}

func (rp *recordingPartition) Close() {
	rp.h.mu.Lock()
	rp.h.closed[rp.p]++
	rp.h.mu.Unlock()
}

func produce(t *testing.T, brokers []string, topic string, perPartition, partitions int) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: topic, Balancer: byPartitionField{}, BatchTimeout: time.Millisecond}
	defer w.Close()
	var msgs []kafka.Message
	for p := range partitions {
		for i := range perPartition {
			msgs = append(msgs, kafka.Message{Partition: p, Value: []byte(fmt.Sprintf("p%d-%d", p, i))})
		}
	}
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
}

// byPartitionField sends each message to the partition it names.
type byPartitionField struct{}

func (byPartitionField) Balance(m kafka.Message, _ ...int) int { return m.Partition }

func runConsumer(t *testing.T, brokers []string, topic string, h Handler, reg prometheus.Registerer) (stop func()) {
	t.Helper()
	c, err := NewConsumer(ClientConfig{Brokers: brokers}, ConsumerOptions{
		Group: "g", Topics: []string{topic}, BatchSize: 7, Linger: 5 * time.Millisecond,
		SessionTimeout: 6 * time.Second, HeartbeatInterval: 200 * time.Millisecond,
		Registerer: reg, Logger: zaptest.NewLogger(t),
	}, h)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConsumerDeliversEachPartitionInOrderFromTheHandlersOffset(t *testing.T) {
	const topic, partitions, per = "posts", 3, 40
	brokers := newCluster(t, topic, partitions)
	produce(t, brokers, topic, per, partitions)

	h := newRecordingHandler()
	h.start[1] = 25 // partition 1 was applied up to 24 before: resume at 25
	stop := runConsumer(t, brokers, topic, h, prometheus.NewRegistry())
	waitFor(t, "all records", func() bool { return h.total() == per+(per-25)+per })
	stop()

	for p := range partitions {
		got := h.offsets(p)
		first := int64(0)
		if p == 1 {
			first = 25
		}
		for i, off := range got {
			if off != first+int64(i) {
				t.Fatalf("partition %d: offsets %v are not in order from %d", p, got, first)
			}
		}
		if h.closed[p] != h.assigns[p] {
			t.Errorf("partition %d assigned %d times, closed %d", p, h.assigns[p], h.closed[p])
		}
	}
}

func TestHandlerFailureRestartsThePartitionWithoutLosingRecords(t *testing.T) {
	const topic = "posts"
	brokers := newCluster(t, topic, 1)
	produce(t, brokers, topic, 20, 1)
	h := newRecordingHandler()
	h.failOnce[0] = true
	stop := runConsumer(t, brokers, topic, h, nil)
	waitFor(t, "records after the failure", func() bool { return h.total() == 20 })
	stop()
	got := h.offsets(0)
	for i, off := range got {
		if off != int64(i) {
			t.Fatalf("offsets after a failed batch: %v", got)
		}
	}
	if h.assigns[0] < 2 {
		t.Fatalf("partition assigned %d times; a failed batch must end the session", h.assigns[0])
	}
}

func TestNewConsumerRejectsBadOptions(t *testing.T) {
	h := newRecordingHandler()
	cc := ClientConfig{Brokers: []string{"k:9092"}}
	tests := []struct {
		name string
		cc   ClientConfig
		o    ConsumerOptions
		h    Handler
	}{
		{"no brokers", ClientConfig{}, ConsumerOptions{Group: "g", Topics: []string{"t"}}, h},
		{"no group", cc, ConsumerOptions{Topics: []string{"t"}}, h},
		{"no topics", cc, ConsumerOptions{Group: "g"}, h},
		{"no handler", cc, ConsumerOptions{Group: "g", Topics: []string{"t"}}, nil},
		{"bad start offset", cc, ConsumerOptions{Group: "g", Topics: []string{"t"}, StartOffset: 5}, h},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewConsumer(tt.cc, tt.o, tt.h); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// An idle partition's last batch is committed once CommitInterval passes,
// without waiting for more records, so lag monitoring sees it.
func TestIdlePartitionCommitsItsLastBatch(t *testing.T) {
	const topic = "posts"
	brokers := newCluster(t, topic, 1)
	produce(t, brokers, topic, 15, 1)
	h := newRecordingHandler()
	c, err := NewConsumer(ClientConfig{Brokers: brokers}, ConsumerOptions{
		Group: "g", Topics: []string{topic}, BatchSize: 100, Linger: 5 * time.Millisecond,
		// The second batch arrives well within the interval after the
		// first commit, so only the idle flush can commit it.
		CommitInterval: 2 * time.Second,
		SessionTimeout: 6 * time.Second, HeartbeatInterval: 200 * time.Millisecond, Logger: zaptest.NewLogger(t),
	}, h)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	waitFor(t, "first records", func() bool { return h.total() == 15 })
	produce(t, brokers, topic, 5, 1) // a second batch right after the first commit
	waitFor(t, "second records", func() bool { return h.total() == 20 })
	client := &kafka.Client{Addr: kafka.TCP(brokers...)}
	waitFor(t, "the idle commit", func() bool {
		resp, err := client.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{GroupID: "g", Topics: map[string][]int{topic: {0}}})
		if err != nil || len(resp.Topics[topic]) == 0 {
			return false
		}
		return resp.Topics[topic][0].CommittedOffset == 20
	})
}
