package impactmatrix

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// rollup is the width of the coarse buckets written beside the fine ones, so
// that long windows read a few dozen keys instead of thousands.
const rollup = time.Hour

// ErrFenced means the stored offset for a source is not the one the writer
// expected: another processor has written this partition since, so the
// writer no longer owns it and must drop its batch and re-read the offset.
var ErrFenced = errors.New("impactmatrix: partition offset moved (fenced by another writer)")

// Source is one input partition whose effects the store records.
type Source struct {
	Topic     string
	Partition int
}

func (s Source) String() string { return s.Topic + ":" + strconv.Itoa(s.Partition) }

// StoreOptions configure a Store.
type StoreOptions struct {
	// Prefix starts every key. Default: "socialpulse". It may not contain
	// '{' or '}', which Redis Cluster reads as a hash tag.
	Prefix string
	// Bucket is the width of a matrix bucket. It must divide one hour.
	// Default: 1m.
	Bucket time.Duration
	// Retention is how long a bucket is kept after it closes. Default: 336h (14 days).
	Retention time.Duration
	// DedupeWindow is how long each partition remembers the ids of the
	// posts it applied, so that a second record of the same post is not
	// counted (see IDDigest). 0 turns deduplication off. Default: 0.
	DedupeWindow time.Duration
	// Registerer receives the store's metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Store is the impact matrix in Redis. It is safe for concurrent use.
type Store struct {
	rdb       redis.UniversalClient
	prefix    string
	bucket    time.Duration
	retention time.Duration
	dedupe    time.Duration
	now       func() time.Time
	m         *storeMetrics
	// mergeOnOneSlot makes Authors merge sketches as it does on a cluster
	// (tests of that path on a single Redis).
	mergeOnOneSlot bool
}

// NewStore returns a Store writing through rdb.
func NewStore(rdb redis.UniversalClient, o StoreOptions) (*Store, error) {
	if o.Prefix == "" {
		o.Prefix = "socialpulse"
	}
	if strings.ContainsAny(o.Prefix, "{}") {
		return nil, fmt.Errorf("impactmatrix: prefix %q may not contain '{' or '}'", o.Prefix)
	}
	if o.Bucket == 0 {
		o.Bucket = time.Minute
	}
	if o.Bucket < time.Second || o.Bucket%time.Second != 0 || rollup%o.Bucket != 0 {
		return nil, fmt.Errorf("impactmatrix: bucket %v must be whole seconds and divide 1h", o.Bucket)
	}
	if o.Retention == 0 {
		o.Retention = 14 * 24 * time.Hour
	}
	if o.Retention < o.Bucket {
		return nil, fmt.Errorf("impactmatrix: retention %v is shorter than a bucket", o.Retention)
	}
	if o.DedupeWindow < 0 || o.DedupeWindow%time.Second != 0 {
		return nil, fmt.Errorf("impactmatrix: dedupe window %v must be whole seconds and not negative", o.DedupeWindow)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Store{rdb: rdb, prefix: o.Prefix, bucket: o.Bucket, retention: o.Retention, dedupe: o.DedupeWindow,
		now: o.Now, m: newStoreMetrics(o.Registerer)}, nil
}

// Bucket is the store's bucket width.
func (s *Store) Bucket() time.Duration { return s.bucket }

// Retention is how long buckets are kept.
func (s *Store) Retention() time.Duration { return s.retention }

// Expired reports whether event time t falls in a bucket that is already
// past retention, so counting it would write a key that expires at once.
func (s *Store) Expired(t time.Time) bool {
	return !t.Truncate(s.bucket).Add(s.bucket + s.retention).After(s.now())
}

func (s *Store) tag(src Source) string {
	return s.prefix + ":{" + src.Topic + ":" + strconv.Itoa(src.Partition) + "}"
}

func (s *Store) offsetKey(src Source) string { return s.tag(src) + ":offset" }

func (s *Store) bucketKey(tag string, fine bool, start int64) string {
	if fine {
		return tag + ":b:" + strconv.FormatInt(start, 10)
	}
	return tag + ":h:" + strconv.FormatInt(start, 10)
}

func (s *Store) sourcesKey() string { return s.prefix + ":sources" }

// Register records src as a source of the matrix, so Window reads its keys.
// It is idempotent.
func (s *Store) Register(ctx context.Context, src Source) error {
	if err := s.rdb.SAdd(ctx, s.sourcesKey(), src.String()).Err(); err != nil {
		return fmt.Errorf("register source %s: %w", src, err)
	}
	return nil
}

// Offset returns the last Kafka offset applied for src, or -1 if none.
func (s *Store) Offset(ctx context.Context, src Source) (int64, error) {
	v, err := s.rdb.Get(ctx, s.offsetKey(src)).Int64()
	if errors.Is(err, redis.Nil) {
		return -1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read offset of %s: %w", src, err)
	}
	return v, nil
}

// applyScript adds every increment and moves the offset from ARGV[1] to
// ARGV[2], all or nothing. If the stored offset is not ARGV[1] nothing is
// written and the stored offset is returned, so the caller can tell a batch
// it already applied (stored == ARGV[2]) from a lost partition.
//
// KEYS[1] is the offset key. ARGV[3] is the number of post ids to remember
// (see dedupe.go) and ARGV[4] the number of author sketches (see
// authors.go), which are the last KEYS. When ARGV[3] is not 0, KEYS[2] is the
// hash the ids go in and ARGV[5] its expire-at, followed by the ids. The
// KEYS between are bucket hashes; after the ids ARGV holds, per bucket key:
// expire-at (unix seconds), the number of field pairs, then field,
// increment, field, increment...; then per author sketch: expire-at, the
// number of authors, then the authors.
var applyScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur then cur = '-1' end
if cur ~= ARGV[1] then return {0, cur} end
local nseen = tonumber(ARGV[3])
local nsketch = tonumber(ARGV[4])
local a = 5
local k = 2
if nseen > 0 then
  local args = {}
  for j = 1, nseen do
    args[#args + 1] = ARGV[a + j]
    args[#args + 1] = '1'
    if #args >= 1000 or j == nseen then
      redis.call('HSET', KEYS[2], unpack(args))
      args = {}
    end
  end
  redis.call('EXPIREAT', KEYS[2], ARGV[a])
  a = a + 1 + nseen
  k = 3
end
for i = k, #KEYS - nsketch do
  local expireat = ARGV[a]
  local n = tonumber(ARGV[a + 1])
  a = a + 2
  for j = 1, n do
    redis.call('HINCRBY', KEYS[i], ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  redis.call('EXPIREAT', KEYS[i], expireat)
end
for i = #KEYS - nsketch + 1, #KEYS do
  local expireat = ARGV[a]
  local n = tonumber(ARGV[a + 1])
  a = a + 2
  for j = 1, n, 1000 do
    redis.call('PFADD', KEYS[i], unpack(ARGV, a + j - 1, a + math.min(j + 999, n) - 1))
  end
  a = a + n
  redis.call('EXPIREAT', KEYS[i], expireat)
end
redis.call('SET', KEYS[1], ARGV[2])
return {1, ARGV[2]}
`)

// Apply adds d to the matrix and moves src's stored offset from prev (-1 for
// none) to next, in one atomic Redis step. If the stored offset already is
// next, the batch was applied before (a retry after a lost reply) and Apply
// returns nil without writing. If it is anything else, Apply returns
// ErrFenced. An empty d still moves the offset.
func (s *Store) Apply(ctx context.Context, src Source, prev, next int64, d *Delta) error {
	start := time.Now()
	tag := s.tag(src)
	type bucketFields struct {
		expireAt int64
		fields   map[string]int64
	}
	buckets := make(map[string]*bucketFields)
	addTo := func(key string, expireAt int64, field string, v int64) {
		if v == 0 {
			return
		}
		b := buckets[key]
		if b == nil {
			b = &bucketFields{expireAt: expireAt, fields: make(map[string]int64)}
			buckets[key] = b
		}
		b.fields[field] += v
	}
	bucketSecs := int64(s.bucket / time.Second)
	rollSecs := int64(rollup / time.Second)
	retSecs := int64(s.retention / time.Second)
	for k, c := range d.cells {
		prefix := k.feature + "|" + fieldCodes[k.class] + "|"
		fine := s.bucketKey(tag, true, k.bucket)
		hourStart := floorDiv(k.bucket, rollSecs) * rollSecs
		coarse := s.bucketKey(tag, false, hourStart)
		for _, key := range [2]struct {
			name     string
			expireAt int64
		}{{fine, k.bucket + bucketSecs + retSecs}, {coarse, hourStart + rollSecs + retSecs}} {
			addTo(key.name, key.expireAt, prefix+"n", c.n)
			addTo(key.name, key.expireAt, prefix+"s", c.score)
			addTo(key.name, key.expireAt, prefix+"r", c.reach)
		}
	}

	sketches := s.authorSketches(tag, d)
	keys := make([]string, 0, 2+len(buckets)+len(sketches))
	keys = append(keys, s.offsetKey(src))
	args := make([]any, 0, 5+len(d.seen)+len(buckets)*8+len(d.authors)+len(sketches)*2)
	args = append(args, strconv.FormatInt(prev, 10), strconv.FormatInt(next, 10))
	withSeen := s.dedupe > 0 && len(d.seen) > 0
	nseen := 0
	if withSeen {
		nseen = len(d.seen)
	}
	args = append(args, nseen, len(sketches))
	if withSeen {
		slice := s.seenSlice(d.seenAt)
		keys = append(keys, s.seenKey(tag, slice))
		args = append(args, s.seenExpireAt(slice))
		for _, id := range d.seen {
			args = append(args, id)
		}
	}
	names := make([]string, 0, len(buckets))
	for name := range buckets {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic scripts are easier to debug
	for _, name := range names {
		b := buckets[name]
		keys = append(keys, name)
		args = append(args, b.expireAt, len(b.fields))
		for f, v := range b.fields {
			args = append(args, f, v)
		}
	}
	for _, sk := range sketches {
		keys = append(keys, sk.key)
		args = append(args, sk.expireAt, len(sk.elems))
		args = append(args, sk.elems...)
	}

	res, err := applyScript.Run(ctx, s.rdb, keys, args...).Slice()
	s.m.applySeconds.Observe(time.Since(start).Seconds())
	if err != nil {
		s.m.applyErrors.Inc()
		return fmt.Errorf("apply batch to %s: %w", src, err)
	}
	if len(res) != 2 {
		s.m.applyErrors.Inc()
		return fmt.Errorf("apply batch to %s: unexpected script reply %v", src, res)
	}
	ok, _ := res[0].(int64)
	if ok == 1 {
		s.m.applied.Inc()
		return nil
	}
	cur, _ := res[1].(string)
	if cur == strconv.FormatInt(next, 10) {
		s.m.alreadyApplied.Inc()
		return nil
	}
	s.m.fenced.Inc()
	return fmt.Errorf("%w: %s: stored offset %s, expected %d", ErrFenced, src, cur, prev)
}

// Sources lists the registered sources.
func (s *Store) Sources(ctx context.Context) ([]Source, error) {
	members, err := s.rdb.SMembers(ctx, s.sourcesKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	out := make([]Source, 0, len(members))
	for _, m := range members {
		i := strings.LastIndexByte(m, ':')
		if i <= 0 {
			continue
		}
		p, err := strconv.Atoi(m[i+1:])
		if err != nil {
			continue
		}
		out = append(out, Source{Topic: m[:i], Partition: p})
	}
	slices.SortFunc(out, func(a, b Source) int {
		if c := strings.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		return a.Partition - b.Partition
	})
	return out, nil
}

// WindowEnd is the end of the bucket holding t: rolling windows end there so
// they include the bucket that is still filling.
func (s *Store) WindowEnd(t time.Time) time.Time {
	return t.Truncate(s.bucket).Add(s.bucket)
}

// Window sums the matrix over [from, to), both rounded down to bucket
// boundaries, across all registered sources.
func (s *Store) Window(ctx context.Context, from, to time.Time) (*Matrix, error) {
	from, to = from.Truncate(s.bucket), to.Truncate(s.bucket)
	m := &Matrix{From: from, To: to, Rows: map[string]*Row{}}
	if !from.Before(to) {
		return m, nil
	}
	srcs, err := s.Sources(ctx)
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return m, nil
	}
	spans := s.spans(from.Unix(), to.Unix())
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, 0, len(srcs)*len(spans))
	for _, src := range srcs {
		tag := s.tag(src)
		for _, sp := range spans {
			cmds = append(cmds, pipe.HGetAll(ctx, s.bucketKey(tag, sp.fine, sp.start)))
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read window: %w", err)
	}
	for _, cmd := range cmds {
		if err := addFields(m, cmd.Val()); err != nil {
			return nil, fmt.Errorf("read window: key %v: %w", cmd.Args()[1], err)
		}
	}
	return m, nil
}

type span struct {
	fine  bool
	start int64
}

// spans covers [from, to) with hour rollups where whole hours fit and fine
// buckets at the edges.
func (s *Store) spans(from, to int64) []span {
	b := int64(s.bucket / time.Second)
	h := int64(rollup / time.Second)
	var out []span
	for t := from; t < to; {
		if t%h == 0 && t+h <= to {
			out = append(out, span{false, t})
			t += h
			continue
		}
		out = append(out, span{true, t})
		t += b
	}
	return out
}

// addFields adds one bucket hash ("feature|cls|n" -> integer) into m.
func addFields(m *Matrix, fields map[string]string) error {
	for f, v := range fields {
		i := strings.IndexByte(f, '|')
		j := strings.LastIndexByte(f, '|')
		if i <= 0 || j != i+4 || j+2 != len(f) {
			return fmt.Errorf("malformed field %q", f)
		}
		cls := -1
		for c, code := range fieldCodes {
			if f[i+1:j] == code {
				cls = c
			}
		}
		if cls < 0 {
			return fmt.Errorf("unknown class in field %q", f)
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("field %q: %w", f, err)
		}
		cell := &m.Row(f[:i])[cls]
		switch f[j+1] {
		case 'n':
			cell.Count += n
		case 's':
			cell.ScoreSum += float64(n) / microUnits
		case 'r':
			cell.ReachSum += float64(n) / microUnits
		default:
			return fmt.Errorf("unknown measure in field %q", f)
		}
	}
	return nil
}
