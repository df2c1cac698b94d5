package alert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/incident"
)

// Milestone is a typed step of the response to an incident (acknowledged,
// statement, ...), kept on the record of one of the incident's spikes. The
// types are package incident's; the history only checks their form.
type Milestone struct {
	Type   string    `json:"type"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
	Time   time.Time `json:"time"`
	// Source is how the milestone was recorded: "" when a person typed it
	// (API, CLI, web page), SourceBrandPost when a post of the brand's own
	// account was recorded as a statement automatically.
	Source string `json:"source,omitempty"`
	// Post is the id of the post a SourceBrandPost milestone was recorded
	// from, and URL its link when the post had one.
	Post string `json:"post,omitempty"`
	URL  string `json:"url,omitempty"`
	// Spike is the ID of the alert whose record keeps the milestone (set
	// on read).
	Spike string `json:"spike"`
}

// SourceBrandPost marks a milestone recorded from a post of the brand's
// own account (package statements).
const SourceBrandPost = "brand_post"

var milestoneType = regexp.MustCompile(`^[a-z_]{1,32}$`)

// AddMilestone attaches m to alert id's record (ErrNotFound if it does not
// exist), beside its notes and with the same retention. A zero m.Time is
// set to now.
func (o *Outbox) AddMilestone(ctx context.Context, id string, m Milestone) error {
	if !milestoneType.MatchString(m.Type) {
		return fmt.Errorf("alert: milestone type %q: want [a-z_]{1,32}", m.Type)
	}
	if m.Time.IsZero() {
		m.Time = o.o.Now()
	}
	m.Spike = ""
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("alert: encode milestone: %w", err)
	}
	field := fmt.Sprintf("ms:%020d:%s", m.Time.UnixNano(), newToken()[:8])
	ok, err := noteScript.Run(ctx, o.rdb, []string{o.alertKey(id)}, field, body).Int()
	if err != nil {
		return fmt.Errorf("alert: add milestone to %s: %w", id, err)
	}
	if ok == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return nil
}

// AddMilestoneOnce is AddMilestone made idempotent on key (such as the id
// of the post it was recorded from): if a milestone with the same key was
// added before, on any alert of this history, it stores nothing and returns
// false. The key is remembered for the history's retention.
func (o *Outbox) AddMilestoneOnce(ctx context.Context, id string, m Milestone, key string) (bool, error) {
	if !milestoneType.MatchString(m.Type) {
		return false, fmt.Errorf("alert: milestone type %q: want [a-z_]{1,32}", m.Type)
	}
	if key == "" {
		return false, errors.New("alert: milestone key must not be empty")
	}
	if m.Time.IsZero() {
		m.Time = o.o.Now()
	}
	m.Spike = ""
	body, err := json.Marshal(m)
	if err != nil {
		return false, fmt.Errorf("alert: encode milestone: %w", err)
	}
	sum := sha256.Sum256([]byte(key))
	k := hex.EncodeToString(sum[:16])
	field := fmt.Sprintf("ms:%020d:%s", m.Time.UnixNano(), k)
	n, err := milestoneOnceScript.Run(ctx, o.rdb, []string{o.alertKey(id), o.base + ":msk:" + k}, field, body,
		o.o.Retention.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("alert: add milestone to %s: %w", id, err)
	}
	switch n {
	case 0:
		return false, fmt.Errorf("%w: %s", ErrNotFound, id)
	case 2:
		return false, nil
	}
	return true, nil
}

// milestoneOnceScript adds a milestone to an existing alert unless its key
// was seen. KEYS: 1 alert hash, 2 key marker. ARGV: 1 field, 2 milestone
// JSON, 3 marker TTL ms. Returns 0 if the alert does not exist, 2 if the key
// was seen, 1 when added.
var milestoneOnceScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 2
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`)

// Milestones returns the milestones kept on the records of alerts ids (an
// incident's spikes), ordered by time. Unknown or expired alerts have none.
func (o *Outbox) Milestones(ctx context.Context, ids ...string) ([]Milestone, error) {
	if len(ids) == 0 {
		return []Milestone{}, nil
	}
	pipe := o.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGetAll(ctx, o.alertKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("alert: read milestones: %w", err)
	}
	out := []Milestone{}
	for i, cmd := range cmds {
		h, err := cmd.Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("alert: read milestones of %s: %w", ids[i], err)
		}
		for f, v := range h {
			if !strings.HasPrefix(f, "ms:") {
				continue
			}
			var m Milestone
			if err := json.Unmarshal([]byte(v), &m); err != nil {
				return nil, fmt.Errorf("alert: decode %s milestone: %w", ids[i], err)
			}
			m.Spike = ids[i]
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b Milestone) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Type+a.Text, b.Type+b.Text)
	})
	return out, nil
}

// Spike is what incident grouping needs of a spike alert: its feature and
// display name, onset, end (EndsAt once resolved, else UpdatedAt when a
// resolved version has none; zero while it fires), priority and evidence
// words.
func (a Alert) Spike() incident.Spike {
	s := incident.Spike{ID: a.ID, Feature: a.Evidence.Feature, Name: a.Evidence.FeatureName, Start: a.StartsAt,
		Priority: a.Priority, Words: a.Evidence.TopWords}
	if a.State == StateResolved {
		s.End = a.EndsAt
		if s.End.IsZero() {
			s.End = a.UpdatedAt
		}
	}
	return s
}
