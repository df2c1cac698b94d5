// Command sweep is a scratch tool: macro-F1 by threshold.
package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/socialpulse/socialpulse/sentiment"
)

func lab(s, th float64) int {
	if s >= th {
		return 2
	}
	if s <= -th {
		return 0
	}
	return 1
}

func f1(g, p []int, c int) float64 {
	var tp, fp, fn float64
	for i := range g {
		if p[i] == c && g[i] == c {
			tp++
		} else if p[i] == c {
			fp++
		} else if g[i] == c {
			fn++
		}
	}
	if tp == 0 {
		return 0
	}
	pr, rc := tp/(tp+fp), tp/(tp+fn)
	return 2 * pr * rc / (pr + rc)
}

func main() {
	a := sentiment.New()
	dir := "/work/shared/data/"
	type set struct {
		name   string
		scores []float64
		gold   []int
	}
	var sets []set
	for _, f := range []string{"tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets"} {
		fh, _ := os.Open(dir + "vader/" + f + "_GroundTruth.txt")
		sc := bufio.NewScanner(fh)
		var st set
		st.name = f
		for sc.Scan() {
			p := strings.SplitN(strings.TrimRight(strings.TrimPrefix(sc.Text(), "\ufeff"), "\r"), "\t", 3)
			if len(p) < 3 {
				continue
			}
			m, _ := strconv.ParseFloat(p[1], 64)
			st.scores = append(st.scores, a.Score(p[2]).Score)
			st.gold = append(st.gold, lab(m, 0.5000001))
		}
		sets = append(sets, st)
	}
	fh, _ := os.Open(dir + "complaints/complaints-data.csv")
	recs, _ := csv.NewReader(fh).ReadAll()
	var cs set
	cs.name = "complaints"
	for _, r := range recs {
		cs.scores = append(cs.scores, a.Score(r[1]).Score)
		g := 1
		if r[2] == "1" {
			g = 0
		}
		cs.gold = append(cs.gold, g)
	}
	for _, th := range []float64{0.01, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25} {
		fmt.Printf("th=%.2f", th)
		for _, st := range sets {
			p := make([]int, len(st.scores))
			for i, s := range st.scores {
				p[i] = lab(s, th)
			}
			fmt.Printf("  %s=%.3f", st.name[:5], (f1(st.gold, p, 0)+f1(st.gold, p, 1)+f1(st.gold, p, 2))/3)
		}
		p := make([]int, len(cs.scores))
		for i, s := range cs.scores {
			p[i] = lab(s, th)
		}
		fmt.Printf("  complaintF1=%.3f\n", f1(cs.gold, p, 0))
	}
}
