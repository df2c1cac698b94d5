package alert

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// slackMention matches Slack's mention and link syntax: <!channel>,
// <!here>, <@U123>, <#C123>, <!subteam^S1>, <https://...|text>.
var slackMention = regexp.MustCompile(`<[!@#]|<https?:`)

func TestSlackMessageEscapesCustomerText(t *testing.T) {
	phish := "https://ok.example/|Reset your password here> <!channel> <https://evil.example/phish"
	tests := []struct {
		name  string
		edit  func(*Sample)
		links int // links the sample section should hold
	}{
		{"url breaking out of the link is not linked", func(s *Sample) { s.URL = phish }, 0},
		{"mention in the text", func(s *Sample) { s.Text = "<!channel> <!here> <@U024BE7LH> & <#C1|general>" }, 1},
		{"mention in the handle", func(s *Sample) { s.Author = "<!here|x> <@U024BE7LH>" }, 1},
		{"javascript url", func(s *Sample) { s.URL = "javascript:alert(1)" }, 0},
		{"newlines cannot leave the quote", func(s *Sample) { s.Text = "fine\n*SYSTEM*: <!channel> click" }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := testAlert("checkout", t0, 1)
			a.Evidence.Samples = a.Evidence.Samples[:1]
			tt.edit(&a.Evidence.Samples[0])
			a.Evidence.TopWords = []string{"<!channel>", "<@U1>"}
			body, err := json.Marshal(SlackMessage(a))
			if err != nil {
				t.Fatal(err)
			}
			var msg struct {
				Text   string `json:"text"`
				Blocks []struct {
					Type     string           `json:"type"`
					Text     map[string]any   `json:"text"`
					Elements []map[string]any `json:"elements"`
				} `json:"blocks"`
			}
			if err := json.Unmarshal(body, &msg); err != nil {
				t.Fatal(err)
			}
			var samples string
			for _, b := range msg.Blocks {
				for _, txt := range append([]map[string]any{b.Text}, b.Elements...) {
					s, _ := txt["text"].(string)
					if txt["type"] == "mrkdwn" && txt["verbatim"] != true {
						t.Errorf("mrkdwn object without verbatim: %q", s)
					}
					if b.Type == "section" && strings.HasPrefix(s, "> ") {
						samples = s
					}
				}
			}
			if got := len(regexp.MustCompile(`<https?:`).FindAllString(samples, -1)); got != tt.links {
				t.Errorf("sample section has %d links, want %d: %q", got, tt.links, samples)
			}
			rest := regexp.MustCompile(`<https://example\.com/p1\|`).ReplaceAllString(samples, "")
			if m := slackMention.FindString(rest); m != "" {
				t.Errorf("customer text reaches Slack as markup %q: %q", m, samples)
			}
			for _, line := range strings.Split(strings.TrimSuffix(samples, "\n"), "\n") {
				if !strings.HasPrefix(line, "> ") {
					t.Errorf("line %q is outside the quote", line)
				}
			}
			if strings.Contains(string(body), "<!channel>") {
				t.Errorf("payload holds a raw <!channel>: %s", body)
			}
		})
	}
}

func TestSlackMessageKeepsSectionsWithinSlackLimits(t *testing.T) {
	a := testAlert("checkout", t0, 1)
	for i := range a.Evidence.Samples {
		a.Evidence.Samples[i].URL = "https://x.example/" + strings.Repeat("&", 2000)
		a.Evidence.Samples[i].Author = strings.Repeat("<", 256)
		a.Evidence.Samples[i].Text = strings.Repeat("&", 64<<10)
	}
	a.Evidence.TopWords = []string{strings.Repeat("&", 10_000)}
	body, _ := json.Marshal(SlackMessage(a))
	var msg struct {
		Blocks []struct {
			Text     map[string]any   `json:"text"`
			Elements []map[string]any `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	for _, b := range msg.Blocks {
		for _, txt := range append([]map[string]any{b.Text}, b.Elements...) {
			if s, _ := txt["text"].(string); len(s) > maxSlackText {
				t.Errorf("text object of %d bytes, over Slack's %d", len(s), maxSlackText)
			}
		}
	}
}
