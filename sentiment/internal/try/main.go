// Command try is a scratch tool for comparing scorers on dev data.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/jonreiter/govader"

	"github.com/socialpulse/socialpulse/sentiment"
)

func gold(m float64) sentiment.Label {
	switch {
	case m > 0.5:
		return sentiment.Positive
	case m < -0.5:
		return sentiment.Negative
	}
	return sentiment.Neutral
}

func main() {
	a := sentiment.New()
	if len(os.Args) > 1 && os.Args[1] != "-diff" {
		for _, t := range os.Args[1:] {
			r, cl := a.Analyze(t, nil)
			fmt.Printf("%-8s %+.3f  %q\n", r.Label, r.Score, t)
			for _, c := range cl {
				fmt.Printf("    [%d,%d) %-8s %+.3f %q\n", c.Start, c.End, c.Result.Label, c.Result.Score, t[c.Start:c.End])
			}
		}
		return
	}
	v := govader.NewSentimentIntensityAnalyzer()
	f, _ := os.Open(os.Args[2])
	sc := bufio.NewScanner(f)
	better, worse := 0, 0
	for sc.Scan() {
		p := strings.SplitN(strings.TrimRight(strings.TrimPrefix(sc.Text(), "\ufeff"), "\r"), "\t", 3)
		if len(p) < 3 {
			continue
		}
		m, _ := strconv.ParseFloat(p[1], 64)
		g := gold(m)
		o := a.Score(p[2])
		vs := v.PolarityScores(p[2]).Compound
		vl := sentiment.LabelOf(vs)
		if o.Label != g && vl == g {
			worse++
			fmt.Printf("WORSE gold=%s(%.1f) ours=%+.2f vader=%+.2f\t%s\n", g, m, o.Score, vs, p[2])
		} else if o.Label == g && vl != g {
			better++
			fmt.Printf("BETTER gold=%s(%.1f) ours=%+.2f vader=%+.2f\t%s\n", g, m, o.Score, vs, p[2])
		}
	}
	fmt.Println("better", better, "worse", worse)
}
