package evaluate

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/detect"
	"github.com/socialpulse/socialpulse/nab"
)

// stepsOf converts a duration into steps of c.Step, at least min.
func stepsOf(c *detect.DetectorConfig, d time.Duration, min int) int {
	return max(min, int(d/c.Step))
}

// nabVariants are the detector designs "eval nab --variants" and "eval
// surges --variant" measure beside the defaults: each is one setting for
// every series, a change to the defaults at the series' step, and each uses
// only options of detect.DetectorConfig that are off by default.
var nabVariants = []nabSetting{
	{"defaults", func(*detect.DetectorConfig) {}},
	{"likelihood", func(c *detect.DetectorConfig) {
		// judge the hour's mean of ln(1+surprise) against its last week
		c.LikelihoodSteps = stepsOf(c, 7*24*time.Hour, 1)
		c.LikelihoodAvgSteps = stepsOf(c, time.Hour, 1)
		c.LikelihoodAlpha = 1e-2
	}},
	{"level-floor", func(c *detect.DetectorConfig) { c.LevelFloor = 0.25 }},
	{"long-window", func(c *detect.DetectorConfig) { c.LongEvalSteps = stepsOf(c, 30*time.Minute, 2) }},
	{"volume-novelty", func(c *detect.DetectorConfig) {
		// the previous default: the count must beat the second-busiest day
		// of the last two weeks, without the seasonal-residual view
		c.CalibrateVolume = true
		c.CalibrationSteps = 14 * c.CalibrationBlockSteps
		c.CalibrationRank = 2
		c.ResidualDays = 0
	}},
	{"volume-novelty+long-window", func(c *detect.DetectorConfig) {
		c.CalibrateVolume = true
		c.CalibrationSteps = 14 * c.CalibrationBlockSteps
		c.CalibrationRank = 2
		c.ResidualDays = 0
		c.LongEvalSteps = stepsOf(c, time.Hour, 2)
	}},
	{"seasonal-esd", func(c *detect.DetectorConfig) {
		// the residual against the hour of the day replaces novelty
		seasonalESD(c)
		c.ResidualAlone = true
	}},
	{"novelty+seasonal-esd", func(c *detect.DetectorConfig) {
		// the view beside the previous default (second-busiest day)
		seasonalESD(c)
		c.CalibrationRank = 2
	}},
	{"novelty+seasonal-esd-30m", func(c *detect.DetectorConfig) {
		seasonalESD(c)
		c.CalibrationRank = 2
		c.ResidualConfirmSteps = stepsOf(c, 30*time.Minute, 1)
	}},
}

// seasonalESD is the seasonal-residual view as the defaults set it: two
// weeks of per-hour-of-day medians and MADs, a robust z of 8 held for an
// hour. The variants spell it out so they keep their meaning if the
// defaults change.
func seasonalESD(c *detect.DetectorConfig) {
	c.ResidualDays = 14
	c.ResidualZ = 8
	c.ResidualConfirmSteps = stepsOf(c, time.Hour, 1)
}

// NABVariants returns the names of the detector designs "eval nab
// --variants" measures, the defaults first.
func NABVariants() []string {
	names := make([]string, len(nabVariants))
	for i, v := range nabVariants {
		names[i] = v.name
	}
	return names
}

// nabVariant returns the variant of that name.
func nabVariant(name string) (nabSetting, error) {
	var names []string
	for _, v := range nabVariants {
		if v.name == name {
			return v, nil
		}
		names = append(names, v.name)
	}
	return nabSetting{}, fmt.Errorf("unknown variant %q (want one of %s)", name, strings.Join(names, ", "))
}

// variantGrid is the leave-one-series-out grid around a variant: the variant
// itself, then each knob of the defaults' grid moved one notch either way.
func variantGrid(v nabSetting) []nabSetting {
	out := make([]nabSetting, len(nabGrid))
	for i, g := range nabGrid {
		out[i] = nabSetting{g.name, func(c *detect.DetectorConfig) { v.apply(c); g.apply(c) }}
	}
	return out
}

