package stream_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/internal/testenv"
	"github.com/socialpulse/socialpulse/stream"
)

// TestReadHistory checks, against a real broker, that ReadHistory reads a
// topic's records from a time to the end each partition had when it was
// called, over every partition (an empty one included), no more than Max,
// and names a topic that does not exist.
func TestReadHistory(t *testing.T) {
	brokers := testenv.KafkaBrokers(t)
	cc := stream.ClientConfig{Brokers: brokers, ClientID: "socialpulse-test"}
	topic := testenv.UniqueName(t, "history")
	createTopic(t, brokers[0], topic, 3)
	now := time.Now()
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: topic, Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var msgs []kafka.Message
	for i := range 20 { // 10 from ten days ago, then 10 from the last hour, on two of the three partitions
		at := now.Add(-10 * 24 * time.Hour)
		if i >= 10 {
			at = now.Add(-time.Hour)
		}
		msgs = append(msgs, kafka.Message{Key: []byte(fmt.Sprint(i % 2)), Value: []byte(fmt.Sprintf(`{"id":"%d"}`, i)), Time: at.Add(time.Duration(i) * time.Second)})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}

	read := func(o stream.HistoryOptions) ([]string, error) {
		var got []string
		_, err := stream.ReadHistory(ctx, cc, topic, o, func(v []byte) error {
			got = append(got, string(v))
			return nil
		})
		return got, err
	}
	for _, tt := range []struct {
		name string
		o    stream.HistoryOptions
		want int
	}{
		{"everything retained", stream.HistoryOptions{Idle: time.Second}, 20},
		{"the last week", stream.HistoryOptions{Since: now.Add(-7 * 24 * time.Hour), Idle: time.Second}, 10},
		{"no more than Max", stream.HistoryOptions{Max: 3, Idle: time.Second}, 3},
		{"nothing after now", stream.HistoryOptions{Since: now.Add(time.Minute), Idle: time.Second}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := read(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("read %d records, want %d: %v", len(got), tt.want, got)
			}
			if !tt.o.Since.IsZero() {
				for _, v := range got {
					var id int
					fmt.Sscanf(v, `{"id":"%d"}`, &id)
					if id < 10 {
						t.Errorf("read %s, from before Since", v)
					}
				}
			}
		})
	}

	t.Run("the history is fixed when it is opened", func(t *testing.T) {
		h, err := stream.OpenHistory(ctx, cc, topic, stream.HistoryOptions{Since: now.Add(-7 * 24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if n := h.Offsets(); n != 10 {
			t.Fatalf("Offsets() = %d, want the 10 of the last week", n)
		}
	})

	t.Run("records written after the call are not waited for", func(t *testing.T) {
		n := 0
		_, err := stream.ReadHistory(ctx, cc, topic, stream.HistoryOptions{Idle: time.Second}, func([]byte) error {
			if n++; n == 1 {
				if err := w.WriteMessages(ctx, kafka.Message{Key: []byte("0"), Value: []byte(`{"id":"late"}`)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || n != 20 {
			t.Fatalf("read %d records (%v), want the 20 there were when it started", n, err)
		}
	})

	t.Run("a topic that does not exist is named", func(t *testing.T) {
		_, err := stream.ReadHistory(ctx, cc, topic+"-missing", stream.HistoryOptions{}, func([]byte) error { return nil })
		if err == nil || !strings.Contains(err.Error(), topic+"-missing") {
			t.Fatalf("err %v, want one naming the topic", err)
		}
	})
}
