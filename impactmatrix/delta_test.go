package impactmatrix

import (
	"math"
	"testing"
	"time"
)

func TestDeltaGroupsByBucketFeatureAndClass(t *testing.T) {
	d := NewDelta(time.Minute)
	d.Add(t0.Add(10*time.Second), "payment", Negative, -0.9, 2)
	d.Add(t0.Add(59*time.Second), "payment", Negative, -0.1, 1)
	d.Add(t0.Add(60*time.Second), "payment", Negative, -0.5, 1) // next bucket
	d.Add(t0.Add(5*time.Second), "payment", Positive, 0.5, 1)
	d.Add(t0.Add(-time.Second), OtherFeature, Neutral, 0, 1) // previous bucket
	if d.Len() != 4 {
		t.Fatalf("Len = %d, want 4 cells", d.Len())
	}
	m := d.Matrix()
	neg := m.Rows["payment"][Negative]
	if neg.Count != 3 || math.Abs(neg.ScoreSum+1.5) > 1e-9 || math.Abs(neg.ReachSum-4) > 1e-9 {
		t.Fatalf("payment negative = %+v", neg)
	}
	tot := m.Totals()
	if tot[Negative].Count != 3 || tot[Positive].Count != 1 || tot[Neutral].Count != 1 {
		t.Fatalf("totals = %+v", tot)
	}
	d.Reset()
	if d.Len() != 0 || d.Posts() != 0 {
		t.Fatal("Reset left cells")
	}
}

func TestDeltaIgnoresNonFiniteScores(t *testing.T) {
	d := NewDelta(time.Minute)
	d.Add(t0, "cart", Neutral, math.NaN(), math.Inf(1))
	c := d.Matrix().Rows["cart"][Neutral]
	if c.Count != 1 || c.ScoreSum != 0 || c.ReachSum != 0 {
		t.Fatalf("cell = %+v", c)
	}
}

func TestReachWeight(t *testing.T) {
	tests := []struct {
		followers int64
		want      float64
	}{{0, 1}, {-5, 1}, {9, 2}, {999_999, 7}}
	for _, tt := range tests {
		if got := ReachWeight(tt.followers); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("ReachWeight(%d) = %v, want %v", tt.followers, got, tt.want)
		}
	}
}

func TestClassNames(t *testing.T) {
	for c := range NumClasses {
		got, err := ParseClass(Class(c).String())
		if err != nil || got != Class(c) {
			t.Errorf("round trip of %v: %v %v", Class(c), got, err)
		}
	}
	if _, err := ParseClass("angry"); err == nil {
		t.Error("unknown class parsed")
	}
}

func BenchmarkDeltaAdd(b *testing.B) {
	d := NewDelta(time.Minute)
	feats := []string{"checkout", "payment", "login", OtherFeature}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Add(t0.Add(time.Duration(i%600)*time.Second), feats[i%4], Class(i%3), -0.5, 1.5)
		i++
		if i%1000 == 0 {
			d.Reset()
		}
	}
}
