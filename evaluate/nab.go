package evaluate

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/backtest"
	"github.com/socialpulse/socialpulse/detect"
	"github.com/socialpulse/socialpulse/nab"
)

// nabSeries are the NAB realTweets files "eval nab" scores, as named in
// labels/combined_windows.json. They are the only social series used for
// development; NAB's other realTweets series judge the product and are never
// read, even when a labels file names them.
var nabSeries = []string{
	"realTweets/Twitter_volume_AAPL.csv",
	"realTweets/Twitter_volume_GOOG.csv",
	"realTweets/Twitter_volume_IBM.csv",
}

// nabOtherDir is the directory of NAB's other (not social) series, relative
// to nab/; its files are named in the labels by their path below it.
const nabOtherDir = "other"

// nabPublished are the published detectors shown beside ours, in the order of
// the tables, with the names of their directories under nab/results.
var nabPublished = []struct{ dir, name string }{
	{"ARTime", "ARTime"},
	{"contextOSE", "CAD OSE"},
	{"numenta", "HTM"},
	{"twitterADVec", "Twitter ADVec"},
	{"windowedGaussian", "windowed Gaussian"},
}

// nabFile is one NAB series held in memory with its labelled windows.
type nabFile struct {
	name    string // as in the labels, e.g. realTweets/Twitter_volume_AAPL.csv
	tweets  bool   // one of the realTweets dev series
	ts      []time.Time
	vals    []float64
	step    time.Duration
	windows []nab.Window
}

// short is the file name without directory and extension.
func (f *nabFile) short() string { return strings.TrimSuffix(filepath.Base(f.name), ".csv") }

// nabSetting is one detector setting of the leave-one-series-out grid: a
// change to the defaults at the series' step.
type nabSetting struct {
	name  string
	apply func(*detect.DetectorConfig)
}

// nabGrid is the small grid that the leave-one-series-out evaluation chooses
// from. Its first entry is the shipped defaults. Each other entry moves one
// knob of the defaults one notch either way, so the leave-one-out total says
// whether the shipped values would still be chosen without the series being
// scored.
var nabGrid = []nabSetting{
	{"defaults", func(*detect.DetectorConfig) {}},
	{"min_volume/2", func(c *detect.DetectorConfig) { c.MinVolume /= 2 }},
	{"min_volume*2", func(c *detect.DetectorConfig) { c.MinVolume *= 2 }},
	{"alpha*1e3", func(c *detect.DetectorConfig) { c.Alpha *= 1e3 }},
	{"alpha/1e3", func(c *detect.DetectorConfig) { c.Alpha /= 1e3 }},
	{"calibration rank-1", func(c *detect.DetectorConfig) { c.CalibrationRank = max(0, c.CalibrationRank-1) }},
	{"calibration rank+1", func(c *detect.DetectorConfig) { c.CalibrationRank++ }},
	{"cooldown/4", func(c *detect.DetectorConfig) { c.CooldownSteps /= 4 }},
	{"cooldown*4", func(c *detect.DetectorConfig) { c.CooldownSteps *= 4 }},
	{"residual z/1.5", func(c *detect.DetectorConfig) { c.ResidualZ /= 1.5 }},
	{"residual z*1.5", func(c *detect.DetectorConfig) { c.ResidualZ *= 1.5 }},
	{"residual confirm/2", func(c *detect.DetectorConfig) { c.ResidualConfirmSteps = max(1, c.ResidualConfirmSteps/2) }},
	{"residual confirm*2", func(c *detect.DetectorConfig) { c.ResidualConfirmSteps *= 2 }},
}

// NABOptions configure NAB.
type NABOptions struct {
	// Data is the dev data directory, with nab/.
	Data string
	// Windows is an optional NAB combined_windows.json with the windows of
	// the series under nab/other (its realTweets entries are ignored).
	Windows string
	// Variants also scores the alternative detector designs, each with its
	// own leave-one-series-out totals.
	Variants bool
	// Out receives the markdown tables.
	Out io.Writer
}

