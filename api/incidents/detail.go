package incidents

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/incident"
)

// Detail is one incident with its spikes, milestones, measures, timeline
// and representative posts.
type Detail struct {
	Summary
	Spikes     []Spike           `json:"spikes"`
	Milestones []alert.Milestone `json:"milestones"`
	// Measures is null when the matrix could not be read.
	Measures *Measures `json:"measures"`
	// Timeline is the affected features' counts summed, from 30 minutes
	// before the start; null when the matrix could not be read.
	Timeline *Timeline `json:"timeline"`
	Samples  []Sample  `json:"samples"`
	// AfterCare is the after-care watch: null while the incident is open
	// or when the matrix could not be read.
	AfterCare *incident.AfterCareWatch `json:"afterCare"`
	// Warnings say what could not be read (the detail is still useful).
	Warnings []string `json:"warnings,omitempty"`
}

// Spike is one spike of an incident.
type Spike struct {
	ID            string      `json:"id"`
	Feature       string      `json:"feature"`
	FeatureName   string      `json:"featureName,omitempty"`
	State         alert.State `json:"state"`
	Priority      int         `json:"priority"`
	PriorityLabel string      `json:"priorityLabel"`
	StartsAt      time.Time   `json:"startsAt"`
	EndsAt        time.Time   `json:"endsAt,omitzero"`
	// AlertedAt is when the spike's first version was published.
	AlertedAt time.Time `json:"alertedAt,omitzero"`
	Summary   string    `json:"summary"`
}

// Measures are the incident's measures (see package incident) with the
// durations in seconds, null when not known, and the baseline used.
type Measures struct {
	incident.Measures
	TimeToDetectSeconds        *float64 `json:"timeToDetectSeconds"`
	TimeToFirstResponseSeconds *float64 `json:"timeToFirstResponseSeconds"`
	TimeToRecoverSeconds       *float64 `json:"timeToRecoverSeconds"`
	Baseline                   Baseline `json:"baseline"`
}

// Baseline is the per-bucket baseline of the affected features over
// [From, To).
type Baseline struct {
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Negative      float64   `json:"negative"`
	NegativeSD    float64   `json:"negativeSd"`
	Share         float64   `json:"share"`
	ShareSD       float64   `json:"shareSd"`
	NegativeReach float64   `json:"negativeReach"`
	Buckets       int       `json:"buckets"`
}

// Timeline is the affected features' counts per point.
type Timeline struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Step is each point's width, e.g. "1m" (buckets are merged so that a
	// timeline has at most 360 points).
	Step   string  `json:"step"`
	Points []Point `json:"points"`
}

// Point is the affected features' counts in [Start, Start+Step).
type Point struct {
	Start         time.Time `json:"start"`
	Negative      float64   `json:"negative"`
	Scored        float64   `json:"scored"`
	NegativeReach float64   `json:"negativeReach"`
	MeanSentiment float64   `json:"meanSentiment"`
}

// Sample is a representative post: one quoted as evidence by a spike.
type Sample struct {
	ID        string    `json:"id"`
	Feature   string    `json:"feature"`
	Text      string    `json:"text"`
	URL       string    `json:"url,omitempty"`
	Author    string    `json:"author,omitempty"`
	Followers int64     `json:"followers"`
	Time      time.Time `json:"time"`
	// Count is how many near-identical posts the sample stands for (the
	// spike's evidence collapses copies); omitted when it is one.
	Count int `json:"count,omitempty"`
	// Inferred is set when no term of the feature matched the post and the
	// fallback model (taxonomy.fallback_model) tagged it.
	Inferred bool `json:"inferred,omitempty"`
}

// validID follows alert.Alert.Validate's rules for IDs.
func validID(id string) bool {
	return id != "" && len(id) <= 256 && !strings.ContainsAny(id, "|\r\n")
}

const badID = "want a spike or incident id (1-256 characters without '|' or newlines)"

