// Package correction keeps the sentiment labels that people corrected: a
// post's id and text, the label it should have had, the label it was given,
// who corrected it and when, and an optional note. Corrections are the
// training data of "socialpulse sentiment adapt", so they are stored durably
// in Redis, one key per correction plus an index by time, each written with
// one script (atomic), and they expire only after Retention.
//
// Scope: validation and storage. Non-goals: HTTP (package corrections),
// training (package sentiment) and access control (package auth).
package correction

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/sentiment"
)

// Correction is one corrected label.
type Correction struct {
	// ID is assigned by Store.Add: the time in ms and a random suffix.
	ID string `json:"id"`
	// PostID is the corrected post's id.
	PostID string `json:"postId"`
	// Text is the post's text, the input adapt trains on.
	Text string `json:"text"`
	// Label is the corrected label: negative, neutral or positive.
	Label sentiment.Label `json:"label"`
	// Previous is the label the post had: negative, neutral, positive or
	// unscored.
	Previous sentiment.Label `json:"previous"`
	// Who made the correction: the API token's name.
	Who string `json:"who"`
	// When it was made.
	When time.Time `json:"when"`
	// Note is an optional remark ("sarcasm", "complaint told as a fact").
	Note string `json:"note,omitempty"`
}

// Limits on a correction's fields.
const (
	MaxPostIDBytes = 256
	MaxTextBytes   = 16 << 10
	MaxNoteRunes   = 2000
	MaxWhoRunes    = 64
)

// FieldError is a correction field that fails Validate.
type FieldError struct {
	Field, Msg string
}

func (e *FieldError) Error() string { return "correction: " + e.Field + ": " + e.Msg }

