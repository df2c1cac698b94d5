package alert

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/internal/testenv"
	"github.com/socialpulse/socialpulse/stream"
)

func TestKafkaWritesOneRecordKeyedByFingerprint(t *testing.T) {
	brokers := testenv.KafkaBrokers(t)
	topic := testenv.UniqueName(t, "social.alerts")
	p, err := stream.NewProducer(stream.ClientConfig{Brokers: brokers}, topic, stream.ProducerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := testAlert("checkout", t0, 1)
	k := NewKafka(p)
	// The topic is created on first write; early metadata may lack a leader.
	var sendErr error
	eventually(t, 30*time.Second, "record written", func() bool {
		sendErr = k.Send(ctx, a)
		return sendErr == nil
	})

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: 0, MaxWait: 200 * time.Millisecond})
	defer r.Close()
	conn, err := kafka.DialLeader(ctx, "tcp", brokers[0], topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(topic)
	_ = conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 1 {
		t.Skipf("topic %s has %d partitions; this test reads partition 0 only", topic, len(parts))
	}
	m, err := r.ReadMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Key) != a.Fingerprint {
		t.Errorf("key %q, want fingerprint %q", m.Key, a.Fingerprint)
	}
	var env Envelope
	if err := json.Unmarshal(m.Value, &env); err != nil || env.Alert.ID != a.ID || env.Alert.Sequence != 1 {
		t.Fatalf("value %s: %v", m.Value, err)
	}
	hdr := map[string]string{}
	for _, h := range m.Headers {
		hdr[h.Key] = string(h.Value)
	}
	if hdr["alert-id"] != a.ID || hdr["sequence"] != "1" || hdr["state"] != "firing" {
		t.Errorf("headers %v", hdr)
	}
	if lag, err := r.ReadLag(ctx); err != nil || lag != 0 {
		t.Errorf("lag after one record = %d, %v; want exactly one record", lag, err)
	}
}

func TestKafkaSendsATrimmedRecordWhenTheFullOneIsTooLarge(t *testing.T) {
	brokers := testenv.KafkaBrokers(t)
	topic := testenv.UniqueName(t, "social.alerts")
	const limit = 8 << 10
	p, err := stream.NewProducer(stream.ClientConfig{Brokers: brokers}, topic, stream.ProducerOptions{MaxBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := hugeAlert()
	k := NewKafka(p)
	var sendErr error
	eventually(t, 30*time.Second, "trimmed record written", func() bool {
		sendErr = k.Send(ctx, a)
		return sendErr == nil
	})
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: 0, MaxWait: 200 * time.Millisecond})
	defer r.Close()
	m, err := r.ReadMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var env Envelope
	if err := json.Unmarshal(m.Value, &env); err != nil || env.Alert.ID != a.ID {
		t.Fatalf("value of %d bytes: %v", len(m.Value), err)
	}
	if len(m.Value) > limit || len(env.Alert.Evidence.Samples) >= len(a.Evidence.Samples) {
		t.Fatalf("record of %d bytes with %d samples, want a trimmed one under %d bytes", len(m.Value), len(env.Alert.Evidence.Samples), limit)
	}
}
