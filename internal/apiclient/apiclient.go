// Package apiclient calls socialpulse's HTTP API with a bearer token: the
// client of the CLI's spikes, incidents and sentiment commands. A status
// other than 2xx becomes an error that carries the API's own message.
//
// Scope: requests (the list filters' query parameters included), the
// token, errors, JSON bodies. Non-goals: flags and where the token comes
// from (cmd/socialpulse and internal/cli read them), and the shapes of the
// answers (the api packages define them).
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configure New.
type Options struct {
	// Base is the API's base URL, http(s)://host[:port].
	Base *url.URL
	// Token is sent as a bearer token; empty sends none.
	Token string
	// Timeout bounds each request; 0 means no bound.
	Timeout time.Duration
	// NoTokenHint is added to a 401's error when Token is empty, to say
	// where a token comes from.
	NoTokenHint string
}

// Client calls the API. It is safe for concurrent use.
type Client struct {
	base        *url.URL
	token, hint string
	http        *http.Client
}

// New returns a client of the API at o.Base.
func New(o Options) *Client {
	return &Client{base: o.Base, token: o.Token, hint: o.NoTokenHint, http: &http.Client{Timeout: o.Timeout}}
}

// Do sends a request to path (below the base URL) with the query q and
// returns the response if its status is 2xx; the caller closes its body.
// Other statuses become errors carrying the API's message. A non-nil body
// is sent as JSON.
func (c *Client) Do(ctx context.Context, method, path string, q url.Values, body io.Reader) (*http.Response, error) {
	u := c.base.JoinPath(path)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "socialpulse-cli")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &e) != nil || e.Error == "" {
		e.Error = strings.TrimSpace(string(b))
	}
	msg := fmt.Sprintf("api: %s %s: %s: %s", method, u.Path, resp.Status, e.Error)
	if resp.StatusCode == http.StatusUnauthorized && c.token == "" && c.hint != "" {
		msg += " (" + c.hint + ")"
	}
	return nil, errors.New(msg)
}

// GetJSON gets path with the query q and decodes the answer into v.
func (c *Client) GetJSON(ctx context.Context, path string, q url.Values, v any) error {
	resp, err := c.Do(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("api: %s: bad response: %w", path, err)
	}
	return nil
}

// PostJSON sends in as a JSON body to path and decodes the answer into out.
func (c *Client) PostJSON(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := c.Do(ctx, http.MethodPost, path, nil, bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("api: bad response: %w", err)
	}
	return nil
}

// getRaw gets path and decodes the answer into v; it returns the answer as
// the API sent it.
func (c *Client) getRaw(ctx context.Context, path string, v any) ([]byte, error) {
	resp, err := c.Do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return nil, fmt.Errorf("api: bad response: %w", err)
	}
	return body, nil
}
