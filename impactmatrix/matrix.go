package impactmatrix

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// Class is a sentiment class, a column of the matrix.
type Class uint8

// The classes, in column order. Unscored counts posts in a language the
// sentiment model does not support: they are counted, not guessed neutral.
const (
	Negative Class = iota
	Neutral
	Positive
	Unscored
	NumClasses int = iota
)

var classNames = [NumClasses]string{"negative", "neutral", "positive", "unscored"}

// fieldCodes are the short class names used inside Redis hash fields.
var fieldCodes = [NumClasses]string{"neg", "neu", "pos", "uns"}

func (c Class) String() string {
	if int(c) < NumClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", c)
}

// MarshalText encodes the class by name.
func (c Class) MarshalText() ([]byte, error) {
	if int(c) >= NumClasses {
		return nil, fmt.Errorf("impactmatrix: unknown class %d", c)
	}
	return []byte(classNames[c]), nil
}

// ParseClass returns the class with the given name.
func ParseClass(s string) (Class, error) {
	for i, n := range classNames {
		if n == s {
			return Class(i), nil
		}
	}
	return 0, fmt.Errorf("impactmatrix: unknown class %q", s)
}

// OtherFeature is the row for posts that mention no known feature.
const OtherFeature = "other"

// Cell is one feature × class cell over some time span.
type Cell struct {
	// Count is the number of posts.
	Count int64 `json:"count"`
	// ScoreSum is the sum of the posts' sentiment scores (each in [-1, 1]).
	ScoreSum float64 `json:"scoreSum"`
	// ReachSum is the sum of the posts' reach weights (see ReachWeight).
	ReachSum float64 `json:"reachSum"`
}

func (c *Cell) add(o Cell) {
	c.Count += o.Count
	c.ScoreSum += o.ScoreSum
	c.ReachSum += o.ReachSum
}

// ReachWeight turns an author's follower count into the weight a post adds
// to ReachSum: 1 + log10(1 + followers). A post always weighs at least 1; an
// author with a million followers weighs 7, so reach matters without one
// celebrity drowning out everyone else.
func ReachWeight(followers int64) float64 {
	if followers < 0 {
		followers = 0
	}
	return 1 + math.Log10(1+float64(followers))
}

// Row is one feature's cells, indexed by Class.
type Row [NumClasses]Cell

// Total is the row's sum over all classes.
func (r *Row) Total() Cell {
	var t Cell
	for _, c := range r {
		t.add(c)
	}
	return t
}

// Matrix is the feature × class matrix summed over [From, To).
type Matrix struct {
	From, To time.Time
	Rows     map[string]*Row
}

// Row returns the row for feature, creating it if needed.
func (m *Matrix) Row(feature string) *Row {
	if m.Rows == nil {
		m.Rows = make(map[string]*Row)
	}
	r := m.Rows[feature]
	if r == nil {
		r = new(Row)
		m.Rows[feature] = r
	}
	return r
}

// Totals sums the matrix per class over all features. Each post is counted
// once per feature it mentions, so with multi-feature posts this exceeds the
// number of posts; see Posts.
func (m *Matrix) Totals() Row {
	var t Row
	for _, r := range m.Rows {
		for c := range r {
			t[c].add(r[c])
		}
	}
	return t
}

// Features returns the matrix's feature ids, sorted.
func (m *Matrix) Features() []string {
	ids := make([]string, 0, len(m.Rows))
	for id := range m.Rows {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

type jsonCell struct {
	Cell
	MeanScore float64 `json:"meanScore"`
}

type jsonRow struct {
	Feature       string              `json:"feature"`
	Total         int64               `json:"total"`
	NegativeShare float64             `json:"negativeShare"`
	Classes       map[string]jsonCell `json:"classes"`
}

// roundTo rounds v to 1/scale, so the API says 0.75 and -354.143279 rather
// than the binary noise of summed floats (-354.14327899999995). Score sums
// are kept in micro-units, so 1e6 loses nothing.
func roundTo(v, scale float64) float64 { return math.Round(v*scale) / scale }

// MarshalJSON renders the matrix for the HTTP API: rows sorted by feature,
// each with per-class cells, the row total and its negative share (negative
// over scored posts).
func (m *Matrix) MarshalJSON() ([]byte, error) {
	out := struct {
		From string    `json:"from"`
		To   string    `json:"to"`
		Rows []jsonRow `json:"rows"`
	}{From: m.From.UTC().Format(time.RFC3339), To: m.To.UTC().Format(time.RFC3339), Rows: []jsonRow{}}
	for _, id := range m.Features() {
		r := m.Rows[id]
		jr := jsonRow{Feature: id, Classes: make(map[string]jsonCell, NumClasses)}
		for c := range NumClasses {
			cell := r[c]
			jc := jsonCell{Cell: Cell{Count: cell.Count, ScoreSum: roundTo(cell.ScoreSum, 1e6), ReachSum: roundTo(cell.ReachSum, 1e3)}}
			if cell.Count > 0 {
				jc.MeanScore = roundTo(cell.ScoreSum/float64(cell.Count), 1e4)
			}
			jr.Classes[classNames[c]] = jc
			jr.Total += cell.Count
		}
		if scored := jr.Total - r[Unscored].Count; scored > 0 {
			jr.NegativeShare = roundTo(float64(r[Negative].Count)/float64(scored), 1e4)
		}
		out.Rows = append(out.Rows, jr)
	}
	return json.Marshal(out)
}
