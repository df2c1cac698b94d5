package alert

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSlackMessageSampleCount(t *testing.T) {
	tests := []struct {
		name  string
		count int
		want  string
		avoid string
	}{
		{"a collapsed sample says how many copies it stands for", 5, "and 4 near-identical posts", ""},
		{"a single post says nothing more", 1, "", "near-identical"},
		{"an unset count is a single post", 0, "", "near-identical"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := testAlert("checkout", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1)
			a.Evidence.Samples = []Sample{{ID: "p1", Text: "checkout is broken", Author: "@a", Count: tt.count}}
			b, err := json.Marshal(SlackMessage(a))
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && !strings.Contains(string(b), tt.want) {
				t.Errorf("message lacks %q: %s", tt.want, b)
			}
			if tt.avoid != "" && strings.Contains(string(b), tt.avoid) {
				t.Errorf("message has %q: %s", tt.avoid, b)
			}
		})
	}
}
