package alert

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotFound is returned by Get and AddNote for an alert that was never
// stored or whose record has expired.
var ErrNotFound = errors.New("alert: not found")

// ErrBadCursor is returned by List for a Query.Cursor it did not make.
var ErrBadCursor = errors.New("alert: bad list cursor")

// Delivery states in DeliveryStatus.State.
const (
	DeliveryPending    = "pending"    // queued or being retried
	DeliveryDelivered  = "delivered"  // the receiver accepted it
	DeliveryFailed     = "failed"     // MaxAttempts reached; dropped
	DeliverySuperseded = "superseded" // a later version was delivered first; skipped
)

// Record is an alert's history: its latest version, every version in
// Sequence order, the delivery status of each version to each receiver, and
// notes.
type Record struct {
	Alert      Alert            `json:"alert"`
	Versions   []Alert          `json:"versions"`
	Deliveries []DeliveryStatus `json:"deliveries"`
	Notes      []Note           `json:"notes"`
	// ReceiverState holds what StatefulReceivers keep per alert, by
	// receiver name (for Grafana, the annotation id).
	ReceiverState map[string]string `json:"receiverState,omitempty"`
}

// DeliveryStatus is the delivery of one alert version to one receiver.
type DeliveryStatus struct {
	Receiver  string    `json:"receiver"`
	Sequence  int       `json:"sequence"`
	State     string    `json:"state"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"lastError,omitempty"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Note is a remark attached to an alert, such as an operator's comment or
// the PR team's statement.
type Note struct {
	Author string    `json:"author"`
	Text   string    `json:"text"`
	Time   time.Time `json:"time"`
}

// Query selects alerts for List. Zero fields do not filter.
type Query struct {
	Feature  string
	Priority int
	State    State
	// Incident selects the alerts carrying this incident id
	// (Alert.Incident).
	Incident string
	// From and To bound StartsAt: From <= StartsAt < To.
	From, To time.Time
	// Text matches, case-insensitively, the summary, feature name, top
	// words and sample post texts.
	Text string
	// Cursor continues a previous List (its second result).
	Cursor string
	// Limit is the page size. Default 50, at most 500.
	Limit int
	// Order by StartsAt (then ID): "desc" (default, newest first) or "asc".
	Order string
}

// Get returns the record of alert id, or ErrNotFound.
func (o *Outbox) Get(ctx context.Context, id string) (Record, error) {
	h, err := o.rdb.HGetAll(ctx, o.alertKey(id)).Result()
	if err != nil {
		return Record{}, fmt.Errorf("alert: get %s: %w", id, err)
	}
	if h["latest"] == "" {
		return Record{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	var rec Record
	if err := json.Unmarshal([]byte(h["latest"]), &rec.Alert); err != nil {
		return Record{}, fmt.Errorf("alert: decode %s: %w", id, err)
	}
	type dkey struct {
		r   string
		seq int
	}
	ds := map[dkey]*DeliveryStatus{}
	status := func(rest string) *DeliveryStatus {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			return nil
		}
		seq, err := strconv.Atoi(rest[i+1:])
		if err != nil {
			return nil
		}
		k := dkey{rest[:i], seq}
		if ds[k] == nil {
			ds[k] = &DeliveryStatus{Receiver: k.r, Sequence: seq}
		}
		return ds[k]
	}
	for f, v := range h {
		kind, rest, _ := strings.Cut(f, ":")
		switch kind {
		case "v":
			var a Alert
			if err := json.Unmarshal([]byte(v), &a); err != nil {
				return Record{}, fmt.Errorf("alert: decode %s version %s: %w", id, rest, err)
			}
			rec.Versions = append(rec.Versions, a)
		case "n":
			var n Note
			if err := json.Unmarshal([]byte(v), &n); err != nil {
				return Record{}, fmt.Errorf("alert: decode %s note: %w", id, err)
			}
			rec.Notes = append(rec.Notes, n)
		case "rs":
			if rec.ReceiverState == nil {
				rec.ReceiverState = map[string]string{}
			}
			rec.ReceiverState[rest] = v
		case "st":
			if d := status(rest); d != nil {
				d.State = v
			}
		case "att":
			if d := status(rest); d != nil {
				d.Attempts, _ = strconv.Atoi(v)
			}
		case "err":
			if d := status(rest); d != nil {
				d.LastError = v
			}
		case "at":
			if d := status(rest); d != nil {
				ms, _ := strconv.ParseInt(v, 10, 64)
				d.UpdatedAt = time.UnixMilli(ms).UTC()
			}
		}
	}
	slices.SortFunc(rec.Versions, func(a, b Alert) int { return a.Sequence - b.Sequence })
	slices.SortStableFunc(rec.Notes, func(a, b Note) int { return a.Time.Compare(b.Time) })
	for _, d := range ds {
		rec.Deliveries = append(rec.Deliveries, *d)
	}
	slices.SortFunc(rec.Deliveries, func(a, b DeliveryStatus) int {
		if a.Sequence != b.Sequence {
			return a.Sequence - b.Sequence
		}
		return strings.Compare(a.Receiver, b.Receiver)
	})
	return rec, nil
}

// AddNote attaches n to alert id (ErrNotFound if it does not exist). A zero
// n.Time is set to now. Notes expire with the alert's record.
func (o *Outbox) AddNote(ctx context.Context, id string, n Note) error {
	if strings.TrimSpace(n.Text) == "" {
		return errors.New("alert: note has no text")
	}
	if n.Time.IsZero() {
		n.Time = o.o.Now()
	}
	body, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("alert: encode note: %w", err)
	}
	field := fmt.Sprintf("n:%020d:%s", n.Time.UnixNano(), newToken()[:8])
	ok, err := noteScript.Run(ctx, o.rdb, []string{o.alertKey(id)}, field, body).Int()
	if err != nil {
		return fmt.Errorf("alert: add note to %s: %w", id, err)
	}
	if ok == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return nil
}

// listBatch is how many index entries List reads per round trip.
const listBatch = 100

// List returns the latest version of the alerts matching q, ordered by
// StartsAt then ID, and a cursor for the next page ("" after the last
// page). Pages are stable: alerts stored meanwhile never shift or repeat the
// entries of later pages. With q.Feature set it reads that feature's index,
// otherwise the time index; other filters are applied while reading.
func (o *Outbox) List(ctx context.Context, q Query) ([]Alert, string, error) {
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 50
	case limit < 0 || limit > 500:
		return nil, "", fmt.Errorf("alert: list limit %d: want 1..500", limit)
	}
	desc := true
	switch q.Order {
	case "", "desc":
	case "asc":
		desc = false
	default:
		return nil, "", fmt.Errorf("alert: list order %q: want asc or desc", q.Order)
	}
	key := o.timeIndex()
	if q.Feature != "" {
		key = o.featureIndex(q.Feature)
	}
	lo, hi := "-inf", "+inf"
	if !q.From.IsZero() {
		lo = strconv.FormatInt(q.From.UnixMilli(), 10)
	}
	if !q.To.IsZero() {
		hi = "(" + strconv.FormatInt(q.To.UnixMilli(), 10)
	}
	var after *cursor
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return nil, "", err
		}
		after = &c
		// Entries tied on the cursor's score are filtered by ID below.
		s := strconv.FormatInt(c.score, 10)
		if desc {
			hi = minBound(hi, s)
		} else {
			lo = maxBound(lo, s)
		}
	}
	text := strings.ToLower(q.Text)

	var out []Alert
	var last cursor
	for offset := int64(0); ; offset += listBatch {
		by := &redis.ZRangeBy{Min: lo, Max: hi, Offset: offset, Count: listBatch}
		var zs []redis.Z
		var err error
		if desc {
			zs, err = o.rdb.ZRevRangeByScoreWithScores(ctx, key, by).Result()
		} else {
			zs, err = o.rdb.ZRangeByScoreWithScores(ctx, key, by).Result()
		}
		if err != nil {
			return nil, "", fmt.Errorf("alert: list: %w", err)
		}
		if len(zs) == 0 {
			return out, "", nil
		}
		pipe := o.rdb.Pipeline()
		gets := make([]*redis.StringCmd, len(zs))
		for i, z := range zs {
			gets[i] = pipe.HGet(ctx, o.alertKey(z.Member.(string)), "latest")
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, "", fmt.Errorf("alert: list: read alerts: %w", err)
		}
		var gone []any
		for i, z := range zs {
			id := z.Member.(string)
			c := cursor{score: int64(z.Score), id: id}
			if after != nil && c.score == after.score &&
				((desc && id >= after.id) || (!desc && id <= after.id)) {
				continue
			}
			body, err := gets[i].Result()
			if errors.Is(err, redis.Nil) {
				gone = append(gone, id)
				continue
			}
			var a Alert
			if err := json.Unmarshal([]byte(body), &a); err != nil {
				return nil, "", fmt.Errorf("alert: list: decode %s: %w", id, err)
			}
			if !q.matches(a, text) {
				continue
			}
			if len(out) == limit {
				return out, last.encode(), nil
			}
			out = append(out, a)
			last = c
		}
		if len(gone) > 0 { // expired records: drop them from the index
			if err := o.rdb.ZRem(ctx, key, gone...).Err(); err != nil {
				return nil, "", fmt.Errorf("alert: list: prune index: %w", err)
			}
			offset -= int64(len(gone))
		}
		if len(zs) < listBatch {
			return out, "", nil
		}
	}
}

func (q Query) matches(a Alert, text string) bool {
	if q.Priority != 0 && a.Priority != q.Priority {
		return false
	}
	if q.State != "" && a.State != q.State {
		return false
	}
	if q.Incident != "" && a.Incident != q.Incident {
		return false
	}
	if text == "" {
		return true
	}
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), text) }
	if has(a.Summary) || has(a.Evidence.FeatureName) || has(a.Evidence.Feature) {
		return true
	}
	for _, w := range a.Evidence.TopWords {
		if has(w) {
			return true
		}
	}
	for _, s := range a.Evidence.Samples {
		if has(s.Text) {
			return true
		}
	}
	return false
}

// cursor is the position of the last alert of a page.
type cursor struct {
	score int64
	id    string
}

func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.score, 10) + "|" + c.id))
}

func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, fmt.Errorf("%w: %w", ErrBadCursor, err)
	}
	score, id, ok := strings.Cut(string(b), "|")
	n, err := strconv.ParseInt(score, 10, 64)
	if !ok || err != nil || id == "" {
		return cursor{}, ErrBadCursor
	}
	return cursor{score: n, id: id}, nil
}

// minBound and maxBound combine a range bound ("-inf", "+inf", "n" or "(n")
// with an inclusive score s.
func minBound(b, s string) string {
	if boundValue(b) <= boundValue(s) {
		return b
	}
	return s
}

func maxBound(b, s string) string {
	if boundValue(b) >= boundValue(s) {
		return b
	}
	return s
}

func boundValue(b string) float64 {
	switch b {
	case "-inf":
		return math.Inf(-1)
	case "+inf":
		return math.Inf(1)
	}
	v, _ := strconv.ParseFloat(strings.TrimPrefix(b, "("), 64)
	return v
}

// incidentLookback is how long before its first spike's onset a spike of
// an incident may have started: a spike detected later joins the incident
// with its own, earlier onset (incident.Assign).
const incidentLookback = 24 * time.Hour

// IncidentAlerts returns the latest version of every stored alert carrying
// incident id (Alert.Incident), ordered by StartsAt then ID. An incident's
// id is the id of the alert that opened it, so the search starts
// incidentLookback before that alert's onset, read from the time index (or
// at the beginning of the history when the alert has expired).
func (o *Outbox) IncidentAlerts(ctx context.Context, id string) ([]Alert, error) {
	q := Query{Incident: id, Order: "asc", Limit: 500}
	switch onset, err := o.rdb.ZScore(ctx, o.timeIndex(), id).Result(); {
	case err == nil:
		q.From = time.UnixMilli(int64(onset)).Add(-incidentLookback)
	case !errors.Is(err, redis.Nil):
		return nil, fmt.Errorf("alert: incident %s: %w", id, err)
	}
	var out []Alert
	for {
		page, next, err := o.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		q.Cursor = next
	}
}