// NABSeries returns the NAB realTweets dev series NAB scores, as named in
// NAB's labels.
func NABSeries() []string { return slices.Clone(nabSeries) }

// NAB runs the production detector, with its default settings (exactly as
// "backtest --series"), on NAB's series, scores it with NAB's rules and
// prints the per-series, published, low-count proxy and leave-one-series-out
// tables ("socialpulse eval nab").
func NAB(ctx context.Context, o NABOptions) error {
	dir, extra, variants, stdout := &o.Data, &o.Windows, &o.Variants, o.Out
	root := filepath.Join(*dir, "nab")
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return fmt.Errorf("NAB dev data not found at %s (pass --data DIR): %w", root, NotDir(err))
	}
	files, unlabelled, err := loadNAB(ctx, root, *extra)
	if err != nil {
		return err
	}
	profiles := nab.Profiles()
	published := readPublished(root, profiles)
	proxies := thinnedProxies(files)

	// Score every file with the defaults and with every grid setting.
	// scores[g][i][p] is setting g on file i under profile p.
	scores := make([][][]nab.Result, len(nabGrid))
	for g, s := range nabGrid {
		scores[g] = make([][]nab.Result, len(files))
		for i := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			cfg := detect.DefaultDetectorConfig(files[i].step)
			s.apply(&cfg)
			det, err := nabDetect(&files[i], cfg)
			if err != nil {
				return fmt.Errorf("%s (%s): %w", files[i].name, s.name, err)
			}
			for _, p := range profiles {
				res, err := nab.Score(files[i].ts, det, files[i].windows, p)
				if err != nil {
					return fmt.Errorf("%s: %w", files[i].name, err)
				}
				scores[g][i] = append(scores[g][i], res)
			}
		}
	}

	// The low-count proxies, with every grid setting.
	proxyScores := make([][][]nab.Result, len(nabGrid))
	for g, s := range nabGrid {
		for i := range proxies {
			cfg := detect.DefaultDetectorConfig(proxies[i].step)
			s.apply(&cfg)
			det, err := nabDetect(&proxies[i].nabFile, cfg)
			if err != nil {
				return err
			}
			var rs []nab.Result
			for _, p := range profiles {
				res, err := nab.Score(proxies[i].ts, det, proxies[i].windows, p)
				if err != nil {
					return err
				}
				rs = append(rs, res)
			}
			proxyScores[g] = append(proxyScores[g], rs)
		}
	}

	groups := []struct {
		title  string
		tweets bool
	}{{"NAB realTweets dev series (AAPL, GOOG, IBM)", true}, {"NAB other series (not social counts)", false}}
	for _, grp := range groups {
		var idx []int
		for i := range files {
			if files[i].tweets == grp.tweets {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			continue
		}
		printNABGroup(stdout, grp.title, files, idx, scores[0], published, profiles)
	}
	if len(unlabelled) > 0 {
		fmt.Fprintf(stdout, "Not scored, no labelled windows (pass --windows): %d series under nab/%s.\n\n", len(unlabelled), nabOtherDir)
	}
	printNABProxies(stdout, proxies, proxyScores[0], len(profiles))
	printNABLOSO(stdout, files, scores, profiles, proxyScores)
	if *variants {
		return printNABVariants(ctx, stdout, files, proxies, profiles)
	}
	return nil
}

// nabProxy is a dev series thinned to a share of its posts.
type nabProxy struct {
	nabFile
	keep float64
}

// nabProxyKeep are the shares of posts kept in the low-count proxies, and
// nabProxySeeds how many random thinnings of each series are scored.
var nabProxyKeep = []float64{0.1, 0.03}

const nabProxySeeds = 4

// thinnedProxies returns the realTweets dev series thinned to each share of
// nabProxyKeep (each post kept independently, with a fixed seed), scored
// against the same windows: low-count series like a quiet feature's
// complaints, whose anomalies are known. They are reported, not tuned on.
func thinnedProxies(files []nabFile) []nabProxy {
	var out []nabProxy
	for _, keep := range nabProxyKeep {
		for fi, f := range files {
			if !f.tweets {
				continue
			}
			for seed := range uint64(nabProxySeeds) {
				out = append(out, thinned(f, keep, rand.New(rand.NewPCG(seed, uint64(fi)))))
			}
		}
	}
	return out
}

