package spikes

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/api"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

// Detail is one spike with everything known about it.
type Detail struct {
	Spike
	PValue       float64 `json:"pValue"`
	DashboardURL string  `json:"dashboardUrl,omitempty"`
	// Samples are the posts quoted when the spike was raised (source
	// "alert"), then recent negative posts about the feature from the
	// spike's time (source "recent"), newest first within each.
	Samples    []SamplePost           `json:"samples"`
	Versions   []Version              `json:"versions"`
	Deliveries []alert.DeliveryStatus `json:"deliveries"`
	Notes      []alert.Note           `json:"notes"`
	Timeline   *Timeline              `json:"timeline"`
	// Warnings say what could not be read (the detail is still useful).
	Warnings []string `json:"warnings,omitempty"`
}

// SamplePost is a post quoted as evidence.
type SamplePost struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	URL       string    `json:"url,omitempty"`
	Author    string    `json:"author,omitempty"`
	Followers int64     `json:"followers"`
	Time      time.Time `json:"time"`
	Source    string    `json:"source"`
	// Count is how many near-identical posts this sample stands for (the
	// alert's evidence collapses copies); omitted when it is one.
	Count int `json:"count,omitempty"`
	// Inferred is set when no term of the feature matched the post and the
	// fallback model (taxonomy.fallback_model) tagged it.
	Inferred bool `json:"inferred,omitempty"`
}

// Version is one step of a spike's lifecycle.
type Version struct {
	Sequence      int         `json:"sequence"`
	State         alert.State `json:"state"`
	Priority      int         `json:"priority"`
	PriorityLabel string      `json:"priorityLabel"`
	UpdatedAt     time.Time   `json:"updatedAt"`
	EndsAt        time.Time   `json:"endsAt,omitzero"`
	Summary       string      `json:"summary"`
	Current       float64     `json:"current"`
	Baseline      float64     `json:"baseline"`
	ChangePct     float64     `json:"changePct"`
}

