package apiclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/socialpulse/socialpulse/api/corrections"
	"github.com/socialpulse/socialpulse/correction"
)

// Correct records a sentiment correction and returns it as the API
// stored it (with who and when).
func (c *Client) Correct(ctx context.Context, in corrections.Input) (correction.Correction, error) {
	var created struct {
		Correction correction.Correction `json:"correction"`
	}
	err := c.PostJSON(ctx, "/api/v1/corrections", in, &created)
	return created.Correction, err
}

// ExportCorrections downloads every correction as JSONL, oldest first. It
// returns the body and the corrections it holds, and refuses an export the
// server cut short (its last line is an error) or one that does not read
// as corrections; those errors begin "export:".
func (c *Client) ExportCorrections(ctx context.Context) ([]byte, []correction.Correction, error) {
	resp, err := c.Do(ctx, http.MethodGet, "/api/v1/corrections.jsonl", nil, nil)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("export: %w", err)
	}
	cs, err := correction.ReadJSONL(bytes.NewReader(b))
	if err != nil {
		return nil, nil, fmt.Errorf("export: %w", err)
	}
	return b, cs, nil
}