// thinned returns f with each post kept with probability keep.
func thinned(f nabFile, keep float64, r *rand.Rand) nabProxy {
	g := f
	g.vals = make([]float64, len(f.vals))
	for i, v := range f.vals {
		var n float64
		for range int(v) {
			if r.Float64() < keep {
				n++
			}
		}
		g.vals[i] = n
	}
	return nabProxy{nabFile: g, keep: keep}
}

// printNABProxies prints the low-count proxies' table: per series and share
// of posts kept, the totals over the random thinnings.
func printNABProxies(w io.Writer, proxies []nabProxy, res [][]nab.Result, nProfiles int) {
	if len(proxies) == 0 {
		return
	}
	fmt.Fprintln(w, "### Low-count proxies: the realTweets dev series thinned, detector defaults (`socialpulse eval nab`)")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Each post kept with the given probability, %d random thinnings (fixed seeds) per series and\n", nabProxySeeds)
	fmt.Fprintln(w, "share, scored against the same windows; per row the totals over the thinnings.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| series | posts kept | mean per row | standard | reward low FP | reward low FN | windows detected | FP |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	all := make([]int, len(proxies))
	for i := range proxies {
		all[i] = i
	}
	for i := 0; i < len(proxies); {
		j := i
		var idx []int
		var sum float64
		var rows, tp, win, fp int
		for ; j < len(proxies) && proxies[j].name == proxies[i].name && proxies[j].keep == proxies[i].keep; j++ {
			idx = append(idx, j)
			for _, v := range proxies[j].vals {
				sum += v
			}
			rows += len(proxies[j].vals)
			tp += res[j][0].TP
			win += res[j][0].TP + res[j][0].FN
			fp += res[j][0].FP
		}
		t := nabTotals(res, idx, nProfiles)
		fmt.Fprintf(w, "| %s | %g%% | %.2f | %.1f | %.1f | %.1f | %d/%d | %d |\n", proxies[i].short(), 100*proxies[i].keep,
			sum/float64(rows), t[0], t[1], t[2], tp, win, fp)
		i = j
	}
	t := nabTotals(res, all, nProfiles)
	fmt.Fprintf(w, "| **total** | | | **%.1f** | **%.1f** | **%.1f** | | |\n", t[0], t[1], t[2])
	fmt.Fprintln(w)
}

// loadNAB reads the labelled windows and every series that has them.
func loadNAB(ctx context.Context, root, extraWindows string) (files []nabFile, unlabelled []string, err error) {
	wf, err := os.Open(filepath.Join(root, "labels", "combined_windows.json"))
	if err != nil {
		return nil, nil, err
	}
	windows, err := nab.ReadWindows(wf)
	wf.Close()
	if err != nil {
		return nil, nil, err
	}
	if extraWindows != "" {
		ef, err := os.Open(extraWindows)
		if err != nil {
			return nil, nil, err
		}
		more, err := nab.ReadWindows(ef)
		ef.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", extraWindows, err)
		}
		for name, ws := range more {
			if _, ok := windows[name]; !ok && !strings.HasPrefix(name, "realTweets/") {
				windows[name] = ws
			}
		}
	}
	for _, name := range nabSeries {
		ws, ok := windows[name]
		if !ok {
			return nil, nil, fmt.Errorf("%s: no windows in combined_windows.json", name)
		}
		f, err := readNABFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		f.name, f.tweets, f.windows = name, true, ws
		files = append(files, f)
	}
	other := filepath.Join(root, nabOtherDir)
	var names []string
	err = filepath.WalkDir(other, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == other {
				return fs.SkipAll
			}
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".csv") {
			rel, err := filepath.Rel(other, path)
			if err != nil {
				return err
			}
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		ws, ok := windows[name]
		if !ok {
			unlabelled = append(unlabelled, name)
			continue
		}
		f, err := readNABFile(filepath.Join(other, filepath.FromSlash(name)))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		f.name, f.windows = name, ws
		files = append(files, f)
	}
	return files, unlabelled, nil
}