// Timeline is the feature's row of the matrix around a spike.
type Timeline struct {
	Feature string    `json:"feature"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	// Step is each point's width, e.g. "1m" (buckets are merged so that a
	// timeline has at most 360 points).
	Step string `json:"step"`
	// Truncated is true when the range was cut to 48h after From.
	Truncated bool            `json:"truncated"`
	Points    []TimelinePoint `json:"points"`
}

// TimelinePoint is the feature's post counts by class in [Start, Start+Step).
type TimelinePoint struct {
	Start    time.Time `json:"start"`
	Negative int64     `json:"negative"`
	Neutral  int64     `json:"neutral"`
	Positive int64     `json:"positive"`
	Unscored int64     `json:"unscored"`
}

// validID follows alert.Alert.Validate's rules for IDs.
func validID(id string) bool {
	return id != "" && len(id) <= 256 && !strings.ContainsAny(id, "|\r\n")
}

// Show serves GET /api/v1/spikes/{id}: one spike with its evidence, samples, lifecycle, deliveries, notes and timeline.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		api.WriteParamError(w, api.BadParam("id", "want a spike id (1-256 characters without '|' or newlines)"))
		return
	}
	v, perr := query(r)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	for name := range v {
		api.WriteParamError(w, api.BadParam(name, "unknown parameter (this endpoint takes none)"))
		return
	}
	rec, err := h.o.History.Get(r.Context(), id)
	if errors.Is(err, alert.ErrNotFound) {
		api.WriteError(w, http.StatusNotFound, "spike "+api.Quote(id)+" not found (unknown or expired)")
		return
	}
	if err != nil {
		h.unavailable(w, r, "spike history", err)
		return
	}
	a := rec.Alert
	d := Detail{
		Spike: spikeOf(a), PValue: a.Evidence.PValue, DashboardURL: a.Evidence.DashboardURL,
		Deliveries: rec.Deliveries, Notes: rec.Notes,
	}
	if d.Deliveries == nil {
		d.Deliveries = []alert.DeliveryStatus{}
	}
	if d.Notes == nil {
		d.Notes = []alert.Note{}
	}
	for _, v := range rec.Versions {
		d.Versions = append(d.Versions, Version{
			Sequence: v.Sequence, State: v.State, Priority: v.Priority, PriorityLabel: alert.PriorityLabel(v.Priority),
			UpdatedAt: v.UpdatedAt.UTC(), EndsAt: v.EndsAt.UTC(), Summary: v.Summary,
			Current: v.Evidence.Current, Baseline: v.Evidence.Baseline, ChangePct: v.Evidence.ChangePct,
		})
	}
	if d.Versions == nil {
		d.Versions = []Version{}
	}
	var warn error
	if d.Samples, warn = h.samples(r, a); warn != nil {
		d.Warnings = append(d.Warnings, "recent sample posts could not be read")
	}
	d.SampleCount = len(d.Samples) // the samples this detail shows, not the alert's own
	if d.Timeline, warn = h.timeline(r, a); warn != nil {
		d.Warnings = append(d.Warnings, "the matrix timeline could not be read")
	}
	api.WriteJSON(w, http.StatusOK, d)
}

// samples returns the alert's own samples, then recent stored negative
// samples of the feature posted while the spike was open.
func (h *Handler) samples(r *http.Request, a alert.Alert) ([]SamplePost, error) {
	out := []SamplePost{}
	seen := map[string]bool{}
	for _, s := range a.Evidence.Samples {
		if seen[s.ID] || len(out) == maxSamples {
			continue
		}
		seen[s.ID] = true
		out = append(out, SamplePost{ID: s.ID, Text: s.Text, URL: s.URL, Author: s.Author, Followers: s.Followers,
			Time: s.Time.UTC(), Source: "alert", Count: s.Count, Inferred: s.Inferred})
	}
	if len(out) == maxSamples {
		return out, nil
	}
	recent, err := h.o.Matrix.Samples(r.Context(), a.Evidence.Feature, impactmatrix.Negative, 50)
	if err != nil {
		h.log.Warn("spike samples read failed", zap.String("spike", a.ID), zap.Error(err))
		return out, err
	}
	from, to := a.StartsAt.Add(-a.Evidence.Window), h.spikeEnd(a)
	for _, s := range recent {
		if seen[s.ID] || s.Time.Before(from) || s.Time.After(to) {
			continue
		}
		seen[s.ID] = true
		out = append(out, SamplePost{ID: s.ID, Text: s.Text, URL: s.URL, Author: s.Author, Followers: s.Followers,
			Time: s.Time.UTC(), Source: "recent", Inferred: s.Inferred})
		if len(out) == maxSamples {
			break
		}
	}
	return out, nil
}

// spikeEnd is when a spike ended, or now while it fires.
func (h *Handler) spikeEnd(a alert.Alert) time.Time {
	if a.State == alert.StateResolved && !a.EndsAt.IsZero() {
		return a.EndsAt
	}
	return h.o.Now()
}

// timeline reads the feature's counts over [start-1h, end+1h], ending no
// later than the current bucket, at most maxTimelineSpan long.
func (h *Handler) timeline(r *http.Request, a alert.Alert) (*Timeline, error) {
	bucket := h.o.Matrix.Bucket()
	from := a.StartsAt.Add(-timelineMargin).Truncate(bucket)
	to := h.spikeEnd(a).Add(timelineMargin)
	if now := h.o.Now().Truncate(bucket).Add(bucket); to.After(now) {
		to = now
	}
	to = to.Truncate(bucket)
	truncated := false
	if to.Sub(from) > maxTimelineSpan {
		to, truncated = from.Add(maxTimelineSpan), true
	}
	tl := &Timeline{Feature: a.Evidence.Feature, From: from.UTC(), To: to.UTC(), Truncated: truncated, Points: []TimelinePoint{}}
	if !from.Before(to) {
		tl.To, tl.Step = tl.From, api.ShortDuration(bucket)
		return tl, nil
	}
	bs, err := h.o.Matrix.Series(r.Context(), from, to)
	if err != nil {
		h.log.Warn("spike timeline read failed", zap.String("spike", a.ID), zap.Error(err))
		return nil, err
	}
	merge := (len(bs.Matrix) + maxTimelinePoints - 1) / maxTimelinePoints
	merge = max(merge, 1)
	tl.Step = api.ShortDuration(bs.Step * time.Duration(merge))
	for i, m := range bs.Matrix {
		if i%merge == 0 {
			tl.Points = append(tl.Points, TimelinePoint{Start: bs.Start.Add(time.Duration(i) * bs.Step).UTC()})
		}
		p := &tl.Points[len(tl.Points)-1]
		row, ok := m.Rows[a.Evidence.Feature]
		if !ok {
			continue
		}
		p.Negative += row[impactmatrix.Negative].Count
		p.Neutral += row[impactmatrix.Neutral].Count
		p.Positive += row[impactmatrix.Positive].Count
		p.Unscored += row[impactmatrix.Unscored].Count
	}
	return tl, nil
}
