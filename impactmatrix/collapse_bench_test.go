package impactmatrix

import (
	"strconv"
	"testing"
)

// BenchmarkCollapse collapses 50 evidence samples: ten templates with other
// handles, numbers and links, as a spike's evidence looks in a campaign.
func BenchmarkCollapse(b *testing.B) {
	templates := []string{
		"@shop your checkout is broken, fix it now! https://t.co/",
		"stuck on the checkout page for minutes, nothing happens #CheckoutFail",
		"charged twice for the same order and still waiting for a reply from support",
		"the app logs me out every time I open my basket 😡",
		"card declined again at checkout, order #",
		"promo code not working, says expired but it isn't",
		"site down? can't load anything",
		"payment page hangs after I enter my card",
		"RT @bob: checkout broken for everyone?",
		"delivery slot disappears when I pay",
	}
	samples := make([]Sample, 50)
	for i := range samples {
		samples[i] = Sample{ID: strconv.Itoa(i), Text: templates[i%len(templates)] + strconv.Itoa(1000+i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		Collapse(samples)
	}
}
