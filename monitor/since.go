package monitor

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

// When a feature's series starts. A quiet feature (no mention in the
// replayed history) still needs a baseline to surge from, and its zeros are
// one, but only where they are real: in buckets where the matrix counted
// posts at all (not before the first deployment) and after the group began
// watching the feature (not before a taxonomy change added it, when posts
// were not tagged with it). The second is a Redis key per feature,
// <prefix>:monitor:feature_since:<id> holding unix seconds, set once by the
// first leader whose taxonomy has the feature and never moved after.
//
// A feature mentioned earlier than both still starts at its first mention.

func (m *Monitor) sinceKey(id string) string { return m.o.Prefix + ":monitor:feature_since:" + id }

// loadSince makes sure m.since knows every feature of feats, recording now
// as the start of watching for the features the group has never watched.
func (m *Monitor) loadSince(ctx context.Context, feats []feature.Feature, now time.Time) error {
	var missing []string
	for _, f := range feats {
		if _, ok := m.since[f.ID]; !ok {
			missing = append(missing, f.ID)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	stamp := strconv.FormatInt(now.Unix(), 10)
	pipe := m.o.Redis.Pipeline()
	gets := make([]*redis.StringCmd, len(missing))
	for i, id := range missing {
		pipe.SetNX(ctx, m.sinceKey(id), stamp, 0)
		gets[i] = pipe.Get(ctx, m.sinceKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("monitor: feature watch times: %w", err)
	}
	for i, id := range missing {
		secs, err := strconv.ParseInt(gets[i].Val(), 10, 64)
		if err != nil {
			return fmt.Errorf("monitor: feature watch time of %s: %q is not unix seconds", id, gets[i].Val())
		}
		m.since[id] = time.Unix(secs, 0)
	}
	return nil
}

// noteData remembers the first bucket in which the matrix counted any post.
func (m *Monitor) noteData(start time.Time, mat *impactmatrix.Matrix) {
	if !m.dataSince.IsZero() {
		return
	}
	for _, r := range mat.Rows {
		if r.Total().Count > 0 {
			m.dataSince = start
			return
		}
	}
}

// quietStart reports whether a feature with no series yet and no mention in
// the bucket starting at start should start its series there, with a zero.
func (m *Monitor) quietStart(id string, start time.Time) bool {
	since, ok := m.since[id]
	return ok && !m.dataSince.IsZero() && !start.Before(m.dataSince) && !start.Before(since)
}
