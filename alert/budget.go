package alert

import (
	"errors"
	"fmt"
	"net/http"
)

// Payload byte budgets, per receiver. A payload over its budget is trimmed
// before it is sent (see Trim); a receiver that refuses a payload as too
// large (HTTP 413, Kafka MESSAGE_TOO_LARGE) is sent the next, smaller trim
// at once, and when even the smallest is refused the delivery gives up as
// permanently failed rather than being retried forever.
const (
	WebhookBudget      = 256 << 10 // the JSON Envelope
	KafkaBudget        = 256 << 10 // the record value (a default topic takes 1 MiB)
	AlertmanagerBudget = 64 << 10  // the /api/v2/alerts body
	SlackBudget        = 32 << 10  // the message; each text object also stays under 3,000 characters
)

// TrimLevels is the number of trim levels; Trim(a, TrimLevels-1) is the
// smallest form of an alert.
const TrimLevels = 4

// Trim returns a copy of a with smaller evidence, by level:
//
//	0: a as it is
//	1: sample texts cut to 280 bytes, URLs over 512 bytes and author names over 64 bytes dropped
//	2: one sample, its text cut to 140 bytes and no URL; at most 5 top words of at most 64 bytes
//	3: no samples and no top words
//
// Counts, priority, links to the dashboard and the API, and the summary are
// never trimmed. a's slices are not modified.
func Trim(a Alert, level int) Alert {
	if level <= 0 {
		return a
	}
	ev := &a.Evidence
	switch {
	case level == 1:
		ev.Samples = trimSamples(ev.Samples, len(ev.Samples), 280, 512, 64)
	case level == 2:
		ev.Samples = trimSamples(ev.Samples, 1, 140, 0, 64)
		words := make([]string, 0, min(len(ev.TopWords), 5))
		for _, w := range ev.TopWords[:min(len(ev.TopWords), 5)] {
			words = append(words, clip(w, 64))
		}
		ev.TopWords = words
	default:
		ev.Samples, ev.TopWords = nil, nil
	}
	return a
}

func trimSamples(in []Sample, n, text, url, author int) []Sample {
	out := make([]Sample, 0, min(len(in), n))
	for _, s := range in[:min(len(in), n)] {
		s.Text = clip(s.Text, text)
		if len(s.URL) > url {
			s.URL = ""
		}
		if len(s.Author) > author {
			s.Author = clip(s.Author, author)
		}
		out = append(out, s)
	}
	return out
}

// ErrPayloadTooLarge is wrapped by the error of a delivery whose receiver
// refused even the smallest trim of the alert as too large.
var ErrPayloadTooLarge = errors.New("payload too large even without samples")

// PermanentError marks a delivery failure no retry can fix: the Outbox
// gives the delivery up at once (state "failed", the error as its reason).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// sendFitted sends the first trim of a whose encoding fits budget, and the
// next trims in turn while the receiver refuses them as too large
// (tooLarge). It reports the level that was sent.
func sendFitted(a Alert, budget int, encode func(Alert) ([]byte, error), send func([]byte) error, tooLarge func(error) bool) (int, error) {
	var last error
	for level := 0; level < TrimLevels; level++ {
		body, err := encode(Trim(a, level))
		if err != nil {
			return level, err
		}
		if len(body) > budget && level < TrimLevels-1 {
			continue
		}
		err = send(body)
		if err == nil || !tooLarge(err) {
			return level, err
		}
		last = err
	}
	return TrimLevels - 1, &PermanentError{Err: fmt.Errorf("%w: %w", ErrPayloadTooLarge, last)}
}

// httpTooLarge reports a 413 Request Entity Too Large.
func httpTooLarge(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code == http.StatusRequestEntityTooLarge
}
