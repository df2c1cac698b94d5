package evaluate

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/detect"
	"github.com/socialpulse/socialpulse/nab"
)

// surgeKind is one kind of injected surge: the count is multiplied by factor
// for minutes one-minute buckets, or, for a ramp, by a factor that grows
// linearly from 1 to factor over the minutes.
type surgeKind struct {
	factor  float64
	minutes int
	ramp    bool
}

func (k surgeKind) String() string {
	if k.ramp {
		return fmt.Sprintf("ramp to ×%g over %d min", k.factor, k.minutes)
	}
	return fmt.Sprintf("×%g for %d min", k.factor, k.minutes)
}

// surgeKinds are the surges "eval surges" injects.
var surgeKinds = []surgeKind{
	{2, 10, false}, {2, 30, false}, {2, 60, false},
	{3, 10, false}, {3, 30, false}, {3, 60, false},
	{5, 10, false}, {5, 30, false}, {5, 60, false},
	{3, 60, true}, {5, 120, true},
}

const (
	// surgeFirstDay is the day of a series at which the first surge is
	// injected (after two weeks of history, the calibration horizon); later
	// ones follow every surgeEveryDays days, at a different hour each time.
	surgeFirstDay  = 15
	surgeEveryDays = 3
	surgePositions = 10
	// surgeGraceMinutes: an alert up to this long after a surge ends still
	// counts as catching it (the evaluation window trails by a bucket or two).
	surgeGraceMinutes = 2
)

// SurgesOptions configure Surges.
type SurgesOptions struct {
	// Data is the dev data directory, with nab/.
	Data string
	// Seed seeds the one-minute split and the injected counts.
	Seed uint64
	// Variant is the detector design, one of NABVariants.
	Variant string
	// Out receives the markdown tables.
	Out io.Writer
}

// Surges injects surges of known size and length into one-minute counts
// split from the NAB realTweets dev series, runs the detector with the
// design o.Variant (the defaults unless set), and prints per surge kind the
// detection rate and delay, and the alerts per series-week on the untouched
// series ("socialpulse eval surges").
func Surges(ctx context.Context, o SurgesOptions) error {
	if o.Variant == "" {
		o.Variant = "defaults"
	}
	dir, seed, variant, stdout := &o.Data, &o.Seed, &o.Variant, o.Out
	v, err := nabVariant(*variant)
	if err != nil {
		return err
	}
	config := func(step time.Duration) detect.DetectorConfig {
		c := detect.DefaultDetectorConfig(step)
		v.apply(&c)
		return c
	}
	root := filepath.Join(*dir, "nab")
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return fmt.Errorf("NAB dev data not found at %s (pass --data DIR): %w", root, NotDir(err))
	}
	files, _, err := loadNAB(ctx, root, "")
	if err != nil {
		return err
	}
	// Two views of the same series: the whole volume, and a random tenth of
	// the posts, the size of one feature's share of a product's mentions.
	views := []struct {
		name string
		keep float64
	}{{"whole volume", 1}, {"10% of the posts", 0.1}}
	series := make([][]nabFile, len(views))
	for vi, v := range views {
		for _, f := range files {
			if f.tweets {
				series[vi] = append(series[vi], minuteSeries(f, *seed, v.keep))
			}
		}
	}

	if v.name == "defaults" {
		fmt.Fprintln(stdout, "### Injected surges, detector defaults (`socialpulse eval surges`)")
	} else {
		fmt.Fprintf(stdout, "### Injected surges, design %s (`socialpulse eval surges --variant %s`)\n", v.name, v.name)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "One-minute counts: each 5-minute count of the NAB realTweets dev series (AAPL, GOOG, IBM)")
	fmt.Fprintln(stdout, "split at random over its five minutes; \"10% of the posts\" keeps each post with")
	fmt.Fprintln(stdout, "probability 0.1 first. A surge of ×f adds Poisson((f−1)·m) posts a minute, m being the")
	fmt.Fprintf(stdout, "series' mean per minute over the day before; %d surges per series and kind, one per run,\n", surgePositions)
	fmt.Fprintf(stdout, "from day %d every %d days at a different hour. Caught: an alert fires between the surge's\n", surgeFirstDay, surgeEveryDays)
	fmt.Fprintln(stdout, "start and 2 minutes after its end; delay: minutes from the start to the end of the")
	fmt.Fprintln(stdout, "bucket that fired (median, and the slowest in brackets).")
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, "| surge |")
	for _, v := range views {
		fmt.Fprintf(stdout, " caught, %s | delay (min) |", v.name)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "|---|"+strings.Repeat("---:|---:|", len(views)))
	for _, k := range surgeKinds {
		fmt.Fprintf(stdout, "| %s |", k)
		for vi := range views {
			var delays []float64
			n := 0
			for si := range series[vi] {
				for p := range surgePositions {
					if err := ctx.Err(); err != nil {
						return err
					}
					start := surgeStart(&series[vi][si], p)
					if start < 0 {
						continue
					}
					d, ok, err := runSurge(&series[vi][si], config(series[vi][si].step), k, start, *seed+uint64(1000*si+p))
					if err != nil {
						return err
					}
					n++
					if ok {
						delays = append(delays, d)
					}
				}
			}
			delay := "–"
			if len(delays) > 0 {
				slices.Sort(delays)
				delay = fmt.Sprintf("%.0f (%.0f)", delays[len(delays)/2], delays[len(delays)-1])
			}
			fmt.Fprintf(stdout, " %d/%d | %s |", len(delays), n, delay)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout)

	fmt.Fprintln(stdout, "Alerts on the untouched one-minute series, after the first day (the detector's warm-up),")
	fmt.Fprintln(stdout, "per series-week; \"outside labels\" leaves out alerts inside NAB's labelled anomaly")
	fmt.Fprintln(stdout, "windows (real events, not false alarms):")
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "| series | posts | weeks | alerts / week | outside labels / week |")
	fmt.Fprintln(stdout, "|---|---|---:|---:|---:|")
	for vi, v := range views {
		var allW, allA, allO float64
		for i := range series[vi] {
			f := &series[vi][i]
			weeks, alerts, outside, err := untouchedAlerts(f, config(f.step))
			if err != nil {
				return err
			}
			allW += weeks
			allA += float64(alerts)
			allO += float64(outside)
			fmt.Fprintf(stdout, "| %s | %s | %.1f | %.2f | %.2f |\n", f.short(), v.name, weeks, float64(alerts)/weeks, float64(outside)/weeks)
		}
		fmt.Fprintf(stdout, "| **all** | %s | %.1f | %.2f | %.2f |\n", v.name, allW, allA/allW, allO/allW)
	}
	fmt.Fprintln(stdout)
	return nil
}

