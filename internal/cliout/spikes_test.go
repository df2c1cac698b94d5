package cliout

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/internal/term"
)

func TestSpikeDetailPrintsNoEscapeSequences(t *testing.T) {
	evil := "@evil\x1b[2J\x1b[H \x1b]52;c;ZXZpbA==\x07 \u009b31m\r\x08"
	d := spikes.Detail{
		Spike:      spikes.Spike{ID: "a" + evil, Summary: "s" + evil, Feature: "checkout", FeatureName: evil, Owner: evil, TopWords: []string{evil}},
		Samples:    []spikes.SamplePost{{Author: evil, Text: "line\n" + evil, Time: time.Now()}},
		Notes:      []alert.Note{{Author: evil, Text: "n\n" + evil}},
		Deliveries: []alert.DeliveryStatus{{Receiver: "slack", State: "failed", LastError: evil}},
	}
	var b bytes.Buffer
	SpikeDetail(term.NewWriter(&b), d)
	out := b.String()
	if strings.ContainsFunc(out, func(r rune) bool { return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) }) {
		t.Fatalf("output holds control characters: %q", out)
	}
	if strings.Contains(out, "52;c;") || strings.Contains(out, "[2J") {
		t.Fatalf("output holds the remains of an escape sequence: %q", out)
	}
	if !strings.Contains(out, "@evil") {
		t.Fatalf("the visible text was removed too: %q", out)
	}
}
