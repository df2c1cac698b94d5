package demo

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/impactmatrix"
)

// reportTop is how many features the periodic line shows.
const reportTop = 5

// FeatureNegatives is one feature's negative post counts in the short and
// the medium window.
type FeatureNegatives struct {
	Feature  string
	Short    int64 // 5m window
	Medium   int64 // 15m window
	Incident bool  // the injected incident's feature
}

// TopNegatives ranks the features of two matrices (the 5m and the 15m
// window) by negative count in the short window, then the medium one, then
// name, and returns the first n. The "other" row is not a feature and is
// left out.
func TopNegatives(short, medium *impactmatrix.Matrix, n int) []FeatureNegatives {
	seen := map[string]bool{}
	var out []FeatureNegatives
	for _, m := range []*impactmatrix.Matrix{short, medium} {
		for id := range m.Rows {
			if id == impactmatrix.OtherFeature || seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, FeatureNegatives{Feature: id, Short: negatives(short, id), Medium: negatives(medium, id)})
		}
	}
	slices.SortFunc(out, func(a, b FeatureNegatives) int {
		return cmp.Or(cmp.Compare(b.Short, a.Short), cmp.Compare(b.Medium, a.Medium), strings.Compare(a.Feature, b.Feature))
	})
	return out[:min(n, len(out))]
}

func negatives(m *impactmatrix.Matrix, feature string) int64 {
	if r := m.Rows[feature]; r != nil {
		return r[impactmatrix.Negative].Count
	}
	return 0
}

// formatNegatives renders "checkout 120/340 · payment 12/40 · …" (5m/15m).
func formatNegatives(fs []FeatureNegatives) string {
	if len(fs) == 0 {
		return "(no posts counted yet)"
	}
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString("  ")
		}
		b.WriteString(f.Feature)
		if f.Incident {
			b.WriteByte('*')
		}
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(f.Short, 10))
		b.WriteByte('/')
		b.WriteString(strconv.FormatInt(f.Medium, 10))
	}
	return b.String()
}

// report logs the top features' negative counts every ReportEvery.
func (d *Demo) report(ctx context.Context) {
	t := time.NewTicker(d.o.ReportEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			d.reportOnce(ctx, now)
		}
	}
}

func (d *Demo) reportOnce(ctx context.Context, now time.Time) {
	st := d.app.Store()
	end := st.WindowEnd(now)
	short, err := st.Window(ctx, end.Add(-5*time.Minute), end)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("reading the matrix", zap.Error(err))
		}
		return
	}
	medium, err := st.Window(ctx, end.Add(-15*time.Minute), end)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("reading the matrix", zap.Error(err))
		}
		return
	}
	top := TopNegatives(short, medium, reportTop)
	state := "none"
	if inc, ok := d.Incident(); ok {
		for i := range top {
			top[i].Incident = top[i].Feature == inc.Feature
		}
		switch {
		case now.Before(inc.Start):
			state = inc.Feature + " in " + inc.Start.Sub(now).Round(time.Second).String()
		case now.Before(inc.End):
			state = inc.Feature + " active for " + now.Sub(inc.Start).Round(time.Second).String()
		default:
			state = inc.Feature + " over"
		}
	}
	d.log.Info("negative posts by feature, 5m/15m", zap.String("top", formatNegatives(top)), zap.String("incident", state))
}
