package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// stageRun is one `go test -bench` command of the per-stage table.
type stageRun struct {
	pkg, pattern string
}

var stageRuns = []stageRun{
	{"./pipeline/", "HotPath|Stages"},
	{"./sentiment/", "Score$|Govader$"},
	{"./feature/", "Tag"},
	{"./post/", "Decode"},
}

// stageCount is the -count of every stage benchmark; the table shows medians.
const stageCount = 3

func (s stageRun) args() []string {
	return []string{"test", "-run", "^$", "-bench", s.pattern, "-benchmem", "-count", strconv.Itoa(stageCount), s.pkg}
}

func (s stageRun) command() string {
	return "go test -run '^$' -bench '" + s.pattern + "' -benchmem -count " + strconv.Itoa(stageCount) + " " + s.pkg
}

// stageResult is the median of one benchmark's runs.
type stageResult struct {
	run     stageRun
	name    string             // without the Benchmark prefix and -GOMAXPROCS suffix
	metrics map[string]float64 // unit → median value
}

// stageNotes say what each benchmark measures, for the table.
var stageNotes = map[string]string{
	"HotPath/plain":         "whole hot path: decode, score, tag, aggregate (1 in 50 malformed)",
	"HotPath/with-emerging": "hot path with emerging-issue mining attached",
	"Stages/decode":         "decode (post.Decoder)",
	"Stages/score":          "score (sentiment.Analyzer.Score)",
	"Stages/tag":            "tag (feature.Tagger, default taxonomy)",
	"Stages/enrich":         "score + tag with clause sentiment (enrich)",
	"Stages/aggregate":      "aggregate into the batch delta",
	"Score":                 "score, benchmark corpus",
	"Govader":               "govader on the same corpus (the reference's scorer)",
	"Tag100x20":             "tag, 100 features x 20 terms",
	"TagDefault":            "tag, default taxonomy",
	"Decode":                "decode one post",
}

var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.+)$`)

// runStages runs every stage benchmark and returns medians in the order the
// benchmarks first appear.
func runStages(ctx context.Context, dir string, logf func(string, ...any)) ([]stageResult, error) {
	var out []stageResult
	for _, s := range stageRuns {
		logf("stage benchmarks: %s", s.command())
		cmd := exec.CommandContext(ctx, "go", s.args()...)
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("%s: %w\n%s%s", s.command(), err, stdout.String(), stderr.String())
		}
		out = append(out, parseBench(s, stdout.String())...)
	}
	return out, nil
}

func parseBench(s stageRun, text string) []stageResult {
	var order []string
	values := map[string]map[string][]float64{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		name := m[1]
		if values[name] == nil {
			values[name] = map[string][]float64{}
			order = append(order, name)
		}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			values[name][f[i+1]] = append(values[name][f[i+1]], v)
		}
	}
	var res []stageResult
	for _, name := range order {
		r := stageResult{run: s, name: name, metrics: map[string]float64{}}
		for unit, vs := range values[name] {
			r.metrics[unit] = median(vs)
		}
		res = append(res, r)
	}
	return res
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
