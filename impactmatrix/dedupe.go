package impactmatrix

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"
)

// Duplicate posts.
//
// Kafka's at-least-once delivery is handled by the stored offset: a record
// is applied once. A producer that sends the same post twice (a retry
// without idempotence, a connector replaying after a restart) writes two
// records, though, and both would count. With a dedupe window, a partition
// also remembers the ids of the posts it applied, in a hash per window-long
// slice of processing time (<prefix>:{topic:partition}:seen:<slice>), and
// the pipeline skips a post whose id it applied in the current or the
// previous slice: a copy arriving within the window is always caught, one
// arriving up to twice the window later may be. The ids are written by the
// same atomic script as the counts and the offset, so a crash never leaves
// counts without ids or ids without counts.
//
// Copies are caught on the same partition only (producers key records by
// post id, so retries and replays land on one partition); the hashes are
// per partition so that the write stays on one Redis Cluster slot.

// IDDigest is the 16-byte digest (FNV-1a, 128 bits) a post id is
// remembered by: ids may be long, and a fixed size bounds the memory a
// window takes.
func IDDigest(id string) string {
	h := fnv.New128a()
	_, _ = h.Write([]byte(id))
	var b [16]byte
	return string(h.Sum(b[:0]))
}

// DedupeWindow is how long applied post ids are remembered; 0 means
// posts are not deduplicated.
func (s *Store) DedupeWindow() time.Duration { return s.dedupe }

func (s *Store) seenSlice(t time.Time) int64 {
	return floorDiv(t.UnixNano(), int64(s.dedupe))
}

func (s *Store) seenKey(tag string, slice int64) string {
	return tag + ":seen:" + strconv.FormatInt(slice, 10)
}

// seenExpireAt is when the hash of slice expires (unix seconds): once the
// next slice has ended, no lookup reads it.
func (s *Store) seenExpireAt(slice int64) int64 {
	end := time.Unix(0, (slice+2)*int64(s.dedupe))
	return end.Add(time.Second - 1).Unix() // rounded up
}

// SeenBefore sets seen[i] to whether src applied a post with digest
// digests[i] (see IDDigest) in the dedupe slice of now or the one before.
// seen must be as long as digests. Without a dedupe window nothing was seen.
func (s *Store) SeenBefore(ctx context.Context, src Source, now time.Time, digests []string, seen []bool) error {
	clear(seen)
	if s.dedupe <= 0 || len(digests) == 0 {
		return nil
	}
	tag := s.tag(src)
	slice := s.seenSlice(now)
	pipe := s.rdb.Pipeline()
	cur := pipe.HMGet(ctx, s.seenKey(tag, slice), digests...)
	prev := pipe.HMGet(ctx, s.seenKey(tag, slice-1), digests...)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("read applied post ids of %s: %w", src, err)
	}
	for _, vals := range [2][]any{cur.Val(), prev.Val()} {
		if len(vals) != len(digests) {
			return fmt.Errorf("read applied post ids of %s: %d replies for %d ids", src, len(vals), len(digests))
		}
		for i, v := range vals {
			if v != nil {
				seen[i] = true
			}
		}
	}
	return nil
}

// MarkSeen records that the post with digest (see IDDigest) is counted in
// this delta, applied at processing time now: Apply remembers it for the
// store's dedupe window. All posts of a delta share one now.
func (d *Delta) MarkSeen(now time.Time, digest string) {
	d.seenAt = now
	d.seen = append(d.seen, digest)
}

// Remove takes back one Add with the same arguments.
func (d *Delta) Remove(t time.Time, feature string, class Class, score, reach float64) {
	c := d.cell(t, feature, class)
	c.n--
	c.score -= toMicro(score)
	c.reach -= toMicro(reach)
}

// UncountPost takes back one CountPost.
func (d *Delta) UncountPost() { d.posts-- }
