package backtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/socialpulse/socialpulse/detect"
	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/post"
	"github.com/socialpulse/socialpulse/sentiment"
)

// Alert is one line of "backtest --posts" output: a detector event.
type Alert struct {
	Feature   string    `json:"feature"`
	Owner     string    `json:"owner,omitempty"`
	Event     string    `json:"event"` // fire, update or resolve
	Time      time.Time `json:"time"`  // end of the bucket that caused it
	Since     time.Time `json:"since"` // onset of the episode
	Current   float64   `json:"current"`
	Baseline  float64   `json:"baseline"`
	ChangePct float64   `json:"change_pct"`
	PValue    float64   `json:"p_value"`
	Priority  int       `json:"priority"`
	Samples   []string  `json:"samples,omitempty"`
}

// Counts are one bucket's mentions per feature: the negative ones, whether
// there were any, the audience of the negative ones' authors, and a few of
// their texts.
type Counts struct {
	Negative  map[string]int
	Mentioned map[string]bool
	Followers map[string]int64
	Texts     map[string][]string
}

// PostsOptions configure Posts.
type PostsOptions struct {
	// In is the JSONL of posts (the processor's JSON, with created_at).
	In io.Reader
	// Taxonomy is the taxonomy file; empty for the built-in one.
	Taxonomy string
	// FallbackModel is the taxonomy's fallback model file (the processor's
	// taxonomy.fallback_model); empty for none.
	FallbackModel string
	// Bucket is the bucket width (the processor's matrix.bucket); it must
	// divide an hour.
	Bucket time.Duration
	// Out receives one JSON line per alert event; ErrOut the progress and
	// the summary.
	Out, ErrOut io.Writer
}

// Posts replays historical posts through the scorer, the tagger and the
// production detector (with its default settings for the bucket), the same
// code the processor runs, and writes one JSON line per alert event
// ("socialpulse backtest --posts").
func Posts(ctx context.Context, o PostsOptions) error {
	in, bucket, stdout, stderr := o.In, o.Bucket, o.Out, o.ErrOut
	en, err := enrich.LoadFiles(enrich.Files{Taxonomy: o.Taxonomy, FallbackModel: o.FallbackModel})
	if err != nil {
		return err
	}
	tg := en.Tagger()

	buckets, lines, skipped, err := CountPosts(ctx, in, en, bucket, stderr)
	if err != nil {
		return err
	}
	keys := make([]int64, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	first, last := time.Unix(keys[0], 0), time.Unix(keys[len(keys)-1], 0)

	cfg := detect.DefaultDetectorConfig(bucket)
	w := detect.DefaultPriorityWeights()
	out := json.NewEncoder(stdout)
	alerts := 0
	for _, f := range tg.Features() {
		var d *detect.Detector
		for t := first; !t.After(last); t = t.Add(bucket) {
			b := buckets[t.Unix()]
			if d == nil {
				if b == nil || !b.Mentioned[f.ID] {
					continue // the series starts at the feature's first mention
				}
				if d, err = detect.NewDetector(cfg); err != nil {
					return err
				}
			}
			var neg int
			var followers int64
			if b != nil {
				neg, followers = b.Negative[f.ID], b.Followers[f.ID]
			}
			decision := d.Observe(t, float64(neg))
			if decision.Event == detect.EventNone {
				continue
			}
			prio, _ := detect.Priority(detect.PriorityInput{Growth: decision.Ratio, NegativeVolume: decision.Value,
				Reach: float64(followers), Criticality: f.Criticality, Persistence: t.Add(bucket).Sub(decision.Since)}, w)
			a := Alert{Feature: f.ID, Owner: f.Owner, Event: decision.Event.String(), Time: t.Add(bucket).UTC(),
				Since: decision.Since.UTC(), Current: decision.Value, Baseline: decision.Baseline,
				ChangePct: (decision.Ratio - 1) * 100, PValue: decision.PValue, Priority: prio}
			if b != nil {
				a.Samples = b.Texts[f.ID]
			}
			if decision.Event == detect.EventFire {
				alerts++
			}
			if err := out.Encode(a); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stderr, "backtest: %d posts, %d without a usable created_at skipped, %d buckets of %v from %s to %s, %d alerts fired\n",
		lines, skipped, len(keys), bucket, first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339), alerts)
	return nil
}

// CountPosts decodes and enriches each JSONL post of in as the processor
// does, and counts its features' mentions in the bucket of its created_at,
// keyed by the bucket's start in Unix seconds. Lines that do not decode, or
// have no created_at, are skipped and counted.
func CountPosts(ctx context.Context, in io.Reader, en *enrich.Enricher, bucket time.Duration, stderr io.Writer) (buckets map[int64]*Counts, lines, skipped int, err error) {
	buckets = map[int64]*Counts{}
	var dec post.Decoder
	var p post.Post
	var sc enrich.Scratch
	sc2 := bufio.NewScanner(in)
	sc2.Buffer(make([]byte, 0, 64<<10), 8<<20)
	for sc2.Scan() {
		lines++
		if lines%100000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, lines, skipped, err
			}
			fmt.Fprintf(stderr, "backtest: %d posts read\n", lines)
		}
		if err := dec.Decode(sc2.Bytes(), &p); err != nil || p.CreatedAt.IsZero() {
			skipped++ // a post without a time cannot be placed in a bucket
			continue
		}
		res := en.Enrich(p.Text, p.Lang, &sc)
		k := p.CreatedAt.Truncate(bucket).Unix()
		b := buckets[k]
		if b == nil {
			b = &Counts{Negative: map[string]int{}, Mentioned: map[string]bool{}, Followers: map[string]int64{}, Texts: map[string][]string{}}
			buckets[k] = b
		}
		for _, f := range res.Features {
			b.Mentioned[f.ID] = true
			if f.Label == sentiment.Negative {
				b.Negative[f.ID]++
				b.Followers[f.ID] += p.Author.Followers
				if len(b.Texts[f.ID]) < 3 {
					b.Texts[f.ID] = append(b.Texts[f.ID], p.Clone().Text)
				}
			}
		}
	}
	if err := sc2.Err(); err != nil {
		return nil, lines, skipped, fmt.Errorf("read posts: %w", err)
	}
	if len(buckets) == 0 {
		return nil, lines, skipped, fmt.Errorf("no post with a valid created_at among %d lines", lines)
	}
	return buckets, lines, skipped, nil
}
