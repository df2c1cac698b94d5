package alert

import (
	"cmp"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/internal/backoff"
)

// OutboxOptions configure an Outbox. Processes sharing a Redis and a Prefix
// must configure the same Receivers: Publish queues one delivery for each
// receiver of the process that publishes.
type OutboxOptions struct {
	// Prefix starts every key; keys share the hash tag {<Prefix>:alerts}.
	// Default: "socialpulse".
	Prefix string
	// Receivers get every alert version. Names must be unique and match
	// [a-z0-9_.-]{1,64}.
	Receivers []Receiver
	// Retention is how long an alert's record (versions, deliveries, notes)
	// is kept after its last version. Default: 90 days.
	Retention time.Duration
	// MaxAttempts is how many times a delivery is tried before it is marked
	// failed and dropped. Default 0: retry forever (the alert's record
	// expiring ends the retries). A PermanentError (a payload refused as too
	// large even when trimmed, a stored version that cannot be read) gives
	// up at once whatever MaxAttempts says.
	MaxAttempts int
	// BackoffMin and BackoffMax bound the delay before a retry: it doubles
	// per attempt from BackoffMin up to BackoffMax, and a random jitter takes
	// off up to half. Defaults: 1s and 5m.
	BackoffMin, BackoffMax time.Duration
	// Workers is the number of concurrent senders per receiver in each Run.
	// Default: 1 (deliveries to one receiver go one at a time per process).
	Workers int
	// SendTimeout bounds every Receiver.Send. Default: 10s.
	SendTimeout time.Duration
	// Lease is how long a claimed delivery stays reserved for the worker
	// that claimed it; after that another worker retries it (the claim of a
	// crashed worker). It must exceed SendTimeout. Default: SendTimeout+20s.
	Lease time.Duration
	// PollInterval is the longest an idle worker waits before it looks for
	// due deliveries again (Publish in the same process wakes it at once).
	// Default: 1s.
	PollInterval time.Duration
	// RefreshInterval is how often Run refreshes the pending and open gauges
	// and re-queues firing alerts for Resender receivers. Default: 15s.
	RefreshInterval time.Duration
	// Registerer registers the metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// Logger logs delivery failures and lost leases; nil discards. Receiver
	// URLs and secrets are never logged, only receiver names.
	Logger *zap.Logger
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

// Defaults for OutboxOptions.
const (
	DefaultPrefix    = "socialpulse"
	DefaultRetention = 90 * 24 * time.Hour
)

var receiverName = regexp.MustCompile(`^[a-z0-9_.-]{1,64}$`)

// claimBatch is how many due deliveries one claim looks at, so that a few
// alerts already in flight do not hide the others.
const claimBatch = 20

// ackTimeout bounds recording a delivery's outcome in Redis, which runs even
// when Run's context has just ended so that a finished send is not repeated.
const ackTimeout = 5 * time.Second

// Outbox stores alerts in Redis and delivers them to receivers. It is safe
// for concurrent use; any number of Outboxes (in any number of processes)
// may share one Redis and Prefix.
type Outbox struct {
	rdb       redis.UniversalClient
	o         OutboxOptions
	base      string
	receivers []Receiver
	wake      map[string]chan struct{}
	m         *metrics
	log       *zap.Logger
	running   atomic.Bool
}

// NewOutbox returns an Outbox on rdb. It does not contact Redis.
func NewOutbox(rdb redis.UniversalClient, o OutboxOptions) (*Outbox, error) {
	if rdb == nil {
		return nil, errors.New("alert: outbox needs a redis client")
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.BackoffMin == 0 {
		o.BackoffMin = time.Second
	}
	if o.BackoffMax == 0 {
		o.BackoffMax = 5 * time.Minute
	}
	if o.Workers == 0 {
		o.Workers = 1
	}
	if o.SendTimeout == 0 {
		o.SendTimeout = 10 * time.Second
	}
	if o.Lease == 0 {
		o.Lease = o.SendTimeout + 20*time.Second
	}
	if o.PollInterval == 0 {
		o.PollInterval = time.Second
	}
	if o.RefreshInterval == 0 {
		o.RefreshInterval = 15 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	switch {
	case o.Retention < 0, o.MaxAttempts < 0, o.Workers < 0, o.SendTimeout < 0, o.PollInterval < 0, o.RefreshInterval < 0:
		return nil, errors.New("alert: outbox options must not be negative")
	case o.BackoffMin <= 0 || o.BackoffMax < o.BackoffMin:
		return nil, fmt.Errorf("alert: backoff %v..%v: want 0 < min <= max", o.BackoffMin, o.BackoffMax)
	case o.Lease <= o.SendTimeout:
		return nil, fmt.Errorf("alert: lease %v must exceed the send timeout %v", o.Lease, o.SendTimeout)
	}
	ob := &Outbox{
		rdb:  rdb,
		o:    o,
		base: "{" + o.Prefix + ":alerts}",
		wake: make(map[string]chan struct{}, len(o.Receivers)),
		log:  o.Logger,
	}
	for _, r := range o.Receivers {
		if r == nil {
			return nil, errors.New("alert: nil receiver")
		}
		name := r.Name()
		if !receiverName.MatchString(name) {
			return nil, fmt.Errorf("alert: receiver name %q must match %s", name, receiverName)
		}
		if _, dup := ob.wake[name]; dup {
			return nil, fmt.Errorf("alert: two receivers named %q (use Named)", name)
		}
		ob.wake[name] = make(chan struct{}, 1)
		ob.receivers = append(ob.receivers, r)
	}
	ob.m = newMetrics(o.Registerer)
	for _, r := range ob.receivers {
		ob.m.pending.WithLabelValues(r.Name())
		for _, res := range []string{resultOK, resultError} {
			ob.m.deliveries.WithLabelValues(r.Name(), res)
		}
		for _, reason := range givenUpReasons {
			ob.m.givenUp.WithLabelValues(r.Name(), reason)
		}
	}
	return ob, nil
}

func (o *Outbox) alertKey(id string) string     { return o.base + ":a:" + id }
func (o *Outbox) timeIndex() string             { return o.base + ":idx:time" }
func (o *Outbox) featureIndex(f string) string  { return o.base + ":idx:f:" + f }
func (o *Outbox) openKey() string               { return o.base + ":open" }
func (o *Outbox) queueKey(r string) string      { return o.base + ":q:" + r }
func (o *Outbox) inflightKey(r string) string   { return o.base + ":fl:" + r }
func (o *Outbox) resendLockKey(r string) string { return o.base + ":rs:" + r }

// Publish stores version a.Sequence of alert a.ID, with one pending delivery
// per receiver, in one atomic Redis step, and returns without waiting for
// delivery. It is idempotent on (ID, Sequence): if that version is already
// stored (another processor raised the same spike first), it stores nothing
// and returns false. Versions may arrive out of order; the highest Sequence
// is the alert's latest. Publish does not need Run in the same process.
func (o *Outbox) Publish(ctx context.Context, a Alert) (bool, error) {
	if err := a.Validate(); err != nil {
		return false, err
	}
	if a.Kind == "" {
		a.Kind = KindNegativeSurge
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = o.o.Now()
	}
	body, err := json.Marshal(a)
	if err != nil {
		return false, fmt.Errorf("alert: encode %s#%d: %w", a.ID, a.Sequence, err)
	}
	seq := strconv.Itoa(a.Sequence)
	keys := []string{o.alertKey(a.ID), o.timeIndex(), o.featureIndex(a.Evidence.Feature), o.openKey()}
	args := []any{seq, body, a.StartsAt.UnixMilli(), o.o.Now().UnixMilli(), o.o.Retention.Milliseconds(),
		a.ID, string(a.State), openValue(a), o.base, a.Evidence.Feature}
	for _, r := range o.receivers {
		keys = append(keys, o.queueKey(r.Name()))
		args = append(args, r.Name())
	}
	stored, err := publishScript.Run(ctx, o.rdb, keys, args...).Int()
	if err != nil {
		return false, fmt.Errorf("alert: publish %s#%d: %w", a.ID, a.Sequence, err)
	}
	if stored == 0 {
		return false, nil
	}
	o.m.published.WithLabelValues(PriorityLabel(a.Priority), string(a.State)).Inc()
	for _, ch := range o.wake {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	return true, nil
}

// Run delivers pending deliveries until ctx ends, then returns nil once its
// goroutines have stopped. Each receiver has its own workers, so a slow or
// dead receiver delays only its own deliveries. A delivery is claimed under
// a lease, sent with SendTimeout, then acknowledged; a failure is retried
// with exponential backoff and jitter. A send interrupted by ctx is released
// for immediate retry by any process. Run may be called once at a time per
// Outbox; several processes may Run on the same Redis.
func (o *Outbox) Run(ctx context.Context) error {
	if !o.running.CompareAndSwap(false, true) {
		return errors.New("alert: outbox is already running")
	}
	defer o.running.Store(false)

	var wg sync.WaitGroup
	for _, r := range o.receivers {
		for range o.o.Workers {
			wg.Go(func() { o.work(ctx, r) })
		}
	}
	wg.Go(func() { o.refreshLoop(ctx) })
	wg.Wait()
	return nil
}

func (o *Outbox) work(ctx context.Context, r Receiver) {
	log := o.log.With(zap.String("receiver", r.Name()))
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for ctx.Err() == nil {
		wait, err := o.deliverOne(ctx, r, log)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("alert delivery: redis step failed", zap.Error(err))
			wait = o.o.PollInterval
		}
		if wait <= 0 {
			continue
		}
		timer.Reset(min(wait, o.o.PollInterval))
		select {
		case <-ctx.Done():
			return
		case <-o.wake[r.Name()]:
			if !timer.Stop() {
				<-timer.C
			}
		case <-timer.C:
		}
	}
}

// claim is one leased delivery.
type claim struct {
	member, id, token string
	seq, attempt      int
	alert             Alert
	state             string
}

// claimNext leases the next due delivery for receiver r. It returns nil and
// how long until the next one is due when there is none.
func (o *Outbox) claimNext(ctx context.Context, r string) (*claim, time.Duration, error) {
	token := newToken()
	now := o.o.Now()
	res, err := claimScript.Run(ctx, o.rdb, []string{o.queueKey(r), o.inflightKey(r)},
		now.UnixMilli(), o.o.Lease.Milliseconds(), token, o.base, r, claimBatch).Slice()
	if err != nil {
		return nil, 0, fmt.Errorf("alert: claim delivery for %s: %w", r, err)
	}
	if len(res) != 5 {
		return nil, 0, fmt.Errorf("alert: claim delivery for %s: unexpected reply %v", r, res)
	}
	member, _ := res[0].(string)
	if member == "" {
		next := toInt64(res[4])
		if next < 0 {
			return nil, o.o.PollInterval, nil
		}
		return nil, max(time.Duration(next-now.UnixMilli())*time.Millisecond, 5*time.Millisecond), nil
	}
	c := &claim{member: member, token: token, attempt: int(toInt64(res[2]))}
	c.state, _ = res[3].(string)
	id, seq, ok := splitMember(member)
	if !ok {
		return nil, 0, fmt.Errorf("alert: claim delivery for %s: bad queue member %q", r, member)
	}
	c.id, c.seq = id, seq
	body, _ := res[1].(string)
	if err := json.Unmarshal([]byte(body), &c.alert); err != nil {
		return c, 0, fmt.Errorf("alert: decode %s for %s: %w", member, r, err)
	}
	return c, 0, nil
}

// deliverOne claims, sends and settles one delivery. It returns how long to
// wait before the next claim (0: claim again at once).
func (o *Outbox) deliverOne(ctx context.Context, r Receiver, log *zap.Logger) (time.Duration, error) {
	name := r.Name()
	c, wait, err := o.claimNext(ctx, name)
	if c == nil {
		return wait, err
	}
	log = log.With(zap.String("alert", c.id), zap.Int("sequence", c.seq), zap.Int("attempt", c.attempt))
	if err != nil { // undecodable version: nothing a retry can fix
		log.Error("alert delivery dropped: stored version unreadable", zap.Error(err))
		o.m.givenUp.WithLabelValues(name, givenUpUnreadable).Inc()
		return 0, o.settleFailure(ctx, name, c, err, true)
	}

	sendCtx, cancel := context.WithTimeout(ctx, o.o.SendTimeout)
	start := time.Now()
	state, hasState := "", false
	if sr, ok := r.(StatefulReceiver); ok {
		state, err = sr.SendState(sendCtx, c.alert, c.state)
		hasState = err == nil
	} else {
		err = r.Send(sendCtx, c.alert)
	}
	cancel()
	o.m.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())

	if err == nil {
		o.m.deliveries.WithLabelValues(name, resultOK).Inc()
		return 0, o.settleSuccess(ctx, name, c, state, hasState, log)
	}
	if ctx.Err() != nil {
		// Shutting down mid-send: hand the delivery back at once rather than
		// making another process wait for the lease.
		log.Info("alert delivery interrupted by shutdown; released for retry")
		return 0, o.release(ctx, name, c)
	}
	o.m.deliveries.WithLabelValues(name, resultError).Inc()
	var permanent *PermanentError
	giveUp := errors.As(err, &permanent) || (o.o.MaxAttempts > 0 && c.attempt >= o.o.MaxAttempts)
	if giveUp {
		log.Error("alert delivery failed; giving up", zap.Error(err))
		o.m.givenUp.WithLabelValues(name, givenUpReason(err)).Inc()
	} else {
		log.Warn("alert delivery failed; will retry", zap.Error(err))
	}
	return 0, o.settleFailure(ctx, name, c, err, giveUp)
}

func (o *Outbox) settleSuccess(ctx context.Context, r string, c *claim, state string, hasState bool, log *zap.Logger) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	keep := "0"
	if hasState {
		keep = "1"
	}
	own, err := ackScript.Run(ctx, o.rdb, []string{o.queueKey(r), o.inflightKey(r)},
		c.member, c.id, c.seq, c.token, o.o.Now().UnixMilli(), o.base, r, state, keep).Int()
	if err != nil {
		return fmt.Errorf("alert: acknowledge %s to %s: %w", c.member, r, err)
	}
	if own == 0 {
		log.Warn("alert delivered after its lease expired; another worker may send it again")
	}
	return nil
}

func (o *Outbox) settleFailure(ctx context.Context, r string, c *claim, cause error, giveUp bool) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	now := o.o.Now()
	flag := "0"
	if giveUp {
		flag = "1"
	}
	retryAt := now.Add(o.backoff(c.attempt))
	_, err := failScript.Run(ctx, o.rdb, []string{o.queueKey(r), o.inflightKey(r)},
		c.member, c.id, c.seq, c.token, now.UnixMilli(), o.base, r, truncate(cause.Error(), 512),
		retryAt.UnixMilli(), flag).Int()
	if err != nil {
		return fmt.Errorf("alert: record failed delivery of %s to %s: %w", c.member, r, err)
	}
	return nil
}

