package monitor

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/alert"
)

func (m *Monitor) leaseKey() string { return m.o.Prefix + ":monitor:lease" }

// leaseScript takes the lease if free, or renews it if this instance holds
// it; it returns 1 when the caller holds the lease afterwards.
var leaseScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// releaseScript deletes the lease only if this instance holds it.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

func (m *Monitor) lease(ctx context.Context) (bool, error) {
	n, err := leaseScript.Run(ctx, m.o.Redis, []string{m.leaseKey()}, m.o.Instance, m.o.LeaseTTL.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("monitor: lease: %w", err)
	}
	return n == 1, nil
}

// release gives the lease up on shutdown so another processor takes over
// at its next tick instead of after the TTL.
func (m *Monitor) release() {
	if !m.leader {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := releaseScript.Run(ctx, m.o.Redis, []string{m.leaseKey()}, m.o.Instance).Err(); err != nil {
		m.log.Sugar().Warnw("spike detection lease not released; it expires by itself", "error", err)
	}
}

// openAlerts returns the firing alerts by feature.
func (m *Monitor) openAlerts(ctx context.Context) (map[string]alert.Alert, error) {
	out := map[string]alert.Alert{}
	cursor := ""
	for {
		page, next, err := m.o.Publisher.List(ctx, alert.Query{State: alert.StateFiring, Cursor: cursor, Limit: 500})
		if err != nil {
			return nil, fmt.Errorf("monitor: list open alerts: %w", err)
		}
		for _, a := range page {
			if a.Kind == alert.KindNegativeSurge {
				if prev, ok := out[a.Evidence.Feature]; !ok || a.StartsAt.After(prev.StartsAt) {
					out[a.Evidence.Feature] = a
				}
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
