package impactmatrix

import (
	"math"
	"time"
)

// microUnits is the fixed-point scale for score and reach sums in Redis:
// integer increments make sums exact and independent of write order.
const microUnits = 1e6

type deltaKey struct {
	bucket  int64 // bucket start, unix seconds
	feature string
	class   Class
}

type rawCell struct {
	n, score, reach int64 // score and reach in micro units
}

// Delta accumulates a batch's increments in memory, keyed by event-time
// bucket, feature and class. It is not safe for concurrent use.
type Delta struct {
	bucket int64 // seconds
	cells  map[deltaKey]*rawCell
	posts  int
	seenAt time.Time // see MarkSeen
	seen   []string  // digests of the posts counted, when deduplicating
	// authors are the authors of negative mentions, for the distinct-author
	// sketches (see authors.go).
	authors []authorMark
}

// NewDelta returns an empty Delta with the given bucket width.
func NewDelta(bucket time.Duration) *Delta {
	return &Delta{bucket: int64(bucket / time.Second), cells: make(map[deltaKey]*rawCell)}
}

// Add counts one mention of feature with the given class, score in [-1, 1]
// and reach weight, at event time t. The feature string is kept, so it must
// not alias a reused buffer.
func (d *Delta) Add(t time.Time, feature string, class Class, score, reach float64) {
	c := d.cell(t, feature, class)
	c.n++
	c.score += toMicro(score)
	c.reach += toMicro(reach)
}

// cell returns the cell of t's bucket, feature and class, creating it.
func (d *Delta) cell(t time.Time, feature string, class Class) *rawCell {
	k := deltaKey{bucket: floorDiv(t.Unix(), d.bucket) * d.bucket, feature: feature, class: class}
	c := d.cells[k]
	if c == nil {
		c = new(rawCell)
		d.cells[k] = c
	}
	return c
}

// CountPost records that one post went into this delta (for metrics; a post
// with several features adds several cells but one post).
func (d *Delta) CountPost() { d.posts++ }

// Posts is the number of posts counted with CountPost since the last Reset.
func (d *Delta) Posts() int { return d.posts }

// Len is the number of distinct cells in the delta.
func (d *Delta) Len() int { return len(d.cells) }

// Reset empties the delta for reuse.
func (d *Delta) Reset() {
	clear(d.cells)
	d.posts = 0
	d.seen = d.seen[:0]
	d.authors = d.authors[:0]
}

// Matrix returns the delta summed over all buckets, for tests and tools.
func (d *Delta) Matrix() *Matrix {
	m := &Matrix{}
	for k, c := range d.cells {
		m.Row(k.feature)[k.class].add(c.cell())
	}
	return m
}

func (c *rawCell) cell() Cell {
	return Cell{Count: c.n, ScoreSum: float64(c.score) / microUnits, ReachSum: float64(c.reach) / microUnits}
}

func toMicro(v float64) int64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return int64(math.Round(v * microUnits))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