func (o *Outbox) release(ctx context.Context, r string, c *claim) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	now := o.o.Now().UnixMilli()
	_, err := failScript.Run(ctx, o.rdb, []string{o.queueKey(r), o.inflightKey(r)},
		c.member, c.id, c.seq, c.token, now, o.base, r, "interrupted by shutdown", now, "0").Int()
	if err != nil {
		return fmt.Errorf("alert: release %s for %s: %w", c.member, r, err)
	}
	return nil
}

// backoff is the delay before retry number attempt: BackoffMin doubled per
// earlier attempt, capped at BackoffMax, minus a random jitter of up to half.
func (o *Outbox) backoff(attempt int) time.Duration {
	return backoff.Policy{Min: o.o.BackoffMin, Max: o.o.BackoffMax, Jitter: 0.5}.Delay(attempt)
}

// refreshLoop keeps the gauges current and re-queues firing alerts for
// Resender receivers.
func (o *Outbox) refreshLoop(ctx context.Context) {
	every := o.o.RefreshInterval
	for _, r := range o.receivers {
		if rs, ok := r.(Resender); ok && rs.ResendInterval() > 0 {
			every = min(every, rs.ResendInterval())
		}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := o.refresh(ctx); err != nil && ctx.Err() == nil {
			o.log.Warn("alert refresh failed", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (o *Outbox) refresh(ctx context.Context) error {
	now := o.o.Now().UnixMilli()
	var errs []error
	for _, r := range o.receivers {
		rs, ok := r.(Resender)
		if !ok || rs.ResendInterval() <= 0 {
			continue
		}
		n, err := resendScript.Run(ctx, o.rdb, []string{o.openKey(), o.queueKey(r.Name()), o.resendLockKey(r.Name())},
			now, rs.ResendInterval().Milliseconds(), o.base).Int()
		if err != nil {
			errs = append(errs, fmt.Errorf("alert: re-send to %s: %w", r.Name(), err))
			continue
		}
		if n > 0 {
			select {
			case o.wake[r.Name()] <- struct{}{}:
			default:
			}
		}
	}
	pipe := o.rdb.Pipeline()
	cards := make([]*redis.IntCmd, len(o.receivers))
	for i, r := range o.receivers {
		cards[i] = pipe.ZCard(ctx, o.queueKey(r.Name()))
	}
	open := pipe.HGetAll(ctx, o.openKey())
	if _, err := pipe.Exec(ctx); err != nil {
		return errors.Join(append(errs, fmt.Errorf("alert: read gauges: %w", err))...)
	}
	for i, r := range o.receivers {
		o.m.pending.WithLabelValues(r.Name()).Set(float64(cards[i].Val()))
	}
	if err := o.refreshOpen(ctx, open.Val()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// refreshOpen recomputes the open gauge from the open hash, dropping ids
// whose record has expired.
func (o *Outbox) refreshOpen(ctx context.Context, open map[string]string) error {
	ids := make([]string, 0, len(open))
	pipe := o.rdb.Pipeline()
	exists := make([]*redis.IntCmd, 0, len(open))
	for id := range open {
		ids = append(ids, id)
		exists = append(exists, pipe.Exists(ctx, o.alertKey(id)))
	}
	if len(ids) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("alert: check open alerts: %w", err)
		}
	}
	counts := map[[2]string]int{}
	incidents := map[string]bool{}
	var stale []string
	for i, id := range ids {
		if exists[i].Val() == 0 {
			stale = append(stale, id)
			continue
		}
		p, owner, inc := parseOpenValue(open[id])
		counts[[2]string{p, owner}]++
		incidents[cmp.Or(inc, id)] = true
	}
	if len(stale) > 0 {
		if err := o.rdb.HDel(ctx, o.openKey(), stale...).Err(); err != nil {
			return fmt.Errorf("alert: drop expired open alerts: %w", err)
		}
	}
	o.m.open.Reset()
	for k, n := range counts {
		o.m.open.WithLabelValues(k[0], k[1]).Set(float64(n))
	}
	o.m.incidents.Set(float64(len(incidents)))
	return nil
}

// openValue is an open alert's entry in the open hash:
// "<priority>|<owner>|<incident>".
func openValue(a Alert) string {
	return PriorityLabel(a.Priority) + "|" + a.Evidence.Owner + "|" + a.Incident
}

// parseOpenValue reads an openValue; entries written before the incident
// was added ("<priority>|<owner>") have none.
func parseOpenValue(v string) (priority, owner, incident string) {
	priority, rest, _ := cutPipe(v)
	if i := strings.LastIndexByte(rest, '|'); i >= 0 {
		return priority, rest[:i], rest[i+1:]
	}
	return priority, rest, ""
}

func cutPipe(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '|' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func splitMember(m string) (string, int, bool) {
	id, seq, ok := cutPipe(m)
	if !ok {
		return "", 0, false
	}
	n, err := strconv.Atoi(seq)
	return id, n, err == nil
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return -1
		}
		return int64(f)
	}
	return -1
}

func newToken() string {
	var b [8]byte
	_, _ = crand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// truncate cuts s to at most n bytes, at a character boundary.
func truncate(s string, n int) string { return clip(s, n) }

// clip cuts s to at most n bytes without splitting a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// oneLine replaces control characters (newlines and tabs included) with
// spaces, so that a post's text stays inside the line or quote that shows it.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }
