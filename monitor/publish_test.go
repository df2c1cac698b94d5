package monitor

import (
	"slices"
	"testing"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

func TestTopWords(t *testing.T) {
	f := feature.Feature{ID: "payment", Name: "Payment"}
	texts := func(ts ...string) []impactmatrix.Sample {
		out := make([]impactmatrix.Sample, len(ts))
		for i, s := range ts {
			out[i] = impactmatrix.Sample{Text: s}
		}
		return out
	}
	tests := []struct {
		name    string
		samples []impactmatrix.Sample
		want    []string
	}{
		{"most frequent first, then alphabetical",
			texts("gateway timeout on payment", "gateway timeout again", "gateway down"),
			[]string{"gateway", "timeout"}},
		{"the feature's own name and stopwords are left out",
			texts("Payment failed, please help", "payment failed again"),
			[]string{"failed"}},
		{"handles, links and emoji are not words",
			texts("@shop card declined 😡 https://t.co/a", "@shop card declined 😡 https://t.co/b"),
			[]string{"card", "declined"}},
		{"apostrophes stay inside words and hashtags split",
			texts("it doesn’t work #CardDeclined", "it doesn't work #cardDeclined"),
			[]string{"card", "declined", "doesn't", "work"}},
		{"camelcase names stay whole",
			texts("PayPal declined my card", "paypal declined again"),
			[]string{"declined", "paypal"}},
		{"a word counts once a sample and needs two samples",
			texts("refund refund refund", "refund pending"),
			[]string{"refund"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := topWords(tt.samples, f, 5); !slices.Equal(got, tt.want) {
				t.Errorf("topWords = %q, want %q", got, tt.want)
			}
		})
	}
}