// readNABFile reads a NAB data file (timestamp,value). Unlike backtest it
// skips a row whose timestamp is not after the previous one and accepts
// negative values (one artificial NAB series has them); the detector
// counts them as 0, as it counts every negative value.
func readNABFile(path string) (nabFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nabFile{}, err
	}
	defer fh.Close()
	cr := csv.NewReader(fh)
	cr.FieldsPerRecord = 2
	if _, err := cr.Read(); err != nil {
		return nabFile{}, fmt.Errorf("header: %w", err)
	}
	var f nabFile
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nabFile{}, err
		}
		t, err := backtest.ParseSeriesTime(strings.TrimSpace(rec[0]))
		if err != nil {
			return nabFile{}, err
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err != nil {
			return nabFile{}, fmt.Errorf("value %q: %w", rec[1], err)
		}
		if n := len(f.ts); n > 0 && !t.After(f.ts[n-1]) {
			// Two NAB AWS files repeat or step back an hour at a daylight
			// saving change; such a row is dropped, as the detector would
			// ignore it.
			continue
		}
		f.ts = append(f.ts, t)
		f.vals = append(f.vals, v)
	}
	f.step, err = detect.InferStep(f.ts[:min(len(f.ts), backtest.StepSampleRows)])
	if err != nil {
		return nabFile{}, err
	}
	return f, nil
}

// nabDetect runs a detector with cfg over the file and returns the rows where
// an alert fired.
func nabDetect(f *nabFile, cfg detect.DetectorConfig) ([]bool, error) {
	det, err := detect.NewDetector(cfg)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(f.ts))
	for i, t := range f.ts {
		out[i] = det.Observe(t, f.vals[i]).Event == detect.EventFire
	}
	return out, nil
}

// publishedScore is one published detector's raw score on one file, with the
// null detector's score on the same file from the same results, so that it
// can be normalised like ours.
type publishedScore struct{ raw, null float64 }

