package monitor

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/detect"
	"github.com/socialpulse/socialpulse/feature"
)

// A handful of accounts cannot page anyone.
//
// The detector judges counts, and sixty complaints from three accounts in
// a minute are as many as sixty customers'. So when a detector fires, the
// monitor counts the distinct authors of the feature's negative mentions
// over the detector's evaluation window (HyperLogLog sketches the matrix
// write keeps beside the counts; see impactmatrix/authors.go). The spike is
// published only once they reach MinAuthors. Until then it is held: not
// published, counted once in socialpulse_detector_held_total, and checked
// again at every bucket while the detector keeps firing, so a burst that
// spreads to more customers is published then, with its true onset. A held
// spike that resolves first publishes nothing.
//
// The detector itself is not told: it freezes its baseline and starts its
// cooldown for a held spike as for a published one, so a genuine surge
// that begins within the cooldown after a held burst resolved is not
// raised until the cooldown ends.

// DefaultMinAuthors is the default MinAuthors. The detector's least volume
// is 10 negative mentions in its window; 5 distinct authors lets each
// customer of the smallest spike it raises post twice, while three or four
// accounts posting in a loop never page.
const DefaultMinAuthors = 5

// fire publishes a new episode of f's spike if enough distinct authors
// complain, else holds it.
func (m *Monitor) fire(ctx context.Context, f feature.Feature, s *series, dec detect.Decision, at time.Time) {
	if m.enoughAuthors(ctx, f, s, at) {
		m.publish(ctx, f, s, dec, detect.EventFire, at)
		return
	}
	s.held = true
	m.m.held.WithLabelValues(f.ID).Inc()
	m.log.Info("spike held: too few distinct authors to publish", zap.String("feature", f.ID),
		zap.Int64("authors", s.authors), zap.Int("min_authors", m.o.MinAuthors), zap.Float64("current", dec.Value))
}

// recheckHeld publishes f's held spike once enough distinct authors
// complain, and drops it if it resolved first.
func (m *Monitor) recheckHeld(ctx context.Context, f feature.Feature, s *series, dec detect.Decision, at time.Time) {
	if dec.State != detect.StateFiring {
		s.held = false
		m.log.Info("held spike ended without enough distinct authors; nothing published", zap.String("feature", f.ID),
			zap.Int64("authors", s.authors), zap.Int("min_authors", m.o.MinAuthors))
		return
	}
	if m.enoughAuthors(ctx, f, s, at) {
		s.held = false
		m.publish(ctx, f, s, dec, detect.EventFire, at)
	}
}

// enoughAuthors counts the distinct authors of f's negative mentions in the
// evaluation window ending at end (into s.authors) and reports whether they
// reach MinAuthors. A failed count is not enough: the spike is held and
// counted again at the next bucket.
func (m *Monitor) enoughAuthors(ctx context.Context, f feature.Feature, s *series, end time.Time) bool {
	err := m.countAuthors(ctx, f, s, end)
	if m.o.MinAuthors <= 1 {
		return true
	}
	if err != nil {
		m.log.Warn("distinct authors not counted; the spike is held until they are", zap.String("feature", f.ID), zap.Error(err))
		return false
	}
	return s.authors >= int64(m.o.MinAuthors)
}

// countAuthors sets s.authors to the distinct authors of f's negative
// mentions in the evaluation window ending at end, unless it already holds
// them. On error s.authors is 0.
func (m *Monitor) countAuthors(ctx context.Context, f feature.Feature, s *series, end time.Time) error {
	if !s.authorsAt.IsZero() && s.authorsAt.Equal(end) {
		return nil
	}
	n, err := m.o.Matrix.Authors(ctx, f.ID, end.Add(-time.Duration(m.det.EvalSteps)*m.step), end)
	if err != nil {
		s.authors, s.authorsAt = 0, time.Time{}
		return err
	}
	s.authors, s.authorsAt = n, end
	return nil
}

// setFiring publishes f's firing and holding gauges.
func (m *Monitor) setFiring(f feature.Feature, s *series) {
	firing, holding := 0.0, 0.0
	switch {
	case s.held:
		holding = 1
	case s.lastDecision.State == detect.StateFiring:
		firing = 1
	}
	m.m.firing.WithLabelValues(f.ID).Set(firing)
	m.m.holding.WithLabelValues(f.ID).Set(holding)
}
