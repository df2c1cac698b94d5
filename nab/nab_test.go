package nab

import (
	"math"
	"strings"
	"testing"
	"time"
)

var base = time.Date(2015, 2, 26, 0, 0, 0, 0, time.UTC)

// series returns n timestamps 5 minutes apart.
func series(n int) []time.Time {
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = base.Add(time.Duration(i) * 5 * time.Minute)
	}
	return ts
}

// window covers rows lo..hi of series(n).
func window(lo, hi int) Window {
	return Window{Start: base.Add(time.Duration(lo) * 5 * time.Minute), End: base.Add(time.Duration(hi) * 5 * time.Minute)}
}

func detections(n int, rows ...int) []bool {
	d := make([]bool, n)
	for _, r := range rows {
		d[r] = true
	}
	return d
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScore(t *testing.T) {
	// 200 rows: rows 0..29 are probationary (15%); windows at rows 50..59
	// and 120..139.
	const n = 200
	ts := series(n)
	ws := []Window{window(50, 59), window(120, 139)}
	sig := func(y float64) float64 { return 2/(1+math.Exp(5*y)) - 1 }
	maxTP := sig(-1)

	tests := []struct {
		name    string
		rows    []int
		p       Profile
		wantRaw float64
		wantN   float64 // normalised score
		tp, fp  int
	}{
		{"perfect detector scores 100", []int{50, 120}, Standard, 2, 100, 2, 0},
		{"null detector scores 0", nil, Standard, -2, 0, 0, 0},
		{"only the first detection in a window counts", []int{50, 51, 55, 120, 130}, Standard, 2, 100, 2, 0},
		{"late detection earns the sigmoid of its position",
			[]int{55, 120}, Standard, sig(-5.0/10)/maxTP + 1, 100 * (sig(-0.5)/maxTP + 1 + 2) / 4, 2, 0},
		{"false positive before any window costs A_FP in full",
			[]int{40, 50, 120}, Standard, 2 - 0.11, 100 * (2 - 0.11 + 2) / 4, 2, 1},
		{"false positive just after a window costs little",
			[]int{50, 60, 120}, Standard, 2 + 0.11*sig(1.0/9), 100 * (2 + 0.11*sig(1.0/9) + 2) / 4, 2, 1},
		{"reward low FP doubles the false-positive cost",
			[]int{40, 50, 120}, RewardLowFP, 2 - 0.22, 100 * (2 - 0.22 + 2) / 4, 2, 1},
		{"reward low FN doubles the cost of a miss",
			[]int{50}, RewardLowFN, 1 - 2, 100 * (1 - 2 + 4) / (2 + 4), 1, 0},
		{"detections in the probationary rows are ignored", []int{5, 50, 120}, Standard, 2, 100, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Score(ts, detections(n, tt.rows...), ws, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if !near(res.Raw, tt.wantRaw) {
				t.Errorf("raw %v, want %v", res.Raw, tt.wantRaw)
			}
			if !near(res.Normalized(), tt.wantN) {
				t.Errorf("normalised %v, want %v", res.Normalized(), tt.wantN)
			}
			if res.TP != tt.tp || res.FP != tt.fp || res.FN != 2-tt.tp {
				t.Errorf("TP %d FP %d FN %d, want %d %d %d", res.TP, res.FP, res.FN, tt.tp, tt.fp, 2-tt.tp)
			}
		})
	}
}

func TestEarlierDetectionScoresMore(t *testing.T) {
	const n = 200
	ts := series(n)
	ws := []Window{window(100, 139)}
	prev := math.Inf(1)
	for row := 100; row <= 139; row += 5 {
		res, err := Score(ts, detections(n, row), ws, Standard)
		if err != nil {
			t.Fatal(err)
		}
		if res.Raw >= prev {
			t.Errorf("detection at row %d scores %v, not less than the earlier one (%v)", row, res.Raw, prev)
		}
		if d := res.Windows[0].Delay; d != time.Duration(row-100)*5*time.Minute {
			t.Errorf("delay %v at row %d", d, row)
		}
		prev = res.Raw
	}
}

func TestProbationaryRows(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{100, 15}, {1000, 150}, {5000, 750}, {15902, 750}} {
		if got := ProbationaryRows(tt.n); got != tt.want {
			t.Errorf("ProbationaryRows(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

func TestScaledSigmoidPublishedValues(t *testing.T) {
	for _, tt := range []struct{ y, want float64 }{{-1, 0.98661}, {-0.5, 0.84828}, {0, 0}, {1, -0.98661}, {3, -1}} {
		if got := ScaledSigmoid(tt.y); math.Abs(got-tt.want) > 1e-5 {
			t.Errorf("ScaledSigmoid(%v) = %v, want %v", tt.y, got, tt.want)
		}
	}
}

func TestReadWindows(t *testing.T) {
	in := `{"realTweets/x.csv": [["2015-03-03 04:37:53.000000", "2015-03-04 13:37:53.000000"], ["2015-02-27 00:00:00.000000", "2015-02-27 01:00:00.000000"]], "y.csv": []}`
	ws, err := ReadWindows(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	x := ws["realTweets/x.csv"]
	if len(x) != 2 || !x[0].Start.Before(x[1].Start) {
		t.Fatalf("windows %v: want two, sorted", x)
	}
	if want := time.Date(2015, 3, 3, 4, 37, 53, 0, time.UTC); !x[1].Start.Equal(want) {
		t.Errorf("start %v, want %v", x[1].Start, want)
	}
	for _, bad := range []string{`{"a": [["2015-03-03 04:37:53"]]}`, `{"a": [["x", "y"]]}`, `[`} {
		if _, err := ReadWindows(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadWindows(%s): want an error", bad)
		}
	}
}

func TestScoreRejectsBadInput(t *testing.T) {
	ts := series(10)
	if _, err := Score(ts, make([]bool, 9), nil, Standard); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := Score([]time.Time{base, base}, make([]bool, 2), nil, Standard); err == nil {
		t.Error("repeated timestamps accepted")
	}
	if _, err := Score(ts, make([]bool, 10), []Window{window(2, 5), window(4, 8)}, Standard); err == nil {
		t.Error("overlapping windows accepted")
	}
}
