package stream

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap/zaptest"
)

func TestQueueCapacityFollowsTheByteBudget(t *testing.T) {
	tests := []struct {
		name                             string
		maxBuffered, record, batch, want int
	}{
		{"default budget and 1 MiB records", 64 << 20, 1 << 20, 1000, 32},
		{"small records are capped by the batch size", 64 << 20, 1 << 10, 1000, 1000},
		{"a budget under two records still fetches one", 1 << 20, 1 << 20, 1000, 1},
		{"large records", 64 << 20, 10 << 20, 1000, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := queueCapacity(tt.maxBuffered, tt.record, tt.batch); got != tt.want {
				t.Fatalf("queueCapacity = %d, want %d", got, tt.want)
			}
		})
	}
}

// stalledHandler blocks its first Handle until released (a Redis pause)
// and records each batch's byte size.
type stalledHandler struct {
	release chan struct{}
	mu      sync.Mutex
	sizes   []int
	records int
	once    sync.Once
	stalled chan struct{}
}

func (h *stalledHandler) Assign(context.Context, string, int) (PartitionHandler, int64, error) {
	return h, -1, nil
}

func (h *stalledHandler) Handle(ctx context.Context, recs []Record) error {
	n := 0
	for i := range recs {
		n += recordBytes(&recs[i])
	}
	h.mu.Lock()
	h.sizes = append(h.sizes, n)
	h.records += len(recs)
	h.mu.Unlock()
	h.once.Do(func() {
		close(h.stalled)
		select {
		case <-h.release:
		case <-ctx.Done():
		}
	})
	return nil
}

func (h *stalledHandler) Close() {}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestConsumerBoundsBufferedBytesWhileTheHandlerStalls(t *testing.T) {
	const (
		topic       = "big-posts"
		records     = 60
		recordSize  = 900 << 10
		maxBuffered = 8 << 20
	)
	brokers := newCluster(t, topic, 1)
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: topic, BatchTimeout: time.Millisecond, BatchBytes: 2 << 20}
	value := bytes.Repeat([]byte("x"), recordSize)
	for range records {
		if err := w.WriteMessages(context.Background(), kafka.Message{Value: value}); err != nil {
			t.Fatal(err)
		}
	}
	_ = w.Close()

	h := &stalledHandler{release: make(chan struct{}), stalled: make(chan struct{})}
	c, err := NewConsumer(ClientConfig{Brokers: brokers}, ConsumerOptions{
		Group: "g", Topics: []string{topic}, BatchSize: 1000, Linger: 50 * time.Millisecond,
		MaxBufferedBytes: maxBuffered, MaxRecordBytes: 1 << 20,
		SessionTimeout: 6 * time.Second, HeartbeatInterval: 200 * time.Millisecond, Logger: zaptest.NewLogger(t),
	}, h)
	if err != nil {
		t.Fatal(err)
	}
	before := heapInUse()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	select {
	case <-h.stalled:
	case <-time.After(30 * time.Second):
		t.Fatal("no batch handled")
	}
	time.Sleep(2 * time.Second) // let the reader fetch ahead as far as it will
	during := heapInUse()
	close(h.release)
	waitFor(t, "every record handled", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.records == records
	})

	grew := int64(during) - int64(before)
	t.Logf("heap grew %d MiB while the handler stalled (%d MiB of records in the topic, budget %d MiB)",
		grew>>20, records*recordSize>>20, maxBuffered>>20)
	// The budget, one fetch response (8 MiB) and the broker's side of it; the
	// 54 MB in the topic would all be buffered without a byte bound.
	if limit := int64(maxBuffered) + 24<<20; grew > limit {
		t.Errorf("heap grew %d MiB, over %d MiB", grew>>20, limit>>20)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range h.sizes {
		if n > maxBuffered/2+recordSize {
			t.Errorf("a batch of %d bytes, over half the budget plus one record", n)
		}
	}
}
