package pipeline

import (
	"context"
	"strconv"
	"sync"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/stream"
)

// Outputs larger than a topic accepts.
//
// Kafka refuses a record batch over the topic's max.message.bytes (1 MiB by
// default) with MESSAGE_TOO_LARGE, and retrying the same write never helps:
// the partition would stall. A dead letter is the whole record plus headers,
// so one can be too large for the dead-letter topic although the record fit
// the input topic (whose limit may also have been raised), and a batch of
// dead letters or enriched copies can be too large although each fits.
//
// The producers keep their batches within kafka.max_message_bytes (1 MiB by
// default), so with that at or below the topics' limits a batch is refused
// only when one of its records is too large by itself, or when record
// overheads push it a few bytes over. A refused batch is written again one
// record at a time, while no other partition of this process writes to the
// same topic: the producer batches concurrent writes together, so only a
// record refused alone is too large by itself. A dead letter refused alone
// is cut (cutDeadLetter): it keeps the first deadLetterCutBytes of the value
// and says so in HeaderTruncated; the whole record stays at its origin until
// the input topic's retention removes it. An enriched copy refused alone is
// dropped, counted in socialpulse_pipeline_enriched_dropped_total; the post
// is still counted.

const (
	// deadLetterCutBytes is how much of a record's value a cut dead letter keeps.
	deadLetterCutBytes = 64 << 10
	// deadLetterCutKeyBytes is how much of the key a cut dead letter keeps.
	deadLetterCutKeyBytes = 1 << 10
)

// outputLock makes a record written alone really alone on its producer:
// batch writes share it, the one-at-a-time fallback holds it exclusively.
type outputLock struct{ sync.RWMutex }

// tooLarge reports whether err says a record or record batch was over a
// size limit of the producer or the topic.
func tooLarge(err error) bool { return stream.TooLarge(err) }

// messageBytes is the size of m's key, value and headers.
func messageBytes(m *kafka.Message) int {
	n := len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

// ownHeaders are the headers deadLetter adds, which a cut dead letter keeps.
var ownHeaders = []string{HeaderReason, HeaderError, HeaderTopic, HeaderPartition, HeaderOffset, HeaderTimestamp}

// cutDeadLetter returns m with its value and key cut, the record's own
// headers dropped (only ours are kept: they name the origin) and
// HeaderTruncated set to the value's original length.
func cutDeadLetter(m *kafka.Message) kafka.Message {
	c := kafka.Message{Key: m.Key, Value: m.Value}
	if len(c.Key) > deadLetterCutKeyBytes {
		c.Key = c.Key[:deadLetterCutKeyBytes]
	}
	if len(c.Value) > deadLetterCutBytes {
		c.Value = c.Value[:deadLetterCutBytes]
	}
	for _, k := range ownHeaders {
		// Ours come after the record's own, which may reuse our names.
		for i := len(m.Headers) - 1; i >= 0; i-- {
			if m.Headers[i].Key == k {
				c.Headers = append(c.Headers, m.Headers[i])
				break
			}
		}
	}
	c.Headers = append(c.Headers, kafka.Header{Key: HeaderTruncated, Value: strconv.AppendInt(nil, int64(len(m.Value)), 10)})
	return c
}

// writeDeadLetters produces the batch's dead letters not yet acknowledged
// (a retry does not repeat those that were), falling back as described above.
func (h *partition) writeDeadLetters(ctx context.Context) error {
	if h.dlqSent == len(h.dlq) {
		return nil
	}
	h.p.dlqLock.RLock()
	err := h.p.o.DLQ.Write(ctx, h.dlq[h.dlqSent:]...)
	h.p.dlqLock.RUnlock()
	if err == nil || !tooLarge(err) {
		if err == nil {
			h.dlqSent = len(h.dlq)
		}
		return err
	}
	h.p.dlqLock.Lock()
	defer h.p.dlqLock.Unlock()
	for ; h.dlqSent < len(h.dlq); h.dlqSent++ {
		m := &h.dlq[h.dlqSent]
		err := h.p.o.DLQ.Write(ctx, *m)
		if err != nil && tooLarge(err) {
			c := cutDeadLetter(m)
			if messageBytes(&c) >= messageBytes(m) {
				return err // cutting would not help: the topic's limit is below deadLetterCutBytes
			}
			h.p.m.DeadLettersCut.Inc()
			h.log.Warn("dead letter too large for the dead-letter topic; writing it cut",
				zap.String("offset", string(headerValue(m, HeaderOffset))), zap.Int("bytes", messageBytes(m)), zap.Int("cut_to", messageBytes(&c)), zap.Error(err))
			*m = c
			err = h.p.o.DLQ.Write(ctx, *m)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeScored produces the batch's enriched copies not yet acknowledged,
// falling back as described above.
func (h *partition) writeScored(ctx context.Context) error {
	if h.outSent == len(h.out) {
		return nil
	}
	h.p.scoredLock.RLock()
	err := h.p.o.Scored.Write(ctx, h.out[h.outSent:]...)
	h.p.scoredLock.RUnlock()
	if err == nil || !tooLarge(err) {
		if err == nil {
			h.outSent = len(h.out)
		}
		return err
	}
	h.p.scoredLock.Lock()
	defer h.p.scoredLock.Unlock()
	for ; h.outSent < len(h.out); h.outSent++ {
		m := &h.out[h.outSent]
		err := h.p.o.Scored.Write(ctx, *m)
		if err != nil && tooLarge(err) {
			h.p.m.EnrichedDropped.Inc()
			h.log.Warn("enriched copy too large for its topic; dropped (the post is counted)",
				zap.String("offset", string(headerValue(m, HeaderOffset))), zap.Int("bytes", messageBytes(m)), zap.Error(err))
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// headerValue returns the value of m's last header named key, or nil.
func headerValue(m *kafka.Message, key string) []byte {
	for i := len(m.Headers) - 1; i >= 0; i-- {
		if m.Headers[i].Key == key {
			return m.Headers[i].Value
		}
	}
	return nil
}
