// Package nab scores anomaly detections the way the Numenta Anomaly
// Benchmark (NAB) does, implemented from its published description (Lavin &
// Ahmad, "Evaluating Real-time Anomaly Detection Algorithms – the Numenta
// Anomaly Benchmark", 2015, and the NAB wiki):
//
//   - Each labelled anomaly has a window of rows around it
//     (labels/combined_windows.json). Only the first detection inside a
//     window counts; it earns A_TP × σ(y)/σ(−1), where y ∈ [−1, 0) is its
//     relative position in the window (−1 at the first row, −(1/width) at
//     the last) and σ(y) = 2/(1+e^{5y}) − 1 is the scaled sigmoid, so the
//     earliest detection earns exactly A_TP and one at the right edge almost
//     nothing.
//   - A window without a detection costs −A_FN.
//   - Every detection outside all windows is a false positive and costs
//     A_FP × σ(y) with σ(y) ≤ 0: y is the distance after the preceding
//     window's last row in units of that window's width (minus one), so a
//     detection just after a window costs little and one far from it (or
//     before any window) costs A_FP in full.
//   - The probationary rows, the first min(⌊0.15·N⌋, 0.15·5000) of a file of
//     N rows, are not scored at all.
//   - Scores are normalised to 100·(raw − null)/(perfect − null), where the
//     null detector (no detections) scores −A_FN per window and the perfect
//     one A_TP per window. Totals over several files are normalised from the
//     summed raw, null and perfect scores, as NAB does for a corpus.
//
// True negatives carry a weight (A_TN = 1) in NAB's profiles but add nothing
// to the score; they are kept in Profile for completeness.
//
// Non-goals: NAB's threshold sweep over continuous anomaly scores (callers
// pass the rows where their detector raised an alert) and running detectors.
package nab

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// Profile is one of NAB's application profiles: the weights of true
// positives, false positives, false negatives and true negatives.
type Profile struct {
	Name               string
	ATP, AFP, AFN, ATN float64
}

// The published NAB profiles (config/profiles.json in the NAB repository).
var (
	Standard    = Profile{Name: "standard", ATP: 1, AFP: 0.11, AFN: 1, ATN: 1}
	RewardLowFP = Profile{Name: "reward_low_FP_rate", ATP: 1, AFP: 0.22, AFN: 1, ATN: 1}
	RewardLowFN = Profile{Name: "reward_low_FN_rate", ATP: 1, AFP: 0.11, AFN: 2, ATN: 1}
)

// Profiles returns the three published profiles in NAB's usual order.
func Profiles() []Profile { return []Profile{Standard, RewardLowFP, RewardLowFN} }

// Window is one labelled anomaly window; both ends are included.
type Window struct {
	Start, End time.Time
}

// TimeLayout is the layout of timestamps in NAB's data and label files.
const TimeLayout = "2006-01-02 15:04:05"

// ParseTime parses a NAB timestamp ("2015-02-26 21:42:53", optionally with
// fractional seconds) as UTC.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02 15:04:05.999999999", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("nab: timestamp %q: %w", s, err)
	}
	return t, nil
}

// ReadWindows reads a combined_windows.json file: a map from data file path
// (such as "realTweets/Twitter_volume_AAPL.csv") to its [start, end] pairs.
func ReadWindows(r io.Reader) (map[string][]Window, error) {
	var raw map[string][][]string
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("nab: windows: %w", err)
	}
	out := make(map[string][]Window, len(raw))
	for file, ws := range raw {
		out[file] = make([]Window, 0, len(ws)) // a file without anomalies has none
		for _, w := range ws {
			if len(w) != 2 {
				return nil, fmt.Errorf("nab: windows of %s: want [start, end], got %q", file, w)
			}
			start, err := ParseTime(w[0])
			if err != nil {
				return nil, err
			}
			end, err := ParseTime(w[1])
			if err != nil {
				return nil, err
			}
			if end.Before(start) {
				return nil, fmt.Errorf("nab: windows of %s: end %s before start %s", file, w[1], w[0])
			}
			out[file] = append(out[file], Window{Start: start, End: end})
		}
		slices.SortFunc(out[file], func(a, b Window) int { return a.Start.Compare(b.Start) })
	}
	return out, nil
}

// ProbationaryRows returns how many leading rows of an n-row file NAB leaves
// unscored: min(⌊0.15·n⌋, 0.15·5000).
func ProbationaryRows(n int) int {
	return min(int(math.Floor(0.15*float64(n))), 750)
}

// ScaledSigmoid is NAB's reward curve: 2/(1+e^{5y}) − 1 for y < 3, and −1
// from 3 on. σ(−1) ≈ 0.9866, σ(−0.5) ≈ 0.8483, σ(0) = 0, σ(1) ≈ −0.9866.
func ScaledSigmoid(y float64) float64 {
	if y >= 3 {
		return -1
	}
	return 2/(1+math.Exp(5*y)) - 1
}

