package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook headers.
const (
	// HeaderSignature is "sha256=" followed by the hex HMAC-SHA256, keyed
	// with the shared secret, of the timestamp header value, a ".", and the
	// raw request body.
	HeaderSignature = "X-Socialpulse-Signature"
	// HeaderTimestamp is the send time in Unix seconds. It is part of the
	// signed payload, so a receiver that rejects old timestamps (see
	// VerifyWebhook) cannot be fed a replayed request.
	HeaderTimestamp = "X-Socialpulse-Timestamp"
	// HeaderDelivery is "<alert id>:<sequence>", the same on every retry of
	// one version: receivers dedupe on it.
	HeaderDelivery = "X-Socialpulse-Delivery"
)

// Envelope is the JSON body of the webhook and the value of Kafka records.
type Envelope struct {
	// Version of this format; 1.
	Version int   `json:"version"`
	Alert   Alert `json:"alert"`
}

// Webhook posts each alert as JSON (an Envelope) to a URL, signed with
// HMAC-SHA256 as described at HeaderSignature. Any 2xx status is success.
type Webhook struct {
	url, secret string
	client      *http.Client
}

// NewWebhook returns a webhook receiver named "webhook" posting to url and
// signing with secret (which should be long and random; an empty secret
// sends unsigned requests). A nil client uses a new http.Client; the Outbox
// bounds each send with its SendTimeout.
func NewWebhook(url, secret string, client *http.Client) *Webhook {
	return &Webhook{url: url, secret: secret, client: orDefaultClient(client)}
}

// Name returns "webhook".
func (w *Webhook) Name() string { return "webhook" }

// Send posts a, trimmed to WebhookBudget (see Trim); on a 413 it sends the
// next smaller trim.
func (w *Webhook) Send(ctx context.Context, a Alert) error {
	encode := func(a Alert) ([]byte, error) {
		body, err := json.Marshal(Envelope{Version: 1, Alert: a})
		if err != nil {
			return nil, fmt.Errorf("webhook: encode: %w", err)
		}
		return body, nil
	}
	_, err := sendFitted(a, WebhookBudget, encode, func(body []byte) error {
		ts := time.Now().Unix()
		h := http.Header{}
		h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		h.Set(HeaderDelivery, a.ID+":"+strconv.Itoa(a.Sequence))
		if w.secret != "" {
			h.Set(HeaderSignature, SignWebhook(w.secret, ts, body))
		}
		return post(ctx, w.client, "webhook", http.MethodPost, w.url, body, h)
	}, httpTooLarge)
	return err
}

// SignWebhook returns the HeaderSignature value for body sent at Unix time
// ts: "sha256=" + hex(HMAC-SHA256(secret, "<ts>." + body)).
func SignWebhook(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Errors returned by VerifyWebhook.
var (
	ErrBadSignature = errors.New("alert: webhook signature does not match")
	ErrStale        = errors.New("alert: webhook timestamp outside tolerance")
)

// VerifyWebhook checks a received webhook: the signature in h must match
// body and the timestamp header, and the timestamp must be within tolerance
// of now (5 minutes is a good choice). Receivers should also dedupe on
// HeaderDelivery, since a delivery may be repeated after a retry.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: missing or bad %s", ErrBadSignature, HeaderTimestamp)
	}
	want := SignWebhook(secret, ts, body)
	got := h.Get(HeaderSignature)
	if !strings.HasPrefix(got, "sha256=") || !hmac.Equal([]byte(got), []byte(want)) {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}
