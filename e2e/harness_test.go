package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/testenv"
	"github.com/socialpulse/socialpulse/pipeline"
	"github.com/socialpulse/socialpulse/post"
	"github.com/socialpulse/socialpulse/sentiment"
	"github.com/socialpulse/socialpulse/synth"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/socialpulse once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "socialpulse-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "socialpulse")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/socialpulse").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// env is one test's isolated slice of the shared services.
type env struct {
	t       *testing.T
	brokers []string
	rdb     *redis.Client
	topic   string
	dlq     string
	group   string
	prefix  string
	store   *impactmatrix.Store
}

func newEnv(t *testing.T, partitions int) *env {
	t.Helper()
	brokers := testenv.KafkaBrokers(t)
	raddr := testenv.RedisAddr(t)
	name := testenv.UniqueName(t, "e2e")
	e := &env{t: t, brokers: brokers, topic: name + ".posts", dlq: name + ".dlq", group: name, prefix: name}
	e.rdb = redis.NewClient(&redis.Options{Addr: raddr})
	t.Cleanup(func() { e.rdb.Close() })
	var err error
	if e.store, err = impactmatrix.NewStore(e.rdb, impactmatrix.StoreOptions{Prefix: e.prefix}); err != nil {
		t.Fatal(err)
	}
	e.createTopic(e.topic, partitions)
	e.createTopic(e.dlq, 1)
	return e
}

