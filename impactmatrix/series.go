package impactmatrix

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Buckets holds per-bucket matrices for consecutive buckets starting at
// Start, one bucket apart. It is what the spike detector reads.
type Buckets struct {
	Start  time.Time
	Step   time.Duration
	Matrix []*Matrix // Matrix[i] covers [Start+i*Step, Start+(i+1)*Step)
}

// Series reads every fine bucket in [from, to) across all sources, one
// matrix per bucket. It reads only fine buckets, so keep ranges to what
// the caller needs (a detector's trailing window, or the newly closed
// buckets since its last read).
func (s *Store) Series(ctx context.Context, from, to time.Time) (*Buckets, error) {
	from, to = from.Truncate(s.bucket), to.Truncate(s.bucket)
	b := &Buckets{Start: from, Step: s.bucket}
	if !from.Before(to) {
		return b, nil
	}
	n := int(to.Sub(from) / s.bucket)
	b.Matrix = make([]*Matrix, n)
	for i := range b.Matrix {
		start := from.Add(time.Duration(i) * s.bucket)
		b.Matrix[i] = &Matrix{From: start, To: start.Add(s.bucket), Rows: map[string]*Row{}}
	}
	srcs, err := s.Sources(ctx)
	if err != nil {
		return nil, err
	}
	type key struct {
		i    int
		name string
	}
	var keys []key
	for _, src := range srcs {
		tag := s.tag(src)
		for i := range n {
			keys = append(keys, key{i, s.bucketKey(tag, true, from.Add(time.Duration(i)*s.bucket).Unix())})
		}
	}
	const chunk = 2000 // keys per pipelined round trip
	for len(keys) > 0 {
		part := keys[:min(chunk, len(keys))]
		keys = keys[len(part):]
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.MapStringStringCmd, len(part))
		for k, kk := range part {
			cmds[k] = pipe.HGetAll(ctx, kk.name)
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("read series: %w", err)
		}
		for k, cmd := range cmds {
			if err := addFields(b.Matrix[part[k].i], cmd.Val()); err != nil {
				return nil, fmt.Errorf("read series: key %s: %w", part[k].name, err)
			}
		}
	}
	return b, nil
}
