package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/detect"
	"github.com/socialpulse/socialpulse/nab"
)

// nabSeries are the NAB realTweets files "eval nab" scores, as named in
// labels/combined_windows.json.
var nabSeries = []string{
	"realTweets/Twitter_volume_AAPL.csv",
	"realTweets/Twitter_volume_GOOG.csv",
	"realTweets/Twitter_volume_IBM.csv",
}

// runEvalNAB implements "eval nab": the production detector, with its default
// settings, on NAB's Twitter mention counts, scored with NAB's rules.
func runEvalNAB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("eval nab", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("data", "../shared/data", "dev data directory (with nab/)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "Usage: socialpulse eval nab [--data DIR]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Runs the spike detector with its default settings (exactly as")
		fmt.Fprintln(stderr, "\"backtest --series\") on the NAB realTweets series, takes the rows where an")
		fmt.Fprintln(stderr, "alert fires as detections, and prints NAB scores (standard, reward low FP,")
		fmt.Fprintln(stderr, "reward low FN), detection delays and false positives as a markdown table.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usageErrorf("unexpected arguments: %q", fl.Args())
	}
	root := filepath.Join(*dir, "nab")
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return fmt.Errorf("NAB dev data not found at %s (pass --data DIR): %w", root, orNotDir(err))
	}
	wf, err := os.Open(filepath.Join(root, "labels", "combined_windows.json"))
	if err != nil {
		return err
	}
	windows, err := nab.ReadWindows(wf)
	wf.Close()
	if err != nil {
		return err
	}

	profiles := nab.Profiles()
	type row struct {
		name    string
		results []nab.Result
	}
	var rows []row
	for _, name := range nabSeries {
		ws, ok := windows[name]
		if !ok {
			return fmt.Errorf("%s: no windows in combined_windows.json", name)
		}
		ts, detected, err := nabDetections(ctx, filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		r := row{name: strings.TrimSuffix(filepath.Base(name), ".csv")}
		for _, p := range profiles {
			res, err := nab.Score(ts, detected, ws, p)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			r.results = append(r.results, res)
		}
		rows = append(rows, r)
	}

	fmt.Fprintln(stdout, "### NAB realTweets, detector defaults (`socialpulse eval nab`)")
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "Scores are normalised so the null detector scores 0 and a perfect one 100; the")
	fmt.Fprintln(stdout, "total is normalised from the summed raw scores. Delays are minutes from the start")
	fmt.Fprintln(stdout, "of each labelled window to the first alert in it (\"miss\" if none); FP counts")
	fmt.Fprintln(stdout, "alerts outside every window after the probationary rows.")
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "| series | standard | reward low FP | reward low FN | windows detected | delays (min) | FP |")
	fmt.Fprintln(stdout, "|---|---:|---:|---:|---:|---|---:|")
	sumRaw := make([]float64, len(profiles))
	sumNull := make([]float64, len(profiles))
	sumPerfect := make([]float64, len(profiles))
	var tp, nWin, fp int
	for _, r := range rows {
		var delays []string
		for _, w := range r.results[0].Windows {
			if w.Detected {
				delays = append(delays, fmt.Sprintf("%.0f", w.Delay.Minutes()))
			} else {
				delays = append(delays, "miss")
			}
		}
		std := r.results[0]
		fmt.Fprintf(stdout, "| %s | %.1f | %.1f | %.1f | %d/%d | %s | %d |\n", r.name,
			r.results[0].Normalized(), r.results[1].Normalized(), r.results[2].Normalized(),
			std.TP, std.TP+std.FN, strings.Join(delays, ", "), std.FP)
		for i, res := range r.results {
			sumRaw[i] += res.Raw
			sumNull[i] += res.Null
			sumPerfect[i] += res.Perfect
		}
		tp += std.TP
		nWin += std.TP + std.FN
		fp += std.FP
	}
	total := make([]float64, len(profiles))
	for i := range profiles {
		total[i] = nab.Normalize(sumRaw[i], sumNull[i], sumPerfect[i])
	}
	fmt.Fprintf(stdout, "| **total** | **%.1f** | **%.1f** | **%.1f** | %d/%d | | %d |\n",
		total[0], total[1], total[2], tp, nWin, fp)
	fmt.Fprintln(stdout)
	return nil
}

// nabDetections runs the backtest on one NAB data file and returns its
// timestamps and the rows where an alert fired.
func nabDetections(ctx context.Context, path string) ([]time.Time, []bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var ts []time.Time
	var detected []bool
	var bt backtester
	err = bt.run(ctx, f, func(r seriesRow, d detect.Decision, _ float64) error {
		ts = append(ts, r.t)
		detected = append(detected, d.Event == detect.EventFire)
		return nil
	})
	return ts, detected, err
}