// readPublished reads nab/results: per detector, profile index and file, the
// raw score. A missing directory or file leaves that detector out.
func readPublished(root string, profiles []nab.Profile) map[string][]map[string]publishedScore {
	read := func(det string, p nab.Profile) map[string]float64 {
		fh, err := os.Open(filepath.Join(root, "results", det, det+"_"+p.Name+"_scores.csv"))
		if err != nil {
			return nil
		}
		defer fh.Close()
		cr := csv.NewReader(fh)
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil || len(recs) == 0 {
			return nil
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		fi, ok1 := col["File"]
		si, ok2 := col["Score"]
		if !ok1 || !ok2 {
			return nil
		}
		out := map[string]float64{}
		for _, r := range recs[1:] {
			if len(r) <= max(fi, si) {
				continue
			}
			if v, err := strconv.ParseFloat(r[si], 64); err == nil && r[fi] != "" {
				out[r[fi]] = v
			}
		}
		return out
	}
	out := map[string][]map[string]publishedScore{}
	nulls := make([]map[string]float64, len(profiles))
	for pi, p := range profiles {
		nulls[pi] = read("null", p)
	}
	for _, pd := range nabPublished {
		per := make([]map[string]publishedScore, len(profiles))
		ok := false
		for pi, p := range profiles {
			raw := read(pd.dir, p)
			per[pi] = map[string]publishedScore{}
			for file, v := range raw {
				if n, has := nulls[pi][file]; has {
					per[pi][file] = publishedScore{raw: v, null: n}
					ok = true
				}
			}
		}
		if ok {
			out[pd.dir] = per
		}
	}
	return out
}

// publishedKey is the name of a file in NAB's results: the labels' name with
// the realTweets or category directory.
func publishedKey(f *nabFile) string { return f.name }

// publishedTotal normalises a published detector's summed scores over files,
// as NAB does (null 0, perfect 100); the perfect score of a file is
// −null·A_TP/A_FN. ok is false when a file is missing from the results.
func publishedTotal(ps []map[string]publishedScore, pi int, p nab.Profile, files []nabFile, idx []int) (float64, bool) {
	var raw, null, perfect float64
	for _, i := range idx {
		s, ok := ps[pi][publishedKey(&files[i])]
		if !ok {
			return 0, false
		}
		raw += s.raw
		null += s.null
		perfect += -s.null * p.ATP / p.AFN
	}
	return nab.Normalize(raw, null, perfect), true
}

// printNABGroup prints one group's per-series table and totals.
func printNABGroup(w io.Writer, title string, files []nabFile, idx []int, res [][]nab.Result, published map[string][]map[string]publishedScore, profiles []nab.Profile) {
	fmt.Fprintf(w, "### %s, detector defaults (`socialpulse eval nab`)\n\n", title)
	fmt.Fprintln(w, "Scores are normalised so the null detector scores 0 and a perfect one 100; totals")
	fmt.Fprintln(w, "are normalised from the summed raw scores. Delays are minutes from the start of each")
	fmt.Fprintln(w, "labelled window to the first alert in it (\"miss\" if none); FP counts alerts outside")
	fmt.Fprintln(w, "every window after the probationary rows. The published columns are the standard")
	fmt.Fprintln(w, "scores from NAB's results, normalised the same way.")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| series | standard | reward low FP | reward low FN | windows detected | delays (min) | FP |")
	var pubs []string
	for _, pd := range nabPublished {
		if _, ok := published[pd.dir]; ok {
			pubs = append(pubs, pd.dir)
			fmt.Fprintf(w, " %s |", nabPublishedName(pd.dir))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, "|---|---:|---:|---:|---:|---|---:|")
	fmt.Fprintln(w, strings.Repeat("---:|", len(pubs)))
	var tp, nWin, fp int
	for _, i := range idx {
		r := res[i]
		var delays []string
		for _, win := range r[0].Windows {
			if win.Detected {
				delays = append(delays, fmt.Sprintf("%.0f", win.Delay.Minutes()))
			} else {
				delays = append(delays, "miss")
			}
		}
		std := r[0]
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %.1f | %d/%d | %s | %d |", files[i].short(),
			r[0].Normalized(), r[1].Normalized(), r[2].Normalized(),
			std.TP, std.TP+std.FN, strings.Join(delays, ", "), std.FP)
		for _, d := range pubs {
			if s, ok := published[d][0][publishedKey(&files[i])]; ok {
				fmt.Fprintf(w, " %.1f |", nab.Normalize(s.raw, s.null, -s.null*profiles[0].ATP/profiles[0].AFN))
			} else {
				fmt.Fprint(w, " |")
			}
		}
		fmt.Fprintln(w)
		tp += std.TP
		nWin += std.TP + std.FN
		fp += std.FP
	}
	total := nabTotals(res, idx, len(profiles))
	fmt.Fprintf(w, "| **total** | **%.1f** | **%.1f** | **%.1f** | %d/%d | | %d |",
		total[0], total[1], total[2], tp, nWin, fp)
	for _, d := range pubs {
		if v, ok := publishedTotal(published[d], 0, profiles[0], files, idx); ok {
			fmt.Fprintf(w, " %.1f |", v)
		} else {
			fmt.Fprint(w, " |")
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	if len(pubs) == 0 {
		return
	}
	fmt.Fprintln(w, "Totals of the same files, all profiles:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| detector | standard | reward low FP | reward low FN |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	fmt.Fprintf(w, "| socialpulse (defaults) | %.1f | %.1f | %.1f |\n", total[0], total[1], total[2])
	for _, d := range pubs {
		fmt.Fprintf(w, "| %s |", nabPublishedName(d))
		for pi, p := range profiles {
			if v, ok := publishedTotal(published[d], pi, p, files, idx); ok {
				fmt.Fprintf(w, " %.1f |", v)
			} else {
				fmt.Fprint(w, " |")
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

func nabPublishedName(dir string) string {
	for _, pd := range nabPublished {
		if pd.dir == dir {
			return pd.name
		}
	}
	return dir
}

// nabTotals normalises the summed raw scores of the files idx per profile.
func nabTotals(res [][]nab.Result, idx []int, nProfiles int) []float64 {
	out := make([]float64, nProfiles)
	for p := range nProfiles {
		var raw, null, perfect float64
		for _, i := range idx {
			raw += res[i][p].Raw
			null += res[i][p].Null
			perfect += res[i][p].Perfect
		}
		out[p] = nab.Normalize(raw, null, perfect)
	}
	return out
}

// printNABLOSO prints the leave-one-series-out totals: for each series, the
// grid setting with the best objective on all the other series is chosen and
// scored on the series left out. The objective is the mean of the standard
// totals of the two groups (realTweets dev series, other series) over the
// training series, so the three social series weigh as much as the 48 others.
func printNABLOSO(w io.Writer, files []nabFile, scores [][][]nab.Result, profiles []nab.Profile, proxyScores [][][]nab.Result) {
	objective := func(g int, skip int) float64 {
		var sum float64
		var n int
		for _, tweets := range []bool{true, false} {
			var idx []int
			for i := range files {
				if i != skip && files[i].tweets == tweets {
					idx = append(idx, i)
				}
			}
			if len(idx) > 0 {
				sum += nabTotals(scores[g], idx, 1)[0]
				n++
			}
		}
		return sum / float64(max(n, 1))
	}
	// chosen[i] is the setting chosen without file i; loso[i] its results.
	loso := make([][]nab.Result, len(files))
	chosen := make([]int, len(files))
	for i := range files {
		best, bestObj := 0, math.Inf(-1)
		for g := range nabGrid {
			if o := objective(g, i); o > bestObj+1e-9 {
				best, bestObj = g, o
			}
		}
		chosen[i] = best
		loso[i] = scores[best][i]
	}
	fmt.Fprintln(w, "### Leave-one-series-out (`socialpulse eval nab`)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "For each series, the setting with the best mean of the two groups' standard totals on")
	fmt.Fprintln(w, "all the other series is chosen from the grid below and scored on the series left out.")
	fmt.Fprintln(w, "The grid is the defaults and each knob moved one notch either way.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| group | standard | reward low FP | reward low FN | defaults, standard | settings chosen |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---|")
	for _, grp := range []struct {
		name   string
		tweets bool
	}{{"realTweets dev series", true}, {"other series", false}} {
		var idx []int
		picks := map[string]int{}
		for i := range files {
			if files[i].tweets == grp.tweets {
				idx = append(idx, i)
				picks[nabGrid[chosen[i]].name]++
			}
		}
		if len(idx) == 0 {
			continue
		}
		t := nabTotals(loso, idx, len(profiles))
		d := nabTotals(scores[0], idx, 1)
		var ps []string
		for _, s := range nabGrid {
			if n := picks[s.name]; n > 0 {
				ps = append(ps, fmt.Sprintf("%s ×%d", s.name, n))
			}
		}
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %.1f | %.1f | %s |\n", grp.name, t[0], t[1], t[2], d[0], strings.Join(ps, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every grid setting on all series (standard totals):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| setting | realTweets dev | other | low-count proxies |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for g, s := range nabGrid {
		var tw, ot []int
		for i := range files {
			if files[i].tweets {
				tw = append(tw, i)
			} else {
				ot = append(ot, i)
			}
		}
		px := make([]int, len(proxyScores[g]))
		for i := range px {
			px[i] = i
		}
		fmt.Fprintf(w, "| %s | %.1f | %s | %s |\n", s.name, nabTotals(scores[g], tw, 1)[0], fmtTotal(scores[g], ot), fmtTotal(proxyScores[g], px))
	}
	fmt.Fprintln(w)
}

func fmtTotal(res [][]nab.Result, idx []int) string {
	if len(idx) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", nabTotals(res, idx, 1)[0])
}