// minuteSeries derives a one-minute series from a 5-minute one: each post is
// kept with probability keep, and each count is then split over its five
// minutes uniformly at random (a multinomial split).
func minuteSeries(f nabFile, seed uint64, keep float64) nabFile {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	out := nabFile{name: f.name, tweets: f.tweets, windows: f.windows, step: time.Minute}
	k := int(f.step / time.Minute)
	if k < 1 {
		k = 1
	}
	var parts [60]float64
	for i, t := range f.ts {
		for j := range k {
			parts[j] = 0
		}
		for range int(f.vals[i]) {
			if keep >= 1 || r.Float64() < keep {
				parts[r.IntN(k)]++
			}
		}
		for j := range k {
			out.ts = append(out.ts, t.Add(time.Duration(j)*time.Minute))
			out.vals = append(out.vals, parts[j])
		}
	}
	return out
}

// surgeStart returns the row at which surge p of the series starts, or −1
// when the series is too short.
func surgeStart(f *nabFile, p int) int {
	day := int(24 * time.Hour / f.step)
	hour := int(time.Hour / f.step)
	i := surgeFirstDay*day + p*surgeEveryDays*day + (p*7%24)*hour
	if i+3*hour >= len(f.vals) {
		return -1
	}
	return i
}

// runSurge injects one surge at row start and reports whether the detector
// caught it and with what delay in minutes.
func runSurge(f *nabFile, cfg detect.DetectorConfig, k surgeKind, start int, seed uint64) (delay float64, caught bool, err error) {
	det, err := detect.NewDetector(cfg)
	if err != nil {
		return 0, false, err
	}
	day := int(24 * time.Hour / f.step)
	var m float64
	for _, v := range f.vals[max(0, start-day):start] {
		m += v
	}
	m /= float64(min(start, day))
	r := rand.New(rand.NewPCG(seed, 0x5e))
	n := int(time.Duration(k.minutes) * time.Minute / f.step)
	end := start + n + int(surgeGraceMinutes*time.Minute/f.step)
	for i := 0; i <= end && i < len(f.vals); i++ {
		v := f.vals[i]
		if i >= start && i < start+n {
			factor := k.factor
			if k.ramp {
				factor = 1 + (k.factor-1)*float64(i-start+1)/float64(n)
			}
			v += poissonDraw(r, (factor-1)*m)
		}
		d := det.Observe(f.ts[i], v)
		if i >= start && d.Event == detect.EventFire {
			return f.ts[i].Add(f.step).Sub(f.ts[start]).Minutes(), true, nil
		}
		if i >= start && d.State == detect.StateFiring {
			return 0, false, nil // already firing on its own: not caught by this surge
		}
	}
	return 0, false, nil
}

// untouchedAlerts runs the detector over the series as it is and counts its
// alerts after the first day, and those outside the labelled windows.
func untouchedAlerts(f *nabFile, cfg detect.DetectorConfig) (weeks float64, alerts, outside int, err error) {
	det, err := detect.NewDetector(cfg)
	if err != nil {
		return 0, 0, 0, err
	}
	skip := int(24 * time.Hour / f.step)
	for i, t := range f.ts {
		d := det.Observe(t, f.vals[i])
		if i < skip || d.Event != detect.EventFire {
			continue
		}
		alerts++
		if !inWindows(t, f.windows) {
			outside++
		}
	}
	weeks = float64(len(f.ts)-skip) * f.step.Hours() / (7 * 24)
	return weeks, alerts, outside, nil
}

func inWindows(t time.Time, ws []nab.Window) bool {
	for _, w := range ws {
		if !t.Before(w.Start) && !t.After(w.End) {
			return true
		}
	}
	return false
}

// poissonDraw draws from Poisson(mean): Knuth's method for small means, a
// rounded normal approximation above 30.
func poissonDraw(r *rand.Rand, mean float64) float64 {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return math.Max(0, math.Round(mean+math.Sqrt(mean)*r.NormFloat64()))
	}
	l, k, p := math.Exp(-mean), 0.0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
