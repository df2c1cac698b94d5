package impactmatrix

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestLeaveIntentCountsSumByHourAndFeature(t *testing.T) {
	backends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		s := newStore(t, rdb, prefix)
		h := func(n int) int64 { return HourOf(t0.Add(time.Duration(n) * time.Hour)) }
		for _, batch := range []map[IntentCell]int64{
			{{"checkout", h(0)}: 2, {"payment", h(0)}: 1, {"search", h(0)}: 7},
			{{"checkout", h(0)}: 1, {"checkout", h(5)}: 4},
			{{"checkout", h(30)}: 9},
		} {
			if err := s.AddLeaveIntent(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			name     string
			features []string
			from, to time.Time
			want     int64
		}{
			{"one feature's day", []string{"checkout"}, t0, t0.Add(24 * time.Hour), 7},
			{"two features", []string{"checkout", "payment"}, t0, t0.Add(24 * time.Hour), 8},
			{"an hour that starts before from is not counted", []string{"checkout"}, t0.Add(time.Minute), t0.Add(24 * time.Hour), 4},
			{"to is exclusive", []string{"checkout"}, t0, t0.Add(5 * time.Hour), 3},
			{"the next day", []string{"checkout"}, t0.Add(24 * time.Hour), t0.Add(48 * time.Hour), 9},
			{"no features", nil, t0, t0.Add(48 * time.Hour), 0},
			{"a feature with none", []string{"login"}, t0, t0.Add(48 * time.Hour), 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.LeaveIntent(ctx, c.features, c.from, c.to)
				if err != nil || got != c.want {
					t.Errorf("LeaveIntent = %d, %v; want %d", got, err, c.want)
				}
			})
		}
		ttl, err := rdb.TTL(ctx, s.intentKey(h(0))).Result()
		if err != nil || ttl <= 0 || ttl > LeaveIntentRetention+time.Hour {
			t.Errorf("ttl %v (%v), want up to the retention", ttl, err)
		}
	})
}