// Show serves GET /api/v1/incidents/{id}: one incident by its id or any of its spikes' ids.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		api.BadRequest(w, "id", badID)
		return
	}
	v, perr := api.ParseQuery(r.URL.RawQuery)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	for name := range v {
		api.BadRequest(w, name, "unknown parameter (this endpoint takes none)")
		return
	}
	ctx := r.Context()
	rec, err := h.o.History.Get(ctx, id)
	if errors.Is(err, alert.ErrNotFound) {
		api.WriteError(w, http.StatusNotFound, "incident "+api.Quote(id)+" not found (no spike has this id, or it expired)")
		return
	}
	if err != nil {
		h.unavailable(w, r, "spike history", err)
		return
	}
	now := h.o.Now()
	start := rec.Alert.StartsAt
	as, _, err := h.spikes(ctx, start.Add(-MaxIncidentSpan), minTime(start.Add(MaxIncidentSpan), now.Add(time.Minute)))
	if err != nil {
		h.unavailable(w, r, "spike history", err)
		return
	}
	as = append(as, rec.Alert) // in case the index missed it
	in, ok := incident.Find(h.group(as), id)
	if !ok {
		h.unavailable(w, r, "spike history", errors.New("spike missing from its own incident"))
		return
	}
	latest := map[string]alert.Alert{}
	for _, a := range as {
		latest[a.ID] = a
	}
	d := Detail{Summary: summaryOf(in), Spikes: []Spike{}, Samples: []Sample{}}

	// Each spike's first version gives the alert time.
	var alertAt time.Time
	ids := make([]string, 0, len(in.Spikes))
	for i, s := range in.Spikes {
		a := latest[s.ID]
		sp := Spike{ID: a.ID, Feature: a.Evidence.Feature, FeatureName: a.Evidence.FeatureName, State: a.State,
			Priority: a.Priority, PriorityLabel: alert.PriorityLabel(a.Priority), StartsAt: a.StartsAt.UTC(),
			EndsAt: a.EndsAt.UTC(), Summary: a.Summary}
		if i < maxMemberReads {
			r, err := h.o.History.Get(ctx, s.ID)
			if err == nil && len(r.Versions) > 0 {
				sp.AlertedAt = r.Versions[0].UpdatedAt.UTC()
			}
			ids = append(ids, s.ID)
		}
		if sp.AlertedAt.IsZero() {
			sp.AlertedAt = a.UpdatedAt.UTC()
			if a.Sequence > 1 || sp.AlertedAt.IsZero() {
				sp.AlertedAt = a.StartsAt.UTC() // the first version is gone: the onset is the best bound
			}
		}
		if alertAt.IsZero() || sp.AlertedAt.Before(alertAt) {
			alertAt = sp.AlertedAt
		}
		d.Spikes = append(d.Spikes, sp)
		for _, smp := range a.Evidence.Samples {
			if len(d.Samples) < maxSamples && !hasSample(d.Samples, smp.ID) {
				d.Samples = append(d.Samples, Sample{ID: smp.ID, Feature: a.Evidence.Feature, Text: smp.Text, URL: smp.URL,
					Author: smp.Author, Followers: smp.Followers, Time: smp.Time.UTC(), Count: smp.Count, Inferred: smp.Inferred})
			}
		}
	}
	ms, err := h.o.History.Milestones(ctx, ids...)
	if err != nil {
		h.log.Warn("incident milestones read failed", zap.String("incident", in.ID), zap.Error(err))
		d.Warnings = append(d.Warnings, "the milestones could not be read")
		ms = []alert.Milestone{}
	}
	for i := range ms {
		ms[i].Time = ms[i].Time.UTC()
	}
	d.Milestones = ms
	if err := h.measure(r, in, alertAt, ms, &d); err != nil {
		h.log.Warn("incident matrix read failed", zap.String("incident", in.ID), zap.Error(err))
		d.Warnings = append(d.Warnings, "the matrix could not be read: no measures or timeline")
	}
	if !in.Ongoing() {
		if err := h.afterCare(r.Context(), in, &d); err != nil {
			h.log.Warn("incident after-care read failed", zap.String("incident", in.ID), zap.Error(err))
			d.Warnings = append(d.Warnings, "the after-care watch could not be read")
		}
	}
	api.WriteJSON(w, http.StatusOK, d)
}

