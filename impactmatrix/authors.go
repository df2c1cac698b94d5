package impactmatrix

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Distinct authors.
//
// A handful of accounts posting many complaints must not look like many
// customers. Beside the counts, each partition keeps a HyperLogLog of the
// authors of each feature's negative mentions per bucket
// (<prefix>:{topic:partition}:a:<unix start>:<feature>), added by the same
// atomic script that adds the counts and moves the offset. Adding an author
// twice changes nothing, so a redelivered batch cannot inflate the count,
// and HyperLogLogs merge: PFCOUNT over several buckets and partitions
// counts the authors of the union. Small counts are exact or nearly (Redis
// keeps a small sketch sparse, about a hundred bytes); the standard error of
// a large count is 0.81%.
//
// Sketches are kept for negative mentions of taxonomy features only (what the
// spike detector watches), in fine buckets only: the spike gate reads the
// detector's evaluation window (a few buckets), so hourly rollups would cost
// memory that nothing reads. They expire with their bucket.

// AuthorKey is the stable 64-bit identity (FNV-1a) a post's author is
// counted by: the platform and author id, or, for a post without an author
// id, the post's text (so copies of one anonymous text count once). It is
// the same in every process, so sketches written by different processors
// merge. It does not allocate.
func AuthorKey(platform, authorID, text string) uint64 {
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= prime64
		}
	}
	if authorID == "" {
		add("t\x00")
		add(text)
		return h
	}
	add("a\x00")
	add(platform)
	add("\x00")
	add(authorID)
	return h
}

// authorMark is one negative mention's author, kept for the batch's sketches.
type authorMark struct {
	bucket  int64
	feature string
	author  uint64
}

// AddAuthor records that author (see AuthorKey) wrote a negative mention of
// feature at event time t, for the distinct-author sketches. Like Add, the
// feature string must not alias a reused buffer. After the batch's first
// few posts it does not allocate.
func (d *Delta) AddAuthor(t time.Time, feature string, author uint64) {
	d.authors = append(d.authors, authorMark{bucket: floorDiv(t.Unix(), d.bucket) * d.bucket, feature: feature, author: author})
}

func (s *Store) authorsKey(tag string, start int64, feature string) string {
	return tag + ":a:" + strconv.FormatInt(start, 10) + ":" + feature
}

// authorSketch is one sketch key's distinct new elements in a batch.
type authorSketch struct {
	key      string
	expireAt int64
	elems    []any
}

// authorSketches groups d's author marks by sketch key, without repeats,
// in key order. tag is the partition's key tag.
func (s *Store) authorSketches(tag string, d *Delta) []authorSketch {
	if len(d.authors) == 0 {
		return nil
	}
	marks := slices.Clone(d.authors)
	slices.SortFunc(marks, func(a, b authorMark) int {
		return cmp.Or(cmp.Compare(a.bucket, b.bucket), strings.Compare(a.feature, b.feature), cmp.Compare(a.author, b.author))
	})
	marks = slices.Compact(marks)
	bucketSecs := int64(s.bucket / time.Second)
	retSecs := int64(s.retention / time.Second)
	var out []authorSketch
	for i, m := range marks {
		if i == 0 || m.bucket != marks[i-1].bucket || m.feature != marks[i-1].feature {
			out = append(out, authorSketch{key: s.authorsKey(tag, m.bucket, m.feature), expireAt: m.bucket + bucketSecs + retSecs})
		}
		last := &out[len(out)-1]
		last.elems = append(last.elems, string(binary.BigEndian.AppendUint64(nil, m.author)))
	}
	return out
}

// maxAuthorsSpan bounds the range Authors reads, and so the number of keys
// one count merges.
const maxAuthorsSpan = 24 * time.Hour

// unionScript counts the union of HyperLogLogs: it merges KEYS[2..] into
// the scratch key KEYS[1] (PFMERGE, in chunks that Lua's stack holds),
// counts it and deletes it. With ARGV, KEYS[2..] are scratch keys too, set
// first to the raw sketches in ARGV (read with GET from keys on other
// cluster slots) and deleted after. Scratch keys exist only inside the
// script. (One PFCOUNT of many keys would do on a single Redis, but
// miniredis, which the demo runs on, sums the counts of the keys instead.)
var unionScript = redis.NewScript(`
for i = 1, #ARGV do
  redis.call('SET', KEYS[i + 1], ARGV[i])
end
redis.call('DEL', KEYS[1])
for i = 2, #KEYS, 1000 do
  redis.call('PFMERGE', KEYS[1], unpack(KEYS, i, math.min(i + 999, #KEYS)))
end
local n = redis.call('PFCOUNT', KEYS[1])
redis.call('DEL', KEYS[1])
for i = 1, #ARGV, 1000 do
  redis.call('DEL', unpack(KEYS, i + 1, math.min(i + 1000, #ARGV + 1)))
end
return n
`)

// Authors estimates how many distinct authors wrote negative mentions of
// feature in [from, to), both rounded down to bucket boundaries, across all
// registered sources (see AuthorKey for who counts as an author). The range
// may span at most 24 hours. A script merges the sketches into a scratch
// key and counts it; on Redis Cluster, where one script cannot touch keys
// on several slots, the sketches are read first and merged on one slot.
func (s *Store) Authors(ctx context.Context, feature string, from, to time.Time) (int64, error) {
	from, to = from.Truncate(s.bucket), to.Truncate(s.bucket)
	if !from.Before(to) {
		return 0, nil
	}
	if to.Sub(from) > maxAuthorsSpan {
		return 0, fmt.Errorf("count authors of %s: range %v is longer than %v", feature, to.Sub(from), maxAuthorsSpan)
	}
	srcs, err := s.Sources(ctx)
	if err != nil {
		return 0, err
	}
	var keys []string
	for _, src := range srcs {
		tag := s.tag(src)
		for t := from; t.Before(to); t = t.Add(s.bucket) {
			keys = append(keys, s.authorsKey(tag, t.Unix(), feature))
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	_, cluster := s.rdb.(*redis.ClusterClient)
	if cluster || s.mergeOnOneSlot {
		return s.mergeAuthors(ctx, feature, keys)
	}
	n, err := unionScript.Run(ctx, s.rdb, append([]string{s.prefix + ":authors-union"}, keys...)).Int64()
	if err != nil {
		return 0, fmt.Errorf("count authors of %s: %w", feature, err)
	}
	return n, nil
}

// mergeAuthors counts the union of the sketches at keys, which may lie on
// different cluster slots.
func (s *Store) mergeAuthors(ctx context.Context, feature string, keys []string) (int64, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.Get(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("read author sketches of %s: %w", feature, err)
	}
	var vals []any
	for _, c := range cmds {
		if v, err := c.Result(); err == nil {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return 0, nil
	}
	scratch := make([]string, 1+len(vals))
	scratch[0] = s.prefix + ":{authors-union}"
	for i := range vals {
		scratch[i+1] = s.prefix + ":{authors-union}:" + strconv.Itoa(i)
	}
	n, err := unionScript.Run(ctx, s.rdb, scratch, vals...).Int64()
	if err != nil {
		return 0, fmt.Errorf("merge author sketches of %s: %w", feature, err)
	}
	return n, nil
}
