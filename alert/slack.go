package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	spost "github.com/socialpulse/socialpulse/post"
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

// Send posts a, trimmed to SlackBudget (see Trim); on a 413 it sends the
// next smaller trim.
func (s *Slack) Send(ctx context.Context, a Alert) error {
	encode := func(a Alert) ([]byte, error) {
		body, err := json.Marshal(SlackMessage(a))
		if err != nil {
			return nil, fmt.Errorf("slack: encode: %w", err)
		}
		return body, nil
	}
	_, err := sendFitted(a, SlackBudget, encode, func(body []byte) error {
		return post(ctx, s.client, "slack", http.MethodPost, s.url, body, nil)
	}, httpTooLarge)
	return err
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
	if a.Incident != "" {
		inc := "*Incident*\n" + slackEscape(a.Incident)
		if a.Incident != a.ID {
			inc += "\n(joins an open incident)"
		}
		fields = append(fields, mrkdwn(inc))
	}
	blocks := []any{
		map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": title, "emoji": true}},
		map[string]any{"type": "section", "text": mrkdwn("*" + slackEscape(clip(summary, maxSlackText-10)) + "*")},
		map[string]any{"type": "section", "fields": fields},
	}
	if len(ev.TopWords) > 0 {
		blocks = append(blocks, map[string]any{"type": "context", "elements": []any{
			mrkdwn(slackClip("Top words: ", strings.Join(ev.TopWords, ", "))),
		}})
	}
	if n := min(len(ev.Samples), maxSlackSamples); n > 0 {
		var b strings.Builder
		for _, p := range ev.Samples[:n] {
			line := slackSample(p, true)
			if b.Len()+len(line) > maxSlackText {
				line = slackSample(p, false) // the link is what made it long
			}
			if b.Len()+len(line) > maxSlackText {
				break
			}
			b.WriteString(line)
		}
		if b.Len() > 0 {
			blocks = append(blocks, map[string]any{"type": "section", "text": mrkdwn(b.String())})
		}
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
	return map[string]any{"text": slackEscape(clip(fmt.Sprintf("%s %s", PriorityLabel(a.Priority), summary), maxSlackText)), "blocks": blocks}
}

// maxSlackText is the longest mrkdwn text object Slack accepts (3,000
// characters; counted here in bytes, which is stricter).
const maxSlackText = 3000

// slackSample is one quoted sample post: its text (a link to the post when
// link is set and the URL is valid), then author and followers. Every
// customer-controlled string is escaped; a URL is linked only if it passes
// post.ValidURL, so it cannot close the link and add text of its own.
func slackSample(p Sample, link bool) string {
	text := slackEscape(oneLine(clip(p.Text, 280)))
	if link && p.URL != "" && spost.ValidURL(p.URL) {
		text = "<" + slackEscape(p.URL) + "|" + text + ">"
	}
	author := slackEscape(oneLine(clip(firstNonEmpty(p.Author, "unknown"), 100)))
	copies := ""
	if p.Count > 1 {
		copies = fmt.Sprintf(", and %d near-identical posts", p.Count-1)
	}
	return fmt.Sprintf("> %s\n> _%s, %d followers%s_\n", text, author, p.Followers, copies)
}

// slackClip escapes s after prefix, cut so that the whole fits maxSlackText.
func slackClip(prefix, s string) string {
	out := prefix + slackEscape(s)
	for len(out) > maxSlackText {
		s = clip(s, len(s)-(len(out)-maxSlackText)-1)
		out = prefix + slackEscape(s)
	}
	return out
}

// mrkdwn is a mrkdwn text object. verbatim stops Slack from turning plain
// text into links and mentions (a customer's "@channel"); the markup written
// here (links, bold) still works.
func mrkdwn(s string) map[string]any {
	return map[string]any{"type": "mrkdwn", "text": s, "verbatim": true}
}

func button(text, url string) map[string]any {
	return map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": text}, "url": url}
}

// slackEscape escapes the three characters Slack's mrkdwn reserves, so that
// no text of a post can open a link or a mention (<!channel>, <!here>,
// <@U123>): every customer-controlled string goes through it.
func slackEscape(s string) string { return slackReplacer.Replace(s) }

var slackReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
