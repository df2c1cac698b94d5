package evaluate

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
)

// costWindow is about how long each cost measurement repeats its
// sentences, in costRounds rounds.
const (
	costWindow = 300 * time.Millisecond
	costRounds = 5
)

// aspectCost is what one taxonomy costs a post, measured in this run over
// the sentences of its table: tagging alone (terms, then the fallback model
// when none match), and the processor's per-post enrichment (language,
// sentiment, tagging: enrich.Enricher.Enrich), in wall nanoseconds on one
// goroutine, with heap allocations a post.
type aspectCost struct {
	tagNs, enrichNs         float64
	tagAllocs, enrichAllocs float64
}

// costRow is one line of the cost summary eval aspects prints last.
type costRow struct {
	set, variant string
	macroF1      float64
	cost         aspectCost
}

// measureCost times tg and an Enricher built on it over texts.
func (ev *aspectEval) measureCost(ctx context.Context, tg *feature.Tagger, texts []string) (aspectCost, error) {
	var c aspectCost
	if len(texts) == 0 {
		return c, nil
	}
	scores := make([]float64, len(tg.Features()))
	var ms []feature.Match
	tag := func(s string) { ms = tg.TagOrInfer(s, ms[:0], scores) }
	en, err := enrich.New(ev.sa, tg)
	if err != nil {
		return c, err
	}
	var sc enrich.Scratch
	enr := func(s string) { en.Enrich(s, "", &sc) }
	if c.tagNs, c.tagAllocs, err = timePerPost(ctx, texts, tag); err != nil {
		return c, err
	}
	c.enrichNs, c.enrichAllocs, err = timePerPost(ctx, texts, enr)
	return c, err
}

// timePerPost runs f over texts once to warm up, then in costRounds rounds
// of passes, each round until costWindow/costRounds has passed (two passes
// at least), and returns the median round's wall nanoseconds per call and
// the heap allocations per call over all rounds. The median keeps a burst
// of load on a shared machine from moving the figure.
func timePerPost(ctx context.Context, texts []string, f func(string)) (ns, allocs float64, err error) {
	for _, s := range texts {
		f(s)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rounds := make([]float64, 0, costRounds)
	calls := 0
	for range costRounds {
		start := time.Now()
		n := 0
		for pass := 0; pass < 2 || time.Since(start) < costWindow/costRounds; pass++ {
			if err := ctx.Err(); err != nil {
				return 0, 0, err
			}
			for _, s := range texts {
				f(s)
			}
			n += len(texts)
		}
		rounds = append(rounds, float64(time.Since(start).Nanoseconds())/float64(n))
		calls += n
	}
	runtime.ReadMemStats(&after)
	slices.Sort(rounds)
	return rounds[len(rounds)/2], float64(after.Mallocs-before.Mallocs) / float64(calls), nil
}

// reportCosted prints a table as report does, then measures what the
// taxonomy costs a post on the same sentences and keeps the row for the
// summary.
func (ev *aspectEval) reportCosted(ctx context.Context, set, variant, title string, tg *feature.Tagger, sents []aspectSentence) error {
	t, err := ev.reportTotals(ctx, title, tg, sents)
	if err != nil {
		return err
	}
	texts := make([]string, len(sents))
	for i, s := range sents {
		texts[i] = s.text
	}
	c, err := ev.measureCost(ctx, tg, texts)
	if err != nil {
		return err
	}
	fmt.Fprintf(ev.stdout, "Cost in this run, a post: tagging %.0f ns (%.2f allocations), enrichment (language, sentiment, tagging) %.0f ns = %.0f posts/s on one goroutine.\n\n",
		c.tagNs, c.tagAllocs, c.enrichNs, 1e9/c.enrichNs)
	ev.costs = append(ev.costs, costRow{set: set, variant: variant, macroF1: t.macroF1, cost: c})
	return nil
}

// printCosts writes the summary of the costed tables: quality and cost of
// each name-only variant side by side, from this run.
func (ev *aspectEval) printCosts() {
	if len(ev.costs) == 0 {
		return
	}
	w := ev.stdout
	fmt.Fprintln(w, "### Name-only taxonomies: quality and cost a post, this run")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Wall time on one goroutine over the measured sentences of each table, the median of %d rounds\n", costRounds)
	fmt.Fprintf(w, "of about %s each after a warm-up pass; enrichment is the processor's per-post step (language, sentiment and\n", costWindow/costRounds)
	fmt.Fprintln(w, "tagging, `enrich.Enricher.Enrich`); posts/s is its inverse. Allocations are heap allocations a post")
	fmt.Fprintln(w, "(the whole process's, so the measuring loop's own count too). Read the times as ratios within one run.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| set | taxonomy | macro F1 | tagging ns/post | allocs | enrichment ns/post | allocs | posts/s |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range ev.costs {
		fmt.Fprintf(w, "| %s | %s | %s | %.0f | %.2f | %.0f | %.2f | %.0f |\n", r.set, r.variant, aspectF3(r.macroF1),
			r.cost.tagNs, r.cost.tagAllocs, r.cost.enrichNs, r.cost.enrichAllocs, 1e9/r.cost.enrichNs)
	}
	fmt.Fprintln(w)
}