// WindowResult is how one window was scored.
type WindowResult struct {
	Window
	// Detected reports whether a scorable detection fell inside the window.
	Detected bool
	// First is the timestamp of the first scorable detection in the window.
	First time.Time
	// Delay is First − Start.
	Delay time.Duration
	// Score is the window's contribution: the weighted reward, or −A_FN.
	Score float64
}

// Result is the score of one file under one profile.
type Result struct {
	Profile Profile
	// Raw is the weighted score; Null and Perfect are the raw scores of the
	// null and the perfect detector on the same file.
	Raw, Null, Perfect float64
	// TP and FN count windows; FP counts detections outside every window.
	TP, FP, FN int
	// FPScore is the (negative) total of the false-positive penalties.
	FPScore float64
	Windows []WindowResult
}

// Normalized returns 100·(Raw − Null)/(Perfect − Null), or 0 for a file
// without scorable windows.
func (r Result) Normalized() float64 { return Normalize(r.Raw, r.Null, r.Perfect) }

// Normalize maps a raw score onto NAB's scale: null detector 0, perfect 100.
func Normalize(raw, null, perfect float64) float64 {
	if perfect == null {
		return 0
	}
	return 100 * (raw - null) / (perfect - null)
}

// Score scores the detections of one file. timestamps are the file's rows in
// order; detected[i] reports whether the detector raised an alert on row i;
// windows are the file's labelled windows, sorted and not overlapping. A row
// belongs to a window when Start ≤ timestamp ≤ End.
func Score(timestamps []time.Time, detected []bool, windows []Window, p Profile) (Result, error) {
	if len(timestamps) != len(detected) {
		return Result{}, fmt.Errorf("nab: %d timestamps but %d detections", len(timestamps), len(detected))
	}
	for i := 1; i < len(timestamps); i++ {
		if !timestamps[i].After(timestamps[i-1]) {
			return Result{}, fmt.Errorf("nab: timestamps not increasing at row %d", i)
		}
	}
	for i := 1; i < len(windows); i++ {
		if !windows[i].Start.After(windows[i-1].End) {
			return Result{}, fmt.Errorf("nab: windows %d and %d overlap or are not sorted", i-1, i)
		}
	}
	// Row span of each window.
	type span struct{ lo, hi int } // inclusive; lo > hi when empty
	spans := make([]span, len(windows))
	for k, w := range windows {
		lo, _ := slices.BinarySearchFunc(timestamps, w.Start, func(t, x time.Time) int { return t.Compare(x) })
		hi, found := slices.BinarySearchFunc(timestamps, w.End, func(t, x time.Time) int { return t.Compare(x) })
		if !found {
			hi--
		}
		spans[k] = span{lo, hi}
	}
	maxTP := ScaledSigmoid(-1)
	prob := ProbationaryRows(len(timestamps))
	res := Result{Profile: p, Windows: make([]WindowResult, len(windows))}

	for k, w := range windows {
		sp := spans[k]
		wr := WindowResult{Window: w, Score: -p.AFN}
		if sp.hi < prob || sp.lo > sp.hi { // wholly probationary or empty: not scored
			wr.Score = 0
			res.Windows[k] = wr
			continue
		}
		res.Null -= p.AFN
		res.Perfect += p.ATP
		width := float64(sp.hi - sp.lo + 1)
		for i := max(sp.lo, prob); i <= sp.hi; i++ {
			if detected[i] {
				y := -float64(sp.hi-i+1) / width
				wr.Detected, wr.First = true, timestamps[i]
				wr.Delay = timestamps[i].Sub(w.Start)
				wr.Score = p.ATP * ScaledSigmoid(y) / maxTP
				break
			}
		}
		if wr.Detected {
			res.TP++
		} else {
			res.FN++
		}
		res.Raw += wr.Score
		res.Windows[k] = wr
	}

	// False positives: detections outside every window.
	k := 0 // index of the next window not yet passed
	for i := prob; i < len(timestamps); i++ {
		for k < len(spans) && spans[k].hi < i {
			k++
		}
		if k < len(spans) && spans[k].lo <= i {
			continue // inside window k
		}
		if !detected[i] {
			continue
		}
		y := 3.0 // no preceding window: as far away as it gets
		if k > 0 {
			prev := spans[k-1]
			if w := float64(prev.hi - prev.lo); w > 0 {
				y = float64(i-prev.hi) / w
			}
		}
		pen := p.AFP * ScaledSigmoid(y)
		res.FP++
		res.FPScore += pen
		res.Raw += pen
	}
	return res, nil
}