// scoreSetting runs one setting over files and scores every profile.
func scoreSetting(ctx context.Context, files []nabFile, s nabSetting, profiles []nab.Profile) ([][]nab.Result, error) {
	out := make([][]nab.Result, len(files))
	for i := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cfg := detect.DefaultDetectorConfig(files[i].step)
		s.apply(&cfg)
		det, err := nabDetect(&files[i], cfg)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %w", files[i].name, s.name, err)
		}
		for _, p := range profiles {
			res, err := nab.Score(files[i].ts, det, files[i].windows, p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", files[i].name, err)
			}
			out[i] = append(out[i], res)
		}
	}
	return out, nil
}

// losoResults picks, for each file, the grid setting with the best mean of
// the two groups' standard totals on all the other files, and returns that
// setting's results on the file left out.
func losoResults(files []nabFile, scores [][][]nab.Result) [][]nab.Result {
	loso := make([][]nab.Result, len(files))
	for i := range files {
		best, bestObj := 0, math.Inf(-1)
		for g := range scores {
			var sum float64
			var n int
			for _, tweets := range []bool{true, false} {
				var idx []int
				for j := range files {
					if j != i && files[j].tweets == tweets {
						idx = append(idx, j)
					}
				}
				if len(idx) > 0 {
					sum += nabTotals(scores[g], idx, 1)[0]
					n++
				}
			}
			if o := sum / float64(max(n, 1)); o > bestObj+1e-9 {
				best, bestObj = g, o
			}
		}
		loso[i] = scores[best][i]
	}
	return loso
}

// printNABVariants scores every variant on all series and the low-count
// proxies, with its leave-one-series-out totals over the grid around it.
func printNABVariants(ctx context.Context, w io.Writer, files []nabFile, proxies []nabProxy, profiles []nab.Profile) error {
	var tw, ot, px []int
	for i := range files {
		if files[i].tweets {
			tw = append(tw, i)
		} else {
			ot = append(ot, i)
		}
	}
	pf := make([]nabFile, len(proxies))
	for i := range proxies {
		pf[i] = proxies[i].nabFile
		px = append(px, i)
	}
	fp := func(res [][]nab.Result, idx []int) int {
		n := 0
		for _, i := range idx {
			n += res[i][0].FP
		}
		return n
	}
	three := func(res [][]nab.Result, idx []int) string {
		if len(idx) == 0 {
			return "– | – | –"
		}
		t := nabTotals(res, idx, len(profiles))
		return fmt.Sprintf("%.1f | %.1f | %.1f", t[0], t[1], t[2])
	}
	fmt.Fprintln(w, "### Detector designs measured (`socialpulse eval nab --variants`)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Each row is one setting for every series (standard / reward low FP / reward low FN")
	fmt.Fprintln(w, "totals, FP = alerts outside every window). LOSO: for each series the setting of the")
	fmt.Fprintln(w, "grid around the row (the row, then each knob of the defaults' grid one notch either way)")
	fmt.Fprintln(w, "with the best mean of the two groups' standard totals on the other series, scored on")
	fmt.Fprintln(w, "the series left out.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| design | realTweets dev: std | low FP | low FN | FP | LOSO: std | low FP | low FN | other: std | low FP | low FN | FP | LOSO: std | low FP | low FN | proxies: std | low FP | low FN | FP |")
	fmt.Fprintln(w, "|---|"+strings.Repeat("---:|", 19))
	for _, v := range nabVariants {
		grid := variantGrid(v)
		scores := make([][][]nab.Result, len(grid))
		for g, s := range grid {
			var err error
			if scores[g], err = scoreSetting(ctx, files, s, profiles); err != nil {
				return err
			}
		}
		prox, err := scoreSetting(ctx, pf, v, profiles)
		if err != nil {
			return err
		}
		loso := losoResults(files, scores)
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %d | %s | %s | %d |\n", v.name,
			three(scores[0], tw), fp(scores[0], tw), three(loso, tw),
			three(scores[0], ot), fp(scores[0], ot), three(loso, ot),
			three(prox, px), fp(prox, px))
	}
	fmt.Fprintln(w)
	return nil
}
