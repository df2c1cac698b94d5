package incidents

import (
	"context"

	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/incident"
)

// afterCare reads the after-care watch of the resolved incident in into d:
// the baseline share pooled over the DefaultAfterCareBaseline before its
// start, and for each after-care day that has begun the affected features'
// negative and scored mentions (from the matrix, while it keeps the day)
// and their leave-intent counts.
func (h *Handler) afterCare(ctx context.Context, in incident.Incident, d *Detail) error {
	now := h.o.Now()
	base, err := h.o.Matrix.Window(ctx, in.Start.Add(-incident.DefaultAfterCareBaseline), in.Start)
	if err != nil {
		return err
	}
	neg, scored := sum(base, in.Features)
	p := 0.0
	if scored > 0 {
		p = neg / scored
	}
	var days []incident.DayCounts
	for _, start := range incident.AfterCareDays(in.End, now, h.o.AfterCare) {
		end := start.Add(incident.Day)
		dc := incident.DayCounts{Start: start.UTC(), Available: !h.o.Matrix.Expired(start)}
		if dc.Available {
			m, err := h.o.Matrix.Window(ctx, start, minTime(end, now))
			if err != nil {
				return err
			}
			dc.Negative, dc.Scored = sum(m, in.Features)
		}
		if dc.LeaveIntent, err = h.o.Matrix.LeaveIntent(ctx, in.Features, start, end); err != nil {
			return err
		}
		days = append(days, dc)
	}
	w := incident.AfterCare(in.End.UTC(), now, p, days, h.o.AfterCare)
	w.BaselineShare = round(w.BaselineShare)
	for i := range w.Days {
		w.Days[i].Share, w.Days[i].Upper = round(w.Days[i].Share), round(w.Days[i].Upper)
	}
	d.AfterCare = &w
	return nil
}

// sum adds the negative and scored mentions of features in m.
func sum(m *impactmatrix.Matrix, features []string) (neg, scored float64) {
	for _, f := range features {
		row, ok := m.Rows[f]
		if !ok {
			continue
		}
		neg += float64(row[impactmatrix.Negative].Count)
		for _, c := range []impactmatrix.Class{impactmatrix.Negative, impactmatrix.Neutral, impactmatrix.Positive} {
			scored += float64(row[c].Count)
		}
	}
	return neg, scored
}
