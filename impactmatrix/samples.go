package impactmatrix

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Sample is a post kept as evidence for a feature's sentiment.
type Sample struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	URL       string    `json:"url,omitempty"`
	Author    string    `json:"author,omitempty"`
	Followers int64     `json:"followers"`
	Time      time.Time `json:"time"`
	Score     float64   `json:"score"`
	// Count is how many near-identical posts the sample stands for, set by
	// Collapse; 0 (as stored) means one.
	Count int `json:"count,omitempty"`
	// Inferred is set when no term of the feature matched the post and the
	// fallback model (taxonomy.fallback_model) tagged it.
	Inferred bool `json:"inferred,omitempty"`
}

// samplesKept is how many recent samples are kept per feature and class.
const samplesKept = 50

// sampleTTL bounds how long samples outlive their last write.
const sampleTTL = 48 * time.Hour

func (s *Store) samplesKey(feature string, c Class) string {
	return s.prefix + ":samples:{" + feature + "}:" + fieldCodes[c]
}

// AddSamples keeps the given samples as the newest evidence for feature and
// class (the most recent samplesKept are retained). It is best effort
// evidence, outside the matrix's exactly-once write: a replayed batch may
// add a sample twice.
func (s *Store) AddSamples(ctx context.Context, feature string, c Class, samples []Sample) error {
	if len(samples) == 0 {
		return nil
	}
	vals := make([]any, 0, len(samples))
	for _, sm := range samples {
		b, err := json.Marshal(sm)
		if err != nil {
			return fmt.Errorf("encode sample: %w", err)
		}
		vals = append(vals, b)
	}
	key := s.samplesKey(feature, c)
	pipe := s.rdb.TxPipeline()
	pipe.LPush(ctx, key, vals...)
	pipe.LTrim(ctx, key, 0, samplesKept-1)
	pipe.Expire(ctx, key, sampleTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store samples of %s: %w", feature, err)
	}
	return nil
}

// Samples returns up to n of the newest samples for feature and class,
// newest first.
func (s *Store) Samples(ctx context.Context, feature string, c Class, n int) ([]Sample, error) {
	raw, err := s.rdb.LRange(ctx, s.samplesKey(feature, c), 0, int64(n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("read samples of %s: %w", feature, err)
	}
	out := make([]Sample, 0, len(raw))
	for _, r := range raw {
		var sm Sample
		if err := json.Unmarshal([]byte(r), &sm); err != nil {
			continue // a sample written by an incompatible version: evidence, not data
		}
		out = append(out, sm)
	}
	return out, nil
}

// Evidence returns the samples kept for class c of each of features, one
// per post: a post kept for two features (or twice after a replayed
// batch) is returned once, with its first feature's copy. It is the
// history `taxonomy suggest --evidence` learns from: at most samplesKept
// posts per feature, written in the last sampleTTL.
func (s *Store) Evidence(ctx context.Context, features []string, c Class) ([]Sample, error) {
	seen := make(map[string]bool)
	var out []Sample
	for _, f := range features {
		ss, err := s.Samples(ctx, f, c, samplesKept)
		if err != nil {
			return nil, err
		}
		for _, sm := range ss {
			if seen[sm.ID] {
				continue
			}
			seen[sm.ID] = true
			out = append(out, sm)
		}
	}
	return out, nil
}
