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

// RedirectError is returned by the HTTP receivers for a 3xx response. They
// never follow redirects: a redirect would re-send the alert, with its
// signature or the secret Slack URL in Referer, to wherever the response
// points. Location is the target with its path, query and user
// information replaced by "/...", so that no secret is quoted.
type RedirectError struct {
	Receiver string
	Code     int
	Location string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s: redirect %d to %s refused (receivers do not follow redirects; configure the final URL)",
		e.Receiver, e.Code, e.Location)
}

// redactTarget keeps the scheme and host of a redirect target.
func redactTarget(loc string) string {
	if loc == "" {
		return "(no Location)"
	}
	u, err := url.Parse(loc)
	if err != nil || u.Host == "" {
		return "(a relative or unparsable Location)"
	}
	out := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		out += "/..."
	}
	return clip(out, 200)
}

// NoRedirects returns a copy of c (a new client when c is nil) that never
// follows a redirect: the 3xx response is returned as it is.
func NoRedirects(c *http.Client) *http.Client {
	n := *orDefaultClient(c)
	n.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &n
}

// post sends body to target and fails on a non-2xx status, a redirect
// included (it is never followed). The error never contains target, whose
// path or query may hold a token (Slack) or secret.
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
	resp, err := NoRedirects(client).Do(req)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", receiver, method, redactURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return &RedirectError{Receiver: receiver, Code: resp.StatusCode, Location: redactTarget(resp.Header.Get("Location"))}
	}
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
