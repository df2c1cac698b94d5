package stream_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/internal/testenv"
	"github.com/socialpulse/socialpulse/stream"
)

// TestProducerBatchesFitTheTopic checks, against a real broker, that a
// producer's batches stay within what a topic accepts: concurrent writes
// to one partition that add up to several MiB (and that the producer would
// otherwise merge into one batch) land in a topic with the default 1 MiB
// limit, a record over MaxBytes is refused before it is sent, and a topic
// with a raised limit takes records up to a raised MaxBytes.
func TestProducerBatchesFitTheTopic(t *testing.T) {
	brokers := testenv.KafkaBrokers(t)
	cc := stream.ClientConfig{Brokers: brokers, ClientID: "socialpulse-test"}

	t.Run("concurrent writes of several MiB land in a default topic", func(t *testing.T) {
		topic := testenv.UniqueName(t, "batches")
		createTopic(t, brokers[0], topic, 1)
		p, err := stream.NewProducer(cc, topic, stream.ProducerOptions{Linger: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		const writers, perWrite, valueBytes = 8, 400, 1500 // 4.8 MB in all
		value := make([]byte, valueBytes)
		for i := range value {
			value[i] = 'a' + byte(i%26)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				msgs := make([]kafka.Message, perWrite)
				for i := range msgs {
					msgs[i] = kafka.Message{Key: []byte(fmt.Sprintf("%d-%d", w, i)), Value: value}
				}
				errs <- p.Write(ctx, msgs...)
			}()
		}
		wg.Wait()
		close(errs)
		t.Logf("written in %v", time.Since(start).Round(time.Millisecond))
		for err := range errs {
			if err != nil {
				t.Fatalf("write refused: %v", err)
			}
		}
		seen := readKeys(t, brokers, topic, writers*perWrite)
		for w := range writers {
			for i := range perWrite {
				if k := fmt.Sprintf("%d-%d", w, i); seen[k] != 1 {
					t.Fatalf("record %s stored %d times, want once", k, seen[k])
				}
			}
		}
	})

	t.Run("record over MaxBytes is refused before it is sent", func(t *testing.T) {
		topic := testenv.UniqueName(t, "toolarge")
		createTopic(t, brokers[0], topic, 1)
		p, err := stream.NewProducer(cc, topic, stream.ProducerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err = p.Write(ctx, kafka.Message{Value: make([]byte, stream.DefaultMaxBytes+1)})
		var mtl kafka.MessageTooLargeError
		if !errors.As(err, &mtl) {
			t.Fatalf("write of a record over MaxBytes: %v, want a kafka.MessageTooLargeError", err)
		}
	})

	t.Run("raised MaxBytes writes large records to a topic with a raised limit", func(t *testing.T) {
		const limit = 4 << 20
		topic := testenv.UniqueName(t, "raised")
		createTopic(t, brokers[0], topic, 1, kafka.ConfigEntry{ConfigName: "max.message.bytes", ConfigValue: strconv.Itoa(limit)})
		p, err := stream.NewProducer(cc, topic, stream.ProducerOptions{MaxBytes: limit})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.Write(ctx, kafka.Message{Key: []byte("big"), Value: make([]byte, 3<<20)}); err != nil {
			t.Fatalf("write of a 3 MiB record under a 4 MiB limit: %v", err)
		}
	})
}

// readKeys reads want records from the start of topic's partition 0 and
// counts each key.
func readKeys(t *testing.T, brokers []string, topic string, want int) map[string]int {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: 0, MaxBytes: 8 << 20, MaxWait: 200 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seen := make(map[string]int, want)
	for n := 0; n < want; n++ {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read record %d of %d: %v", n+1, want, err)
		}
		seen[string(m.Key)]++
	}
	return seen
}