func hasSample(ss []Sample, id string) bool {
	for _, s := range ss {
		if s.ID == id {
			return true
		}
	}
	return false
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// measure reads the affected features' series from BaselineSpan before the
// start to an hour past the end (or the last milestone's after window),
// never past the last whole bucket, and fills d's measures and timeline.
func (h *Handler) measure(r *http.Request, in incident.Incident, alertAt time.Time, ms []alert.Milestone, d *Detail) error {
	bucket := h.o.Matrix.Bucket()
	window := h.o.Measure.EffectWindow
	if window == 0 {
		window = incident.DefaultEffectWindow
	}
	start := in.Start.Truncate(bucket)
	from := start.Add(-h.o.BaselineSpan)
	end := in.End
	now := h.o.Now()
	if in.Ongoing() {
		end = now
	}
	for _, m := range ms {
		if t := m.Time.Add(window); t.After(end) {
			end = t
		}
	}
	to := minTime(end.Add(time.Hour), now).Truncate(bucket)
	to = minTime(to, start.Add(MaxIncidentSpan))
	if !from.Before(to) {
		to = from
	}
	bs, err := h.o.Matrix.Series(r.Context(), from, to)
	if err != nil {
		return err
	}
	feats := in.Features
	series := incident.Series{Step: bs.Step, Points: make([]incident.Point, len(bs.Matrix))}
	for i, m := range bs.Matrix {
		p := incident.Point{Start: bs.Start.Add(time.Duration(i) * bs.Step)}
		for _, f := range feats {
			row, ok := m.Rows[f]
			if !ok {
				continue
			}
			neg := row[impactmatrix.Negative]
			p.Negative += float64(neg.Count)
			p.NegativeReach += neg.ReachSum
			for _, c := range []impactmatrix.Class{impactmatrix.Negative, impactmatrix.Neutral, impactmatrix.Positive} {
				p.Scored += float64(row[c].Count)
				p.ScoreSum += row[c].ScoreSum
			}
		}
		series.Points[i] = p
	}
	nBase := 0
	for nBase < len(series.Points) && series.Points[nBase].Start.Before(start) {
		nBase++
	}
	b := incident.NewBaseline(series.Points[:nBase])
	milestones := make([]incident.Milestone, len(ms))
	for i, m := range ms {
		milestones[i] = incident.Milestone{Type: incident.MilestoneType(m.Type), Time: m.Time, Author: m.Author, Text: m.Text, Source: m.Source}
	}
	res, err := incident.Measure(incident.Input{Series: series, Baseline: b, Start: in.Start, Alert: alertAt, Milestones: milestones}, h.o.Measure)
	if err != nil {
		return err
	}
	secs := func(ok bool, d time.Duration) *float64 {
		if !ok {
			return nil
		}
		s := d.Seconds()
		return &s
	}
	d.Measures = &Measures{Measures: res,
		TimeToDetectSeconds:        secs(res.HasDetect, res.TimeToDetect),
		TimeToFirstResponseSeconds: secs(res.HasFirstResponse, res.TimeToFirstResponse),
		TimeToRecoverSeconds:       secs(res.HasRecover, res.TimeToRecover),
		Baseline: Baseline{From: from.UTC(), To: start.UTC(), Negative: round(b.Negative), NegativeSD: round(b.NegativeSD),
			Share: round(b.Share), ShareSD: round(b.ShareSD), NegativeReach: round(b.NegativeReach), Buckets: b.Buckets},
	}
	d.Measures.VolumeUpper, d.Measures.ShareUpper = round(res.VolumeUpper), round(res.ShareUpper)
	d.Measures.ExcessReach = round(res.ExcessReach)
	d.Timeline = timeline(series.Points[max(0, nBase-int(margin/bucket)):], bucket)
	return nil
}

// timeline merges points so that at most maxPoints remain.
func timeline(ps []incident.Point, step time.Duration) *Timeline {
	merge := max(1, (len(ps)+maxPoints-1)/maxPoints)
	tl := &Timeline{Step: api.ShortDuration(step * time.Duration(merge)), Points: []Point{}}
	var scoreSum []float64
	for i, p := range ps {
		if i%merge == 0 {
			tl.Points = append(tl.Points, Point{Start: p.Start.UTC()})
			scoreSum = append(scoreSum, 0)
		}
		k := len(tl.Points) - 1
		tl.Points[k].Negative += p.Negative
		tl.Points[k].Scored += p.Scored
		tl.Points[k].NegativeReach += p.NegativeReach
		scoreSum[k] += p.ScoreSum
	}
	for k := range tl.Points {
		if tl.Points[k].Scored > 0 {
			tl.Points[k].MeanSentiment = round(scoreSum[k] / tl.Points[k].Scored)
		}
		tl.Points[k].NegativeReach = round(tl.Points[k].NegativeReach)
	}
	if len(ps) > 0 {
		tl.From = ps[0].Start.UTC()
		tl.To = ps[len(ps)-1].Start.Add(step).UTC()
	}
	return tl
}

// round keeps four decimals: what the numbers mean, not float noise.
func round(v float64) float64 { return math.Round(v*1e4) / 1e4 }
