package monitor

import (
	"strconv"
	"testing"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

// BenchmarkTopWords picks the evidence words of 20 samples.
func BenchmarkTopWords(b *testing.B) {
	templates := []string{
		"@shop payment gateway timeout again, card charged but no order https://t.co/x",
		"payment failed with error 502 at the gateway #PaymentFail",
		"can't pay, the gateway keeps timing out 😡",
		"charged twice and the payment page still spins",
	}
	samples := make([]impactmatrix.Sample, 20)
	for i := range samples {
		samples[i] = impactmatrix.Sample{Text: templates[i%len(templates)] + " " + strconv.Itoa(i)}
	}
	f := feature.Feature{ID: "payment", Name: "Payment"}
	b.ReportAllocs()
	for b.Loop() {
		topWords(samples, f, 5)
	}
}
