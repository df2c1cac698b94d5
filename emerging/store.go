package emerging

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// maxSampleBytes bounds a sample post's text in a Term.
const maxSampleBytes = 280

// store counts terms in event-time buckets held in a ring that spans the
// trailing window plus the baseline. It is not safe for concurrent use;
// Miner guards it with a mutex.
type store struct {
	bucket   time.Duration
	slots    []slot
	terms    map[string]*entry
	maxTerms int
	samples  int
	head     int64 // newest bucket index seen
	first    int64 // oldest bucket index counted since start (coverage)
	started  bool
	evicted  int // entries evicted by the cap, for tests and logs
}

type slot struct {
	idx    int64 // bucket index this slot holds
	posts  int   // posts mined into this bucket
	counts map[*entry]int
}

// entry is one distinct term. slots counts the ring slots that hold it; at
// zero the term has no counts left and is forgotten.
type entry struct {
	text, kind string
	firstSeen  time.Time
	lastSeen   time.Time
	total      int // count over the whole ring
	slots      int
	samples    []string // ring of the newest sample posts
	next       int
}

func newStore(bucket, span time.Duration, maxTerms, samples int) *store {
	n := int(span/bucket) + 1
	s := &store{bucket: bucket, slots: make([]slot, n), terms: make(map[string]*entry), maxTerms: maxTerms, samples: samples}
	for i := range s.slots {
		s.slots[i] = slot{idx: -1, counts: make(map[*entry]int)}
	}
	return s
}

func (s *store) index(t time.Time) int64 {
	return t.UnixNano() / int64(s.bucket)
}

// add counts one post's candidates at event time at. It returns false when
// the post is older than the ring.
func (s *store) add(cands []candidate, text string, at time.Time) bool {
	idx := s.index(at)
	n := int64(len(s.slots))
	if s.started && idx <= s.head-n {
		return false
	}
	if !s.started || idx < s.first {
		s.first = idx
	}
	if !s.started || idx > s.head {
		// Reuse every slot the head passes, so terms counted only in
		// buckets that left the ring are forgotten now.
		from := idx - n + 1
		if s.started {
			from = max(from, s.head+1)
		}
		for i := from; i <= idx; i++ {
			s.reset(&s.slots[i%n], i)
		}
		s.head = idx
		s.started = true
		if s.first <= s.head-n {
			s.first = s.head - n + 1
		}
	}
	sl := &s.slots[idx%n]
	if sl.idx != idx { // an older bucket whose slot was never used
		s.reset(sl, idx)
	}
	sl.posts++
	if len(text) > maxSampleBytes {
		text = truncate(text, maxSampleBytes)
	}
	for _, c := range cands {
		e := s.terms[c.text]
		if e == nil {
			if len(s.terms) >= s.maxTerms {
				s.evict()
			}
			e = &entry{text: c.text, kind: c.kind, firstSeen: at, lastSeen: at}
			s.terms[c.text] = e
		}
		if at.Before(e.firstSeen) {
			e.firstSeen = at
		}
		if at.After(e.lastSeen) {
			e.lastSeen = at
		}
		if sl.counts[e] == 0 {
			e.slots++
		}
		sl.counts[e]++
		e.total++
		if s.samples > 0 {
			if len(e.samples) < s.samples {
				e.samples = append(e.samples, text)
			} else {
				e.samples[e.next] = text
				e.next = (e.next + 1) % s.samples
			}
		}
	}
	return true
}

// reset reuses sl for bucket idx, forgetting terms counted only there.
func (s *store) reset(sl *slot, idx int64) {
	for e, c := range sl.counts {
		e.total -= c
		e.slots--
		if e.slots == 0 && s.terms[e.text] == e {
			delete(s.terms, e.text)
		}
	}
	clear(sl.counts)
	sl.idx, sl.posts = idx, 0
}

// evict drops the tenth of the terms with the lowest count in the ring,
// least recently seen first among equals.
func (s *store) evict() {
	all := make([]*entry, 0, len(s.terms))
	for _, e := range s.terms {
		all = append(all, e)
	}
	slices.SortFunc(all, func(a, b *entry) int {
		if c := cmp.Compare(a.total, b.total); c != 0 {
			return c
		}
		return a.lastSeen.Compare(b.lastSeen)
	})
	victims := all[:max(1, len(all)/10)]
	for _, e := range victims {
		delete(s.terms, e.text)
	}
	for i := range s.slots {
		for _, e := range victims {
			delete(s.slots[i].counts, e)
		}
	}
	s.evicted += len(victims)
}

