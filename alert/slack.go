package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Slack posts alerts to a Slack incoming webhook: a plain-text fallback
// ("text") and Block Kit blocks with the evidence and links. The webhook
// URL embeds a token: it is never logged or put in errors.
type Slack struct {
	url    string
	client *http.Client
}

// NewSlack returns a receiver named "slack" posting to the incoming webhook
// url.
func NewSlack(url string) *Slack { return &Slack{url: url, client: &http.Client{}} }

// Name returns "slack".
func (s *Slack) Name() string { return "slack" }

// Send posts a.
func (s *Slack) Send(ctx context.Context, a Alert) error {
	body, err := json.Marshal(SlackMessage(a))
	if err != nil {
		return fmt.Errorf("slack: encode: %w", err)
	}
	return post(ctx, s.client, "slack", http.MethodPost, s.url, body, nil)
}

// maxSlackSamples is how many sample posts a Slack message quotes.
const maxSlackSamples = 3

// SlackMessage returns the incoming-webhook payload for a: {"text": ...,
// "blocks": [...]}.
func SlackMessage(a Alert) map[string]any {
	ev := a.Evidence
	icon := ":rotating_light:"
	if a.State == StateResolved {
		icon = ":white_check_mark:"
	}
	title := fmt.Sprintf("%s %s %s", icon, PriorityLabel(a.Priority), a.State)
	summary := a.Summary
	if summary == "" {
		summary = FormatSummary(a)
	}
	fields := []any{
		mrkdwn("*Feature*\n" + slackEscape(firstNonEmpty(ev.FeatureName, ev.Feature))),
		mrkdwn("*Owner*\n" + slackEscape(firstNonEmpty(ev.Owner, "-"))),
		mrkdwn(fmt.Sprintf("*Negative posts in %s*\n%.0f vs baseline %.1f (%s)",
			formatWindow(ev.Window), ev.Current, ev.Baseline, formatPct(ev.ChangePct))),
		mrkdwn(fmt.Sprintf("*Significance*\np = %.2g", ev.PValue)),
		mrkdwn(fmt.Sprintf("*Negative share*\n%.0f%%", ev.NegativeShare*100)),
		mrkdwn(fmt.Sprintf("*Distinct authors*\n%d", ev.DistinctAuthors)),
		mrkdwn(fmt.Sprintf("*Reach*\n%.0f", ev.Reach)),
	}
	blocks := []any{
		map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": title, "emoji": true}},
		map[string]any{"type": "section", "text": mrkdwn("*" + slackEscape(summary) + "*")},
		map[string]any{"type": "section", "fields": fields},
	}
	if len(ev.TopWords) > 0 {
		blocks = append(blocks, map[string]any{"type": "context", "elements": []any{
			mrkdwn("Top words: " + slackEscape(strings.Join(ev.TopWords, ", "))),
		}})
	}
	if n := min(len(ev.Samples), maxSlackSamples); n > 0 {
		var b strings.Builder
		for _, p := range ev.Samples[:n] {
			text := slackEscape(truncate(p.Text, 280))
			if p.URL != "" {
				text = fmt.Sprintf("<%s|%s>", p.URL, text)
			}
			copies := ""
			if p.Count > 1 {
				copies = fmt.Sprintf(", and %d near-identical posts", p.Count-1)
			}
			fmt.Fprintf(&b, "> %s\n> _%s, %d followers%s_\n", text, slackEscape(firstNonEmpty(p.Author, "unknown")), p.Followers, copies)
		}
		blocks = append(blocks, map[string]any{"type": "section", "text": mrkdwn(b.String())})
	}
	var buttons []any
	if ev.DashboardURL != "" {
		buttons = append(buttons, button("Dashboard", ev.DashboardURL))
	}
	if ev.APIURL != "" {
		buttons = append(buttons, button("Spike in the API", ev.APIURL))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, map[string]any{"type": "actions", "elements": buttons})
	}
	return map[string]any{"text": fmt.Sprintf("%s %s", PriorityLabel(a.Priority), summary), "blocks": blocks}
}

func mrkdwn(s string) map[string]any { return map[string]any{"type": "mrkdwn", "text": s} }

func button(text, url string) map[string]any {
	return map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": text}, "url": url}
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
