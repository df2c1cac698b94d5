package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// userAgent identifies socialpulse to receivers.
const userAgent = "socialpulse-alert/1"

// StatusError is returned by the HTTP receivers for a non-2xx response.
type StatusError struct {
	Receiver string
	Code     int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: unexpected status %d", e.Receiver, e.Code)
}

// post sends body to target and fails on a non-2xx status. The error never
// contains target, whose path or query may hold a token (Slack) or secret.
func post(ctx context.Context, client *http.Client, receiver, method, target string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: build request: %w", receiver, redactURL(err))
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", receiver, method, redactURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Receiver: receiver, Code: resp.StatusCode}
	}
	return nil
}

// redactURL strips the URL from a *url.Error, keeping its cause.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func orDefaultClient(c *http.Client) *http.Client {
	if c == nil {
		return &http.Client{}
	}
	return c
}
