package loadgen

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// logEnd returns the sum of the end offsets of topic's partitions: the
// records the broker holds.
func logEnd(t *testing.T, broker, topic string, partitions int) int64 {
	t.Helper()
	var total int64
	for p := 0; p < partitions; p++ {
		conn, err := kafka.DialLeader(context.Background(), "tcp", broker, topic, p)
		if err != nil {
			t.Fatal(err)
		}
		last, err := conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		total += last
	}
	return total
}

func TestProduce(t *testing.T) {
	for _, tc := range []struct {
		name          string
		posts         int64
		every         int64
		producers     int
		wantMalformed int64
	}{
		{"every record is acknowledged once, with every hundredth malformed by default", 1000, 0, 2, 10},
		{"a custom malformed rotation is kept", 300, 7, 3, 42},
		{"more producers than records leaves the surplus idle", 3, 0, 8, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const topic, partitions = "posts", 3
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var acked atomic.Int64
			res, err := Produce(context.Background(), Options{
				Brokers: c.ListenAddrs(), Topic: topic, Posts: tc.posts,
				MalformedEvery: tc.every, Producers: tc.producers, Seed: 1, Acked: &acked,
				End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Records != tc.posts || acked.Load() != tc.posts {
				t.Fatalf("records %d, acked %d, want %d", res.Records, acked.Load(), tc.posts)
			}
			if res.Malformed != tc.wantMalformed {
				t.Fatalf("malformed %d, want %d", res.Malformed, tc.wantMalformed)
			}
			if res.Bytes <= 0 {
				t.Fatalf("bytes %d, want > 0", res.Bytes)
			}
			if n := logEnd(t, c.ListenAddrs()[0], topic, partitions); n != tc.posts {
				t.Fatalf("the topic holds %d records, want %d", n, tc.posts)
			}
		})
	}
}

func TestProduceReportsAnUnreachableTopic(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "posts"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := Produce(ctx, Options{Brokers: c.ListenAddrs(), Topic: "absent", Posts: 10}); err == nil {
		t.Fatal("Produce to a topic that does not exist succeeded")
	}
}