// snapshot ranks the terms rising in the window ending at now against the
// rest of the ring. A term rises when it has at least minCount posts in
// the window and its share of the window's posts is at least minGrowth
// times its baseline share (smoothed by one post, so a term new in the
// window grows by its count), and the rise is at least minZ standard
// deviations from chance (see surprise).
func (s *store) snapshot(now time.Time, window time.Duration, minCount int, minGrowth, minZ float64) []Term {
	n := int64(len(s.slots))
	end := s.index(now)
	wb := int64(window / s.bucket)
	if !s.started || wb < 1 || wb >= n {
		return nil
	}
	// Baseline: the ring's buckets before the window, back to the first
	// bucket seen. Until half of it is covered, shares are too noisy to
	// compare: nothing rises while the miner warms up.
	baseFrom, baseTo := max(end-n+1, s.first), end-wb // [baseFrom, baseTo]
	if baseTo-baseFrom+1 < max(wb, (n-1-wb)/2) {
		return nil
	}
	win := make(map[*entry]int)
	winPosts := 0
	for i := end - wb + 1; i <= end; i++ {
		if sl := &s.slots[i%n]; sl.idx == i {
			winPosts += sl.posts
			for e, c := range sl.counts {
				win[e] += c
			}
		}
	}
	basePosts := 0
	for i := baseFrom; i <= baseTo; i++ {
		if sl := &s.slots[i%n]; sl.idx == i {
			basePosts += sl.posts
		}
	}
	var out []Term
	for e, c := range win {
		if c < minCount {
			continue
		}
		base := 0
		for i := baseFrom; i <= baseTo; i++ {
			if sl := &s.slots[i%n]; sl.idx == i {
				base += sl.counts[e]
			}
		}
		expected := 0.0
		if basePosts > 0 {
			expected = float64(base) / float64(basePosts) * float64(winPosts)
		}
		growth := float64(c) / (expected + 1)
		if growth < minGrowth || surprise(c, base, winPosts, basePosts) < minZ {
			continue
		}
		out = append(out, Term{Text: e.text, Kind: e.kind, Count: c, Baseline: round2(expected), Growth: round2(growth),
			Samples: e.sampleList(), FirstSeen: e.firstSeen})
	}
	out = dropExplained(out)
	slices.SortFunc(out, func(a, b Term) int {
		if c := cmp.Compare(b.Growth, a.Growth); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Text, b.Text)
	})
	return out
}

// surprise is the z-score of c, the term's count in the window, given that
// c+base posts mention it: if its share had not changed, c would be
// binomial(c+base, winPosts/(winPosts+basePosts)). A term with no baseline
// at all scores its count's distance from zero in the same units.
func surprise(c, base, winPosts, basePosts int) float64 {
	n := float64(c + base)
	p := float64(winPosts) / float64(winPosts+basePosts)
	if basePosts == 0 || p >= 1 {
		return 0
	}
	return (float64(c) - n*p) / math.Sqrt(n*p*(1-p))
}

// dropExplained removes a rising word or phrase that is part of a longer
// rising phrase with nearly the same count ("gift" and "card" when "gift
// card" rises): the longer term says it better.
func dropExplained(ts []Term) []Term {
	keep := make([]Term, 0, len(ts))
	for i, t := range ts {
		explained := false
		for j, p := range ts {
			if i != j && p.Kind == KindPhrase && len(p.Text) > len(t.Text) && containsWords(p.Text, t.Text) &&
				float64(p.Count) >= 0.8*float64(t.Count) {
				explained = true
				break
			}
		}
		if !explained {
			keep = append(keep, t)
		}
	}
	return keep
}

// containsWords reports whether phrase contains sub as whole words.
func containsWords(phrase, sub string) bool {
	return strings.Contains(" "+phrase+" ", " "+sub+" ")
}

func (e *entry) sampleList() []string {
	out := make([]string, 0, len(e.samples))
	// Newest first.
	for i := range e.samples {
		k := (e.next - 1 - i + 2*len(e.samples)) % len(e.samples)
		out = append(out, e.samples[k])
	}
	return out
}

func round2(f float64) float64 {
	return float64(int64(f*100+0.5)) / 100
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
