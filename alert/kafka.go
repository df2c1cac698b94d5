package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/internal/kafkaerr"
)

// DefaultKafkaTopic is the topic alerts are written to unless the producer
// passed to NewKafka says otherwise.
const DefaultKafkaTopic = "social.alerts"

// Kafka writes each alert version as one record to the producer's topic:
// key = Alert.Fingerprint (so one feature's alerts stay ordered in one
// partition), value = an Envelope as JSON, headers alert-id, sequence and
// state. The producer must be synchronous (the default), so that a send
// succeeds only once the brokers acknowledged the record.
type Kafka struct {
	p KafkaWriter
}

// KafkaWriter writes records to one topic and returns once the brokers
// acknowledged them (or failed to). *stream.Producer is one.
type KafkaWriter interface {
	Write(ctx context.Context, msgs ...kafka.Message) error
}

// NewKafka returns a receiver named "kafka" writing with p, typically a
// stream.NewProducer(cc, DefaultKafkaTopic, stream.ProducerOptions{}). The
// caller keeps ownership of p and closes it after Run returns.
func NewKafka(p KafkaWriter) *Kafka { return &Kafka{p: p} }

// Name returns "kafka".
func (k *Kafka) Name() string { return "kafka" }

// Send writes a, trimmed to KafkaBudget (see Trim), and waits for the
// acknowledgement. When the producer or the topic refuses the record as too
// large (MESSAGE_TOO_LARGE), it writes the next smaller trim.
func (k *Kafka) Send(ctx context.Context, a Alert) error {
	encode := func(a Alert) ([]byte, error) {
		body, err := json.Marshal(Envelope{Version: 1, Alert: a})
		if err != nil {
			return nil, fmt.Errorf("kafka: encode: %w", err)
		}
		return body, nil
	}
	_, err := sendFitted(a, KafkaBudget, encode, func(body []byte) error {
		err := k.p.Write(ctx, kafka.Message{
			Key:   []byte(a.Fingerprint),
			Value: body,
			Time:  a.UpdatedAt,
			Headers: []kafka.Header{
				{Key: "alert-id", Value: []byte(a.ID)},
				{Key: "sequence", Value: []byte(strconv.Itoa(a.Sequence))},
				{Key: "state", Value: []byte(a.State)},
			},
		})
		if err != nil {
			return fmt.Errorf("kafka: %w", err)
		}
		return nil
	}, kafkaerr.TooLarge)
	return err
}
