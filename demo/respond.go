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

// respond plays the brand's response: at StatementAfter into the incident,
// once the API lists the incident (a spike of it has been raised), the
// shop's own account posts a statement into the stream. The processor
// records it on the incident as a statement milestone by itself (the demo
// configures incidents.brand_handles with the shop's handle), stamped with
// the post's time; respond waits for that and says where to look. A
// failure is logged, never fatal to the demo.
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
	base := "http://" + d.Addr()
	t := time.NewTicker(respondPoll)
	defer t.Stop()
	id := ""
	for id == "" {
		var err error
		if id, err = findIncident(ctx, http.DefaultClient, base, *d.incident); err != nil {
			d.log.Debug("incident not listed yet", zap.Error(err))
		}
		if id != "" {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
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
	for {
		ok, err := statementRecorded(ctx, http.DefaultClient, base, id)
		switch {
		case err != nil:
			d.log.Debug("statement not recorded yet", zap.Error(err))
		case ok:
			d.log.Info("the processor recorded the shop's post as a statement milestone; watch the incident recover",
				zap.String("url", base+"/ui/#/incidents/"+url.PathEscape(id)))
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

// findIncident returns the id of the incident that covers inc's feature
// and began no earlier than two minutes before inc, or "" while the API
// lists no such incident yet.
func findIncident(ctx context.Context, c *http.Client, base string, inc synth.Incident) (string, error) {
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
	return id, nil
}

// statementRecorded reports whether incident id has a statement milestone
// recorded from a post of the shop's account.
func statementRecorded(ctx context.Context, c *http.Client, base, id string) (bool, error) {
	var d struct {
		Milestones []struct {
			Type   string `json:"type"`
			Author string `json:"author"`
			Source string `json:"source"`
		} `json:"milestones"`
	}
	if err := call(ctx, c, http.MethodGet, base+"/api/v1/incidents/"+url.PathEscape(id), nil, &d); err != nil {
		return false, err
	}
	for _, m := range d.Milestones {
		if m.Type == "statement" && m.Source == "brand_post" && m.Author == synth.Handle {
			return true, nil
		}
	}
	return false, nil
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
