package impactmatrix

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// LeaveIntentRetention is how long the hourly counts of posts that express
// an intent to leave are kept: twice the after-care watch's default period
// (30 days) plus two days, so a watch can be read to its end for a while.
const LeaveIntentRetention = 62 * 24 * time.Hour

// IntentCell is one feature's hour.
type IntentCell struct {
	Feature string
	// Hour is the start of the hour, UTC (Unix seconds).
	Hour int64
}

// HourOf returns the start of t's hour in Unix seconds.
func HourOf(t time.Time) int64 { return t.Unix() - t.Unix()%3600 }

func (s *Store) intentKey(hour int64) string {
	return s.prefix + ":intent:" + strconv.FormatInt(hour, 10)
}

// AddLeaveIntent adds counts of posts that express an intent to leave
// (package incident, ExpressesLeaveIntent), by feature and hour. Like the
// evidence samples it is best effort, outside the matrix's exactly-once
// write: written after it, a batch's counts are lost if the process stops
// in between, and never counted twice by a redelivery (the redelivered
// batch is skipped).
func (s *Store) AddLeaveIntent(ctx context.Context, counts map[IntentCell]int64) error {
	if len(counts) == 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	hours := map[int64]bool{}
	for c, n := range counts {
		pipe.HIncrBy(ctx, s.intentKey(c.Hour), c.Feature, n)
		hours[c.Hour] = true
	}
	for h := range hours {
		pipe.ExpireAt(ctx, s.intentKey(h), time.Unix(h, 0).Add(time.Hour+LeaveIntentRetention))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store leave-intent counts: %w", err)
	}
	return nil
}

// LeaveIntent sums the leave-intent counts of features over the hours that
// start in [from, to).
func (s *Store) LeaveIntent(ctx context.Context, features []string, from, to time.Time) (int64, error) {
	if len(features) == 0 {
		return 0, nil
	}
	pipe := s.rdb.Pipeline()
	var cmds []*redis.SliceCmd
	h := HourOf(from)
	if h < from.Unix() {
		h += 3600
	}
	for ; h < to.Unix(); h += 3600 {
		cmds = append(cmds, pipe.HMGet(ctx, s.intentKey(h), features...))
	}
	if len(cmds) == 0 {
		return 0, nil
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("read leave-intent counts: %w", err)
	}
	var sum int64
	for _, c := range cmds {
		for _, v := range c.Val() {
			if str, ok := v.(string); ok {
				n, err := strconv.ParseInt(str, 10, 64)
				if err != nil {
					return 0, fmt.Errorf("read leave-intent counts: %w", err)
				}
				sum += n
			}
		}
	}
	return sum, nil
}
