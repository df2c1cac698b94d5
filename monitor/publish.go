package monitor

import (
	"context"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/detect"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/textnorm"
)

// publish turns a detector event into the next version of f's alert.
func (m *Monitor) publish(ctx context.Context, f feature.Feature, s *series, dec detect.Decision, ev detect.Event, at time.Time) {
	var a alert.Alert
	switch ev {
	case detect.EventFire:
		fp := alert.Fingerprint(f.ID, alert.KindNegativeSurge)
		onset := dec.Since
		if onset.IsZero() {
			onset = at.Add(-m.step)
		}
		a = alert.Alert{ID: alert.EpisodeID(fp, onset), Fingerprint: fp, Kind: alert.KindNegativeSurge,
			State: alert.StateFiring, Sequence: 1, StartsAt: onset}
		a.Incident = m.incidentOf(ctx, a, at)
	case detect.EventUpdate, detect.EventResolve:
		if s.open == nil {
			return // nothing open to update or resolve
		}
		a = *s.open
		a.Sequence++
		if ev == detect.EventResolve {
			a.State = alert.StateResolved
			a.EndsAt = at
		}
	default:
		return
	}
	a.UpdatedAt = at
	if ev == detect.EventResolve {
		// A resolve keeps the priority and evidence of the spike as it was
		// last reported; only the end time changes.
	} else {
		a.Priority, _ = m.priority(f, dec, s, at)
		if err := m.countAuthors(ctx, f, s, at); err != nil {
			m.log.Warn("alert evidence without its distinct-author count", zap.String("feature", f.ID), zap.Error(err))
		}
		a.Evidence = m.evidence(ctx, f, s, dec, a.ID)
	}
	a.Summary = alert.FormatSummary(a)
	if a.State == alert.StateResolved {
		s.open = nil
	} else {
		kept := a
		s.open = &kept
	}
	m.send(ctx, a)
}

func (m *Monitor) send(ctx context.Context, a alert.Alert) {
	stored, err := m.o.Publisher.Publish(ctx, a)
	if err != nil {
		m.m.publishErrors.Inc()
		m.pending = append(m.pending, a)
		m.log.Warn("alert not stored; retrying next tick", zap.String("alert", a.ID), zap.Int("sequence", a.Sequence), zap.Error(err))
		return
	}
	if stored {
		m.m.published.WithLabelValues(string(a.State)).Inc()
		m.log.Info("alert published", zap.String("alert", a.ID), zap.String("feature", a.Evidence.Feature),
			zap.String("state", string(a.State)), zap.Int("priority", a.Priority), zap.Int("sequence", a.Sequence), zap.String("summary", a.Summary))
	}
}

func (m *Monitor) flushPending(ctx context.Context) {
	pending := m.pending
	m.pending = nil
	for _, a := range pending {
		m.send(ctx, a)
	}
}

// priority computes the P-level of f's spike as of at.
func (m *Monitor) priority(f feature.Feature, dec detect.Decision, s *series, at time.Time) (int, float64) {
	var persistence time.Duration
	if !dec.Since.IsZero() {
		persistence = at.Sub(dec.Since)
	}
	return detect.Priority(detect.PriorityInput{
		Growth: dec.Ratio, NegativeVolume: dec.Value, Reach: s.reach, Criticality: f.Criticality, Persistence: persistence,
	}, m.weights)
}

