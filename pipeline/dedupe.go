package pipeline

import (
	"context"
	"slices"
	"time"

	"github.com/socialpulse/socialpulse/impactmatrix"
)

// Duplicate posts (see impactmatrix/dedupe.go for the Redis side).
//
// With a dedupe window, each post with an id is counted as usual while the
// batch is processed, and what it added is remembered (postRec, mention).
// Before anything is written, the batch's duplicates are taken back: a
// second copy of a post within the batch, and every copy of a post the
// partition applied within the window. The remaining posts' ids are then
// written with the counts and the offset, in one atomic step.
//
// A duplicate is taken out of the matrix, the metrics, the evidence samples
// and the enriched-copy output. The emerging-issue miner, which samples
// negative posts as they are processed, may still see it. Its author stays
// in the distinct-author sketches, where it changes nothing: the first copy
// already added the same author to the same bucket.

// postRec is what one counted post added to the batch.
type postRec struct {
	digest          string // impactmatrix.IDDigest of the id; empty for a post without one
	t               time.Time
	reach           float64
	class           impactmatrix.Class // overall sentiment
	mention0, mentN int                // its mentions: mentions[mention0:mention0+mentN]
	out             int                // index of its enriched copy in partition.out, or -1
}

type mention struct {
	feature string
	class   impactmatrix.Class
	score   float64
}

// batchDedupe is a partition's per-batch state for deduplication; its
// slices and maps are reused from batch to batch.
type batchDedupe struct {
	posts      []postRec
	mentions   []mention
	first      map[string]int  // digest -> index in posts of its first copy
	digests    []string        // distinct digests of the batch, in order
	seen       []bool          // per digest: applied before
	seenBefore map[string]bool // the digests applied before: all their copies are dropped
	dropOut    []bool          // per enriched copy: dropped
}

func (b *batchDedupe) reset() {
	b.posts = b.posts[:0]
	b.mentions = b.mentions[:0]
	b.digests = b.digests[:0]
}

// recordPost starts the record of a post about to be counted; the
// mentions added next are its own. A post without an id cannot be
// recognised: its digest is empty and it is never dropped.
func (h *partition) recordPost(id string, t time.Time, reach float64, class impactmatrix.Class) {
	h.endPost()
	var digest string
	if id != "" {
		digest = impactmatrix.IDDigest(id)
	}
	h.posts = append(h.posts, postRec{digest: digest, t: t, reach: reach, class: class, mention0: len(h.mentions), out: -1})
}

// endPost completes the last post's record with its mention count.
func (h *partition) endPost() {
	if n := len(h.posts); n > 0 {
		h.posts[n-1].mentN = len(h.mentions) - h.posts[n-1].mention0
	}
}

// dropDuplicates takes the batch's duplicate posts back out of the delta,
// the metrics and the outputs, and marks the others as seen. now is the
// batch's processing time.
func (h *partition) dropDuplicates(ctx context.Context, now time.Time) error {
	b := &h.batchDedupe
	if b.first == nil {
		b.first = make(map[string]int)
		b.seenBefore = make(map[string]bool)
	}
	h.endPost()
	clear(b.first)
	b.digests = b.digests[:0]
	for i, p := range b.posts {
		if p.digest == "" {
			continue
		}
		if _, ok := b.first[p.digest]; !ok {
			b.first[p.digest] = i
			b.digests = append(b.digests, p.digest)
		}
	}
	b.seen = slices.Grow(b.seen[:0], len(b.digests))[:len(b.digests)]
	if err := h.p.o.Store.SeenBefore(ctx, h.src, now, b.digests, b.seen); err != nil {
		return err
	}
	seenBefore := b.seenBefore
	clear(seenBefore)
	for i, d := range b.digests {
		if b.seen[i] {
			seenBefore[d] = true
		}
	}
	b.dropOut = slices.Grow(b.dropOut[:0], len(h.out))[:len(h.out)]
	clear(b.dropOut)
	dropped := 0
	for i, p := range b.posts {
		if p.digest == "" || !seenBefore[p.digest] && b.first[p.digest] == i {
			continue // no id, or the first copy of a new post
		}
		dropped++
		h.takeBack(&p)
		if p.out >= 0 {
			b.dropOut[p.out] = true
		}
	}
	for _, d := range b.digests {
		if !seenBefore[d] {
			h.delta.MarkSeen(now, d)
		}
	}
	if dropped == 0 {
		return nil
	}
	h.p.m.Duplicates.Add(float64(dropped))
	if len(h.out) > 0 {
		kept := h.out[:0]
		for i, m := range h.out {
			if !b.dropOut[i] {
				kept = append(kept, m)
			}
		}
		clear(h.out[len(kept):])
		h.out = kept
	}
	// Evidence: no sample of a post applied before, and one per post.
	for f, ss := range h.samples {
		kept := ss[:0]
		have := map[string]bool{}
		for _, s := range ss {
			d := impactmatrix.IDDigest(s.ID)
			if s.ID != "" && (seenBefore[d] || have[d]) {
				continue
			}
			have[d] = true
			kept = append(kept, s)
		}
		h.samples[f] = kept
	}
	return nil
}

// takeBack removes what post p added to the delta and the metrics.
func (h *partition) takeBack(p *postRec) {
	for _, m := range h.mentions[p.mention0 : p.mention0+p.mentN] {
		h.delta.Remove(p.t, m.feature, m.class, m.score, p.reach)
		fc := featureClass{m.feature, m.class}
		if h.featureCounts[fc]--; h.featureCounts[fc] == 0 {
			delete(h.featureCounts, fc)
		}
	}
	h.delta.UncountPost()
	h.classCounts[p.class]--
}
