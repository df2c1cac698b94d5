package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/stream"
	"github.com/socialpulse/socialpulse/synth"
)

// respondPoll is how often the demo looks for the incident to record its
// statement on.
const respondPoll = 2 * time.Second

// respond plays the brand's response: at StatementAfter into the incident
// the shop's own account posts a statement into the stream, and once the
// incident is listed by the API the statement is recorded on it as a
// milestone, stamped with the post's time. A failure is logged, never
// fatal to the demo.
func (d *Demo) respond(ctx context.Context) error {
	if d.incident == nil || d.o.StatementAfter < 0 {
		return nil
	}
	at := d.incident.Start.Add(d.o.StatementAfter)
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(time.Until(at)):
	}
	text := statementText(d.incident.Feature)
	if err := d.postStatement(ctx, at, text); err != nil {
		// The rest of the demo goes on without the statement.
		if ctx.Err() == nil {
			d.log.Warn("the shop's statement could not be posted", zap.Error(err))
		}
		return nil
	}
	d.log.Info("the shop's account posted a statement", zap.String("handle", synth.Handle), zap.String("text", text))

	base := "http://" + d.Addr()
	t := time.NewTicker(respondPoll)
	defer t.Stop()
	for {
		id, err := recordStatement(ctx, http.DefaultClient, base, *d.incident, at, text)
		switch {
		case err != nil:
			d.log.Debug("statement not recorded yet", zap.Error(err))
		case id != "":
			d.log.Info("statement recorded as a milestone; watch the incident recover",
				zap.String("url", base+"/api/v1/incidents/"+url.PathEscape(id)))
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// statementText is the shop's statement about an incident of feature.
func statementText(feature string) string {
	return "We know " + strings.ReplaceAll(feature, "_", " ") +
		" is not working for some of you right now. Our team is on it and we will post updates here. Sorry for the trouble."
}

// postStatement writes the shop's statement into the demo's topic.
func (d *Demo) postStatement(ctx context.Context, at time.Time, text string) error {
	p, err := stream.NewProducer(stream.ClientConfig{Brokers: d.kafka.ListenAddrs(), ClientID: "socialpulse-demo-brand"},
		Topic, stream.ProducerOptions{})
	if err != nil {
		return fmt.Errorf("demo: statement: %w", err)
	}
	defer func() {
		if err := p.Close(); err != nil {
			d.log.Warn("closing the statement producer", zap.Error(err))
		}
	}()
	post := synth.New(d.o.Seed^0x5eed).Statement(at, text)
	b, err := json.Marshal(post)
	if err != nil {
		return fmt.Errorf("demo: encode statement: %w", err)
	}
	if err := p.Write(ctx, kafka.Message{Key: []byte(post.ID), Value: b, Time: at}); err != nil {
		return fmt.Errorf("demo: statement: %w", err)
	}
	return nil
}

// recordStatement finds the incident that covers inc's feature and began
// no earlier than a bucket-and-a-bit before inc, and posts the statement
// to it as a milestone. It returns the incident's id, or "" while the API
// lists no such incident yet.
func recordStatement(ctx context.Context, c *http.Client, base string, inc synth.Incident, at time.Time, text string) (string, error) {
	q := url.Values{"from": {inc.Start.Add(-10 * time.Minute).UTC().Format(time.RFC3339)}}
	var list struct {
		Incidents []struct {
			ID       string    `json:"id"`
			Features []string  `json:"features"`
			Start    time.Time `json:"start"`
		} `json:"incidents"`
	}
	if err := call(ctx, c, http.MethodGet, base+"/api/v1/incidents?"+q.Encode(), nil, &list); err != nil {
		return "", err
	}
	id := ""
	for _, in := range list.Incidents {
		if slices.Contains(in.Features, inc.Feature) && !in.Start.Before(inc.Start.Add(-2*time.Minute)) {
			id = in.ID
		}
	}
	if id == "" {
		return "", nil
	}
	body, err := json.Marshal(map[string]string{
		"type": "statement", "text": text, "author": synth.Handle, "time": at.UTC().Format(time.RFC3339Nano),
	})
	if err != nil {
		return "", err
	}
	if err := call(ctx, c, http.MethodPost, base+"/api/v1/incidents/"+url.PathEscape(id)+"/milestones", body, nil); err != nil {
		return "", err
	}
	return id, nil
}

// call sends a JSON request and decodes a 2xx answer into out (when not
// nil).
func call(ctx context.Context, c *http.Client, method, u string, body []byte, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, bytes.TrimSpace(msg))
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
