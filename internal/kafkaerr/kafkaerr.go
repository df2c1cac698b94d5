// Package kafkaerr classifies kafka-go errors for the packages that write to
// Kafka (stream, alert) without making one import the other.
//
// Non-goals: retry policy; callers decide what to do with the answer.
package kafkaerr

import (
	"errors"

	"github.com/segmentio/kafka-go"
)

// TooLarge reports whether err, from a kafka-go Write, says a record or
// record batch was over a size limit of the producer
// (kafka.MessageTooLargeError) or of the topic or broker (MESSAGE_TOO_LARGE,
// RECORD_LIST_TOO_LARGE).
func TooLarge(err error) bool {
	var mtl kafka.MessageTooLargeError
	if errors.As(err, &mtl) || errors.Is(err, kafka.MessageSizeTooLarge) || errors.Is(err, kafka.RecordListTooLarge) {
		return true
	}
	var we kafka.WriteErrors
	if errors.As(err, &we) {
		for _, e := range we {
			if e != nil && TooLarge(e) {
				return true
			}
		}
	}
	return false
}