func fieldErr(field, format string, a ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Validate checks the fields a client sends (not ID, Who or When): a post
// id of 1-256 bytes without control characters, a text of 1 byte to 16
// KiB of valid UTF-8, a corrected label that is not unscored, and a note
// of at most 2,000 characters with no control characters other than
// newlines and tabs and no bidirectional formatting characters (which can
// make a note read differently from what it stores).
func (c Correction) Validate() *FieldError {
	switch {
	case c.PostID == "" || len(c.PostID) > MaxPostIDBytes:
		return fieldErr("postId", "want 1-%d bytes", MaxPostIDBytes)
	case !utf8.ValidString(c.PostID) || strings.ContainsFunc(c.PostID, unicode.IsControl):
		return fieldErr("postId", "must be UTF-8 without control characters")
	case strings.TrimSpace(c.Text) == "":
		return fieldErr("text", "is required")
	case len(c.Text) > MaxTextBytes:
		return fieldErr("text", "is %d bytes, at most %d allowed", len(c.Text), MaxTextBytes)
	case !utf8.ValidString(c.Text):
		return fieldErr("text", "must be valid UTF-8")
	case c.Label > sentiment.Positive:
		return fieldErr("label", "want negative, neutral or positive")
	case c.Previous > sentiment.Unscored:
		return fieldErr("previous", "want negative, neutral, positive or unscored")
	}
	if n := utf8.RuneCountInString(c.Note); n > MaxNoteRunes {
		return fieldErr("note", "is %d characters, at most %d allowed", n, MaxNoteRunes)
	}
	if !utf8.ValidString(c.Note) {
		return fieldErr("note", "must be valid UTF-8")
	}
	if strings.ContainsFunc(c.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return fieldErr("note", "must not contain control characters other than newlines and tabs")
	}
	if strings.ContainsFunc(c.Note, isBidi) {
		return fieldErr("note", "must not contain bidirectional formatting characters")
	}
	return nil
}

// isBidi reports the bidirectional formatting characters: marks,
// embeddings, overrides and isolates.
func isBidi(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// ErrBadCursor is returned by List for a cursor it did not make.
var ErrBadCursor = errors.New("correction: bad list cursor")

// DefaultRetention is how long a correction is kept: two years, so that a
// model can be re-adapted from every correction of the last two years.
const DefaultRetention = 2 * 365 * 24 * time.Hour

// Options configure a Store.
type Options struct {
	// Prefix of every key (the config's redis.key_prefix). Keys are
	// {Prefix}:corr:c:{id} (the correction's JSON) and
	// {Prefix}:corr:idx:time (a sorted set of ids by time in ms).
	Prefix string
	// Retention is how long a correction is kept. Default: DefaultRetention.
	Retention time.Duration
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

// Store keeps corrections in Redis. It is safe for concurrent use.
type Store struct {
	rdb  redis.UniversalClient
	base string
	o    Options
}

// NewStore returns a Store.
func NewStore(rdb redis.UniversalClient, o Options) (*Store, error) {
	if rdb == nil {
		return nil, errors.New("correction: redis client is required")
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.Retention < time.Millisecond {
		return nil, fmt.Errorf("correction: retention %v, want at least 1ms", o.Retention)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	base := "corr"
	if o.Prefix != "" {
		base = o.Prefix + ":corr"
	}
	return &Store{rdb: rdb, base: base, o: o}, nil
}

func (s *Store) key(id string) string { return s.base + ":c:" + id }
func (s *Store) timeIndex() string    { return s.base + ":idx:time" }

// addScript stores one correction and indexes it. KEYS: 1 correction, 2
// time index. ARGV: 1 JSON, 2 time ms, 3 id, 4 retention ms, 5 key prefix of
// corrections. Index entries whose correction expired are pruned, a few
// per write.
var addScript = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, 19)) do
  if redis.call('EXISTS', ARGV[5] .. id) == 0 then
    redis.call('ZREM', KEYS[2], id)
  end
end
return 1
`)

// Add validates c, sets its ID and When (When only if zero), stores it and
// returns it.
func (s *Store) Add(ctx context.Context, c Correction) (Correction, error) {
	if fe := c.Validate(); fe != nil {
		return c, fe
	}
	if c.When.IsZero() {
		c.When = s.o.Now()
	}
	c.When = c.When.UTC()
	var rnd [4]byte
	_, _ = rand.Read(rnd[:]) // crypto/rand.Read never fails
	c.ID = fmt.Sprintf("%013d-%s", c.When.UnixMilli(), hex.EncodeToString(rnd[:]))
	body, err := json.Marshal(c)
	if err != nil {
		return c, fmt.Errorf("correction: encode: %w", err)
	}
	err = addScript.Run(ctx, s.rdb, []string{s.key(c.ID), s.timeIndex()},
		body, c.When.UnixMilli(), c.ID, s.o.Retention.Milliseconds(), s.base+":c:").Err()
	if err != nil {
		return c, fmt.Errorf("correction: store %s: %w", c.ID, err)
	}
	return c, nil
}

// Query selects corrections for List.
type Query struct {
	// Cursor continues a previous List (its second result).
	Cursor string
	// Limit is the page size: 1..MaxLimit.
	Limit int
	// Asc lists oldest first; the default is newest first.
	Asc bool
}

// MaxLimit bounds a List page.
const MaxLimit = 1000

// List returns corrections ordered by time then ID, and a cursor for the
// next page ("" after the last). Corrections stored meanwhile never shift
// the entries of later pages.
func (s *Store) List(ctx context.Context, q Query) ([]Correction, string, error) {
	if q.Limit < 1 || q.Limit > MaxLimit {
		return nil, "", fmt.Errorf("correction: list limit %d: want 1..%d", q.Limit, MaxLimit)
	}
	lo, hi := "-inf", "+inf"
	var after struct {
		score int64
		id    string
	}
	if q.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		sc, id, ok := strings.Cut(string(b), "|")
		n, perr := strconv.ParseInt(sc, 10, 64)
		if err != nil || !ok || perr != nil || id == "" {
			return nil, "", ErrBadCursor
		}
		after.score, after.id = n, id
		if q.Asc {
			lo = sc
		} else {
			hi = sc
		}
	}
	var out []Correction
	var lastScore int64
	var lastID string
	const batch = 200
	for offset := int64(0); ; offset += batch {
		by := &redis.ZRangeBy{Min: lo, Max: hi, Offset: offset, Count: batch}
		var zs []redis.Z
		var err error
		if q.Asc {
			zs, err = s.rdb.ZRangeByScoreWithScores(ctx, s.timeIndex(), by).Result()
		} else {
			zs, err = s.rdb.ZRevRangeByScoreWithScores(ctx, s.timeIndex(), by).Result()
		}
		if err != nil {
			return nil, "", fmt.Errorf("correction: list: %w", err)
		}
		if len(zs) == 0 {
			return out, "", nil
		}
		keys := make([]string, len(zs))
		for i, z := range zs {
			keys[i] = s.key(z.Member.(string))
		}
		vals, err := s.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return nil, "", fmt.Errorf("correction: list: read: %w", err)
		}
		for i, z := range zs {
			id, score := z.Member.(string), int64(z.Score)
			if q.Cursor != "" && score == after.score &&
				((!q.Asc && id >= after.id) || (q.Asc && id <= after.id)) {
				continue
			}
			body, ok := vals[i].(string)
			if !ok { // expired; the next write prunes it
				continue
			}
			if len(out) == q.Limit {
				return out, encodeCursor(lastScore, lastID), nil
			}
			var c Correction
			if err := json.Unmarshal([]byte(body), &c); err != nil {
				return nil, "", fmt.Errorf("correction: list: decode %s: %w", id, err)
			}
			out = append(out, c)
			lastScore, lastID = score, id
		}
		if len(zs) < batch {
			return out, "", nil
		}
	}
}

func encodeCursor(score int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(score, 10) + "|" + id))
}

// Latest returns, of corrections, the latest one of each post (by When,
// then ID), in the order of their first appearance. A post corrected twice
// trains on its last label only.
func Latest(cs []Correction) []Correction {
	idx := map[string]int{}
	var out []Correction
	for _, c := range cs {
		i, seen := idx[c.PostID]
		switch {
		case !seen:
			idx[c.PostID] = len(out)
			out = append(out, c)
		case c.When.After(out[i].When) || (c.When.Equal(out[i].When) && c.ID > out[i].ID):
			out[i] = c
		}
	}
	return out
}

// ReadFile reads the corrections file path with ReadJSONL; its errors
// name the file.
func ReadFile(path string) ([]Correction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError names the file
	}
	defer f.Close()
	cs, err := ReadJSONL(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cs, nil
}

// ReadJSONL reads corrections written one JSON object a line (the export of
// GET /api/v1/corrections.jsonl), checking each with Validate. Blank lines
// are skipped; any other line that is not a valid correction is an error
// naming its line number, so an export cut short by a store failure is
// refused rather than trained on.
func ReadJSONL(r io.Reader) ([]Correction, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4*MaxTextBytes)
	var out []Correction
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var c Correction
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("correction: line %d: %w", n, err)
		}
		if fe := c.Validate(); fe != nil {
			return nil, fmt.Errorf("line %d: %w", n, fe)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("correction: read: %w", err)
	}
	return out, nil
}

// Examples turns corrections into training examples of weight w: the
// latest correction of each post (Latest), in that order.
func Examples(cs []Correction, w float64) []sentiment.Example {
	latest := Latest(cs)
	out := make([]sentiment.Example, len(latest))
	for i, c := range latest {
		out[i] = sentiment.Example{Text: c.Text, Label: c.Label, Weight: w}
	}
	return out
}