// evidence gathers what IT needs to act: counts, share, samples, words, links.
func (m *Monitor) evidence(ctx context.Context, f feature.Feature, s *series, dec detect.Decision, id string) alert.Evidence {
	ev := alert.Evidence{
		Feature: f.ID, FeatureName: f.Name, Owner: f.Owner, Criticality: f.Criticality,
		Window: time.Duration(m.det.EvalSteps) * m.step, Current: dec.Value, Baseline: dec.Baseline,
		// Growth with +1 smoothing, as the detector's Ratio: finite when the
		// baseline is zero.
		ChangePct: (dec.Ratio - 1) * 100,
		PValue:    dec.PValue, Score: dec.Score,
		DistinctAuthors: s.authors,
	}
	var neg, scored int64
	for _, r := range s.recent[max(0, len(s.recent)-m.det.EvalSteps):] {
		neg += r.neg
		scored += r.scored
	}
	if scored > 0 {
		ev.NegativeShare = float64(neg) / float64(scored)
	}
	samples, err := m.o.Matrix.Samples(ctx, f.ID, impactmatrix.Negative, 20)
	if err != nil {
		m.log.Warn("alert evidence without samples", zap.String("feature", f.ID), zap.Error(err))
	}
	var followers int64
	for _, sm := range samples {
		followers = addFollowers(followers, sm.Followers)
	}
	// Near-identical posts are quoted once, with their count, so the
	// samples show the breadth of the complaint.
	for i, sm := range impactmatrix.Collapse(samples) {
		if i < m.o.Samples {
			ev.Samples = append(ev.Samples, alert.Sample{ID: sm.ID, Text: sm.Text, URL: sm.URL, Author: sm.Author, Followers: sm.Followers, Time: sm.Time, Count: sm.Count, Inferred: sm.Inferred})
		}
	}
	if len(samples) > 0 {
		// Estimated audience: mean followers of recent complainants × volume.
		ev.Reach = float64(followers) / float64(len(samples)) * dec.Value
		s.reach = ev.Reach
	}
	ev.TopWords = topWords(samples, f, 5)
	if m.o.DashboardURL != "" {
		ev.DashboardURL = m.o.DashboardURL + "?var-feature=" + url.QueryEscape(f.ID)
	}
	if m.o.APIURL != "" {
		ev.APIURL = strings.TrimRight(m.o.APIURL, "/") + "/api/v1/spikes/" + url.PathEscape(id)
	}
	return ev
}

// addFollowers adds follower counts, saturating at math.MaxInt64 instead of
// wrapping (the decoder caps each count at post.MaxFollowers, but samples
// written by older versions may hold anything). A negative count adds 0.
func addFollowers(sum, n int64) int64 {
	if n <= 0 {
		return sum
	}
	if sum > math.MaxInt64-n {
		return math.MaxInt64
	}
	return sum + n
}

// topWords are the most frequent content words of the samples, leaving out
// stopwords and the feature's own name. Words are textnorm's words, numbers
// and hashtag words with apostrophes kept ("can't"); @handles, URLs and
// emoji are not words.
func topWords(samples []impactmatrix.Sample, f feature.Feature, n int) []string {
	var buf [textnorm.MaxTokenBytes]byte
	skip := map[string]bool{}
	sc := textnorm.NewScanner(f.ID+" "+f.Name, evidenceWords)
	for {
		_, w, ok := sc.Next(&buf)
		if !ok {
			break
		}
		skip[string(w)] = true
	}
	counts := map[string]int{}
	interned := map[string]string{} // one string per distinct word
	seen := map[string]bool{}
	for _, sm := range samples {
		clear(seen)
		sc := textnorm.NewScanner(sm.Text, evidenceWords)
		for {
			_, b, ok := sc.Next(&buf)
			if !ok {
				break
			}
			if len(b) < 3 || stopwords[string(b)] || skip[string(b)] || seen[string(b)] {
				continue
			}
			w, ok := interned[string(b)]
			if !ok {
				w = string(b)
				interned[w] = w
			}
			seen[w] = true
			counts[w]++
		}
	}
	words := make([]string, 0, len(counts))
	for w, c := range counts {
		if c >= 2 {
			words = append(words, w)
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) > n {
		words = words[:n]
	}
	return words
}

// evidenceWords are textnorm's words, numbers and hashtag words with
// apostrophes kept, so the stopword list's contractions match, and
// CamelCase names whole ("PayPal").
var evidenceWords = textnorm.Options{KeepApostrophes: true, KeepCamelCase: true}

var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`the and for you your are was were this that with have has had not but can cant can't
		won't wont don't dont didn't didnt isn't its it's just get got again still any all our out from they them their what
		when why how who will would could should been being into over about than then there here very really too also
		now today time times one some more most much many every did does doing done yet only even ever never nothing
		please help thanks thank anyone someone my me i'm ive i've his her him she he we us let after before while`) {
		m[w] = true
	}
	return m
}()
