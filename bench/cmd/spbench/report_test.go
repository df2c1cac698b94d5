package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/bench/loadgen"
)

func TestEndToEndReportShowsTheFallbackRunBesideTheOthers(t *testing.T) {
	run := func(name string, perSec int64) *consumerRun {
		r := &consumerRun{name: name, total: 1000, done: 1000, elapsed: time.Duration(1000/perSec) * time.Second, load: "1.00"}
		for i := int64(1); i <= 10; i++ {
			r.samples = append(r.samples, sample{at: time.Duration(i) * r.elapsed / 10, done: i * 100, rssKB: 1024, committed: i * 100})
		}
		return r
	}
	rep := &report{
		produced: loadgen.Result{Records: 1000, Malformed: 10, Bytes: 200000, Elapsed: time.Second},
		runs:     []*consumerRun{run("socialpulse", 100), run("reference", 20), run("ceiling", 200)},
	}
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	rep.e2eMarkdown(w)
	if strings.Contains(b.String(), fallbackRun) {
		t.Fatalf("a report without a fallback run mentions it:\n%s", b.String())
	}

	rep.fallback = []*consumerRun{run(plainBefore, 100), run(fallbackRun, 50), run(plainAfter, 100)}
	b.Reset()
	rep.e2eMarkdown(w)
	got := b.String()
	for _, want := range []string{
		"| " + fallbackRun + " | " + consumerWhat[fallbackRun] + " | 1,000 | 20.0s | **50** |",
		"| " + plainAfter + " | " + consumerWhat[plainAfter] + " | 1,000 | 10.0s | **100** |",
		"With the fallback model on, socialpulse ran at 0.50× its rate without it (whole run;",
		"| socialpulse ÷ reference | 5.00 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}