func (e *env) createTopic(name string, partitions int) {
	e.t.Helper()
	conn, err := kafka.Dial("tcp", e.brokers[0])
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	// A KRaft broker forwards CreateTopics to the controller.
	if err := conn.CreateTopics(kafka.TopicConfig{Topic: name, NumPartitions: partitions, ReplicationFactor: 1}); err != nil {
		e.t.Fatalf("create topic %s: %v", name, err)
	}
	// Creation is asynchronous: wait until the metadata shows a leader for
	// every partition (a freshly started broker can take a few seconds).
	deadline := time.Now().Add(60 * time.Second)
	for {
		parts, err := conn.ReadPartitions(name)
		led := 0
		for _, p := range parts {
			if p.Leader.Host != "" && p.Leader.ID >= 0 {
				led++
			}
		}
		if err == nil && led == partitions {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("topic %s: %d of %d partitions have a leader after 60s (%v)", name, led, partitions, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// processor is a socialpulse process under test.
type processor struct {
	name string
	cmd  *exec.Cmd
	done chan error
	log  *os.File
}

// startProcessor starts `socialpulse run` configured for this env; extraEnv
// (KEY=value) is appended last, so it overrides the defaults here.
func (e *env) startProcessor(name string, extraEnv ...string) *processor {
	e.t.Helper()
	logPath := filepath.Join(e.t.TempDir(), name+".log")
	lf, err := os.Create(logPath)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(binary(e.t), "run")
	cmd.Env = append(os.Environ(),
		"SOCIALPULSE_KAFKA_BROKERS="+strings.Join(e.brokers, ","),
		"SOCIALPULSE_KAFKA_TOPIC="+e.topic,
		"SOCIALPULSE_KAFKA_DLQ_TOPIC="+e.dlq,
		"SOCIALPULSE_KAFKA_GROUP="+e.group,
		"SOCIALPULSE_KAFKA_SESSION_TIMEOUT=6s",
		"SOCIALPULSE_KAFKA_BATCH_SIZE=500",
		"SOCIALPULSE_REDIS_ADDRS="+e.rdb.Options().Addr,
		"SOCIALPULSE_REDIS_KEY_PREFIX="+e.prefix,
		"SOCIALPULSE_HTTP_LISTEN=127.0.0.1:0",
		"SOCIALPULSE_SHUTDOWN_TIMEOUT=20s",
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	p := &processor{name: name, cmd: cmd, done: make(chan error, 1), log: lf}
	go func() { p.done <- cmd.Wait() }()
	e.t.Cleanup(func() {
		p.kill()
		lf.Close()
		if e.t.Failed() {
			tail(e.t, logPath)
		}
	})
	return p
}

func (p *processor) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		p.done <- nil // later callers do not block
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *processor) stop(t *testing.T) {
	t.Helper()
	p.waitStarted(t)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- nil
		if err != nil {
			t.Fatalf("%s exited with %v after SIGTERM", p.name, err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not stop within 60s of SIGTERM", p.name)
	}
}

// waitStarted waits until the process has written its first log line. A Go
// program that gets SIGTERM before main installs its handler dies of the
// signal; the processor logs only after the handler is in place, so a stop
// sent after the first line tests the shutdown, not the start-up race.
func (p *processor) waitStarted(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if st, err := os.Stat(p.log.Name()); err == nil && st.Size() > 0 {
			return
		}
		select {
		case err := <-p.done:
			p.done <- err
			return // exited already; stop reports how
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s wrote no log line within 30s of starting", p.name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func tail(t *testing.T, path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	t.Logf("last lines of %s:\n%s", filepath.Base(path), strings.Join(lines, "\n"))
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// feed is the posts a test produced and what the matrix must hold for them.
type feed struct {
	gen       *synth.Generator
	enricher  *enrich.Enricher
	sc        enrich.Scratch
	dec       post.Decoder
	want      *impactmatrix.Delta
	malformed map[string]bool // record values that must be dead-lettered
	produced  int
	from      time.Time
	// authors are the distinct authors of each feature's negative
	// mentions per minute bucket.
	authors map[authorCell]map[uint64]bool
}

type authorCell struct {
	feature string
	bucket  time.Time
}

func newFeed(t *testing.T, seed uint64) *feed {
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	en, err := enrich.New(sentiment.New(), tg)
	if err != nil {
		t.Fatal(err)
	}
	return &feed{gen: synth.New(seed), enricher: en, want: impactmatrix.NewDelta(time.Minute),
		malformed: map[string]bool{}, from: time.Now().Add(-2 * time.Hour).Truncate(time.Hour), authors: map[authorCell]map[uint64]bool{}}
}

// produce writes n records (one in every 50 malformed) and records what the
// matrix must count for the valid ones, enriched exactly as the processor does.
func (f *feed) produce(t *testing.T, e *env, n int) {
	t.Helper()
	// A private transport with a short metadata TTL: the shared default
	// caches metadata for 6s, longer than a new topic takes to get leaders.
	tr := &kafka.Transport{MetadataTTL: 200 * time.Millisecond}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(e.brokers...), Topic: e.topic, Balancer: &kafka.Hash{}, BatchSize: 1000,
		BatchTimeout: 5 * time.Millisecond, RequiredAcks: kafka.RequireAll, Transport: tr}
	defer w.Close()
	batch := make([]kafka.Message, 0, 1000)
	flush := func() {
		if err := w.WriteMessages(context.Background(), batch...); err != nil {
			msg := err.Error()
			if len(msg) > 300 {
				msg = msg[:300] + "..."
			}
			t.Fatalf("produce: %s", msg)
		}
		batch = batch[:0]
	}
	for range n {
		f.produced++
		i := f.produced
		var v []byte
		if i%50 == 0 {
			v = synth.Malformed(i / 50)
			f.malformed[string(v)] = true
		} else {
			et := f.from.Add(time.Duration(i%7200) * time.Second)
			v = f.gen.JSON(et)
			f.expect(t, v)
		}
		batch = append(batch, kafka.Message{Key: []byte(strconv.Itoa(i)), Value: v})
		if len(batch) == cap(batch) {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
}

func (f *feed) expect(t *testing.T, v []byte) {
	var p post.Post
	if err := f.dec.Decode(v, &p); err != nil {
		t.Fatalf("generator made an invalid post: %v", err)
	}
	res := f.enricher.Enrich(p.Text, p.Lang, &f.sc)
	reach := impactmatrix.ReachWeight(p.Author.Followers)
	if len(res.Features) == 0 {
		f.want.Add(p.CreatedAt, impactmatrix.OtherFeature, pipeline.ClassOf(res.Sentiment.Label), res.Sentiment.Score, reach)
	}
	for _, fs := range res.Features {
		f.want.Add(p.CreatedAt, fs.ID, pipeline.ClassOf(fs.Label), fs.Score, reach)
		if pipeline.ClassOf(fs.Label) == impactmatrix.Negative {
			c := authorCell{fs.ID, p.CreatedAt.Truncate(time.Minute)}
			if f.authors[c] == nil {
				f.authors[c] = map[uint64]bool{}
			}
			f.authors[c][impactmatrix.AuthorKey(p.Platform, p.Author.ID, p.Text)] = true
		}
	}
}

// checkAuthors compares the distinct authors the sketches in Redis count,
// per feature and minute, with the feed's. Sketches estimate: a minute's
// few dozen authors are counted exactly or one short (two authors in one
// register), so each may be off by one, and few may be.
func (e *env) checkAuthors(t *testing.T, f *feed) {
	t.Helper()
	ctx := context.Background()
	exact, off := 0, 0
	for c, set := range f.authors {
		got, err := e.store.Authors(ctx, c.feature, c.bucket, c.bucket.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		switch d := got - int64(len(set)); {
		case d == 0:
			exact++
		case d == 1 || d == -1:
			off++
		default:
			t.Errorf("%s at %s: %d distinct authors, want %d", c.feature, c.bucket.Format(time.TimeOnly), got, len(set))
		}
	}
	if off > len(f.authors)/20 {
		t.Errorf("%d of %d feature-minutes counted one author off, want at most 5%%", off, len(f.authors))
	}
	t.Logf("distinct authors per feature and minute: %d exact, %d off by one", exact, off)
}

// appliedRecords is how many records of the topic the matrix has applied,
// from the offsets stored in Redis.
func (e *env) appliedRecords(t *testing.T, partitions int) int64 {
	var n int64
	for p := range partitions {
		off, err := e.store.Offset(context.Background(), impactmatrix.Source{Topic: e.topic, Partition: p})
		if err != nil {
			t.Fatal(err)
		}
		n += off + 1
	}
	return n
}

// waitApplied polls until the matrix has applied at least total records;
// with exact, more than total is a failure (total is all that was produced).
func (e *env) waitApplied(t *testing.T, partitions int, total int64, exact bool, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := e.appliedRecords(t, partitions)
		if got >= total {
			if exact && got > total {
				t.Fatalf("applied %d records, more than the %d produced", got, total)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the matrix applied %d of %d records", within, got, total)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkMatrix compares the matrix in Redis with what the feed expects, cell
// by cell: counts and score sums must be exactly equal.
func (e *env) checkMatrix(t *testing.T, f *feed) {
	t.Helper()
	got, err := e.store.Window(context.Background(), f.from.Add(-time.Hour), f.from.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := f.want.Matrix()
	if len(got.Rows) != len(want.Rows) {
		t.Errorf("matrix has features %v, want %v", got.Features(), want.Features())
	}
	for _, feat := range want.Features() {
		for c := range impactmatrix.NumClasses {
			g, w := cellOf(got, feat, c), want.Rows[feat][c]
			if g.Count != w.Count || !close(g.ScoreSum, w.ScoreSum) || !close(g.ReachSum, w.ReachSum) {
				t.Errorf("%s/%s = %+v, want %+v", feat, impactmatrix.Class(c), g, w)
			}
		}
	}
	gt, wt := got.Totals(), want.Totals()
	t.Logf("matrix totals per class: negative %d, neutral %d, positive %d, unscored %d (want %d, %d, %d, %d)",
		gt[0].Count, gt[1].Count, gt[2].Count, gt[3].Count, wt[0].Count, wt[1].Count, wt[2].Count, wt[3].Count)
}

func cellOf(m *impactmatrix.Matrix, feat string, c int) impactmatrix.Cell {
	if r := m.Rows[feat]; r != nil {
		return r[c]
	}
	return impactmatrix.Cell{}
}

// close allows only the float rounding of summing micro-units.
func close(a, b float64) bool {
	d := a - b
	return d < 1e-6 && d > -1e-6
}

// checkDLQ reads the dead-letter topic and checks it holds each malformed
// record (by origin), with its reason and origin headers, and nothing else.
func (e *env) checkDLQ(t *testing.T, f *feed) {
	t.Helper()
	conn, err := kafka.DialLeader(context.Background(), "tcp", e.brokers[0], e.dlq, 0)
	if err != nil {
		t.Fatal(err)
	}
	last, err := conn.ReadLastOffset()
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: e.brokers, Topic: e.dlq, Partition: 0, MaxWait: 200 * time.Millisecond})
	defer r.Close()
	origins := map[string]bool{}
	seen := map[string]bool{}
	dups := 0
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := int64(0); i < last; i++ {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read dlq: %v", err)
		}
		h := map[string]string{}
		for _, hd := range m.Headers {
			h[hd.Key] = string(hd.Value)
		}
		if !f.malformed[string(m.Value)] {
			t.Errorf("dead letter %q was not produced as malformed (reason %s)", m.Value, h[pipeline.HeaderReason])
		}
		if h[pipeline.HeaderReason] == "" || h[pipeline.HeaderError] == "" || h[pipeline.HeaderTopic] != e.topic {
			t.Errorf("dead letter lacks reason or origin headers: %v", h)
		}
		origin := h[pipeline.HeaderPartition] + "/" + h[pipeline.HeaderOffset]
		if origins[origin] {
			dups++ // at-least-once: a crash between the DLQ write and the matrix write repeats it
		}
		origins[origin] = true
		seen[string(m.Value)] = true
	}
	if len(seen) != len(f.malformed) {
		t.Errorf("dead-letter topic holds %d distinct malformed records, want %d", len(seen), len(f.malformed))
	}
	t.Logf("dead letters: %d records, %d distinct origins, %d redelivered duplicates", last, len(origins), dups)
}
