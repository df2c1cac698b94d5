package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/impactmatrix"
)

// sample is one observation of a consumer under test.
type sample struct {
	at        time.Duration // since the consumer was started
	done      int64         // records fully processed
	rssKB     int64         // VmRSS; 0 when not sampled
	committed int64         // records covered by Kafka-committed offsets; -1 when not sampled
}

// consumerRun is the outcome of one consumer over the whole topic.
type consumerRun struct {
	name     string
	total    int64
	done     int64
	elapsed  time.Duration // start to the last record processed
	samples  []sample
	timedOut bool
	notes    []string
	load     string // 1-minute load average when the run ended
}

func (r *consumerRun) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.done) / r.elapsed.Seconds()
}

// at returns the first sample with done >= frac of the records the run
// finished (all of them unless it was stopped by its time limit).
func (r *consumerRun) at(frac float64) (sample, bool) {
	want := int64(frac * float64(r.done))
	for _, s := range r.samples {
		if s.done >= want && s.done > 0 {
			return s, true
		}
	}
	return sample{}, false
}

// steady is the rate between 10% and 90% of the records, which leaves out
// process start, group join and the tail.
func (r *consumerRun) steady() float64 {
	a, ok1 := r.at(0.1)
	b, ok2 := r.at(0.9)
	if !ok1 || !ok2 || b.at <= a.at {
		return 0
	}
	return float64(b.done-a.done) / (b.at - a.at).Seconds()
}

// firstOutput is when the consumer first reported progress.
func (r *consumerRun) firstOutput() time.Duration {
	for _, s := range r.samples {
		if s.done > 0 {
			return s.at
		}
	}
	return 0
}

const pollEvery = 100 * time.Millisecond

// trackInProcess runs fn and samples progress until it returns.
func trackInProcess(ctx context.Context, name string, total int64, timeout time.Duration, progress func() int64,
	fn func(context.Context) error, logf func(string, ...any)) (*consumerRun, error) {
	r := &consumerRun{name: name, total: total}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	lastLog := start
	for {
		select {
		case err := <-done:
			r.elapsed = time.Since(start)
			r.load = loadavg()
			r.done = progress()
			r.samples = append(r.samples, sample{at: r.elapsed, done: r.done, committed: -1})
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
				r.timedOut = true
				r.notes = append(r.notes, fmt.Sprintf("stopped by its %v time limit after the first %s of the %s records; rated over those", timeout, num(float64(r.done), 0), num(float64(total), 0)))
				return r, nil
			}
			return r, err
		case <-tick.C:
			s := sample{at: time.Since(start), done: progress(), committed: -1}
			r.samples = append(r.samples, s)
			if time.Since(lastLog) >= 5*time.Second {
				lastLog = time.Now()
				logf("%s: %d/%d records after %.0fs", name, s.done, total, s.at.Seconds())
			}
		}
	}
}

// spEnv is the socialpulse process's configuration, all from the environment.
type spEnv struct {
	bin       string
	brokers   []string
	redisAddr string
	topic     string
	dlq       string
	group     string
	prefix    string
	workDir   string
	env       []string // more environment for the process
}

// runSocialpulse starts `socialpulse run` as its own process and samples the
// offsets it stored in Redis, its RSS and the group's Kafka-committed
// offsets until every record is applied, then stops it with SIGTERM.
func runSocialpulse(ctx context.Context, e spEnv, rdb *redis.Client, partitions int, total int64, timeout time.Duration,
	logf func(string, ...any)) (*consumerRun, error) {
	store, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: e.prefix})
	if err != nil {
		return nil, err
	}
	kc := &kafka.Client{Addr: kafka.TCP(e.brokers...), Timeout: 5 * time.Second}
	logPath := filepath.Join(e.workDir, "socialpulse.log")
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(e.bin, "run")
	cmd.Env = append(os.Environ(),
		"SOCIALPULSE_KAFKA_BROKERS="+strings.Join(e.brokers, ","),
		"SOCIALPULSE_KAFKA_TOPIC="+e.topic,
		"SOCIALPULSE_KAFKA_DLQ_TOPIC="+e.dlq,
		"SOCIALPULSE_KAFKA_GROUP="+e.group,
		"SOCIALPULSE_REDIS_ADDRS="+e.redisAddr,
		"SOCIALPULSE_REDIS_KEY_PREFIX="+e.prefix,
		"SOCIALPULSE_HTTP_LISTEN="+httpAddr,
	)
	cmd.Env = append(cmd.Env, e.env...)
	cmd.Stdout, cmd.Stderr = lf, lf
	r := &consumerRun{name: "socialpulse", total: total}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start socialpulse: %w", err)
	}
	pid := cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-exited
		}
	}()

	deadline := start.Add(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var lastKafka, lastLog time.Time
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case err := <-exited:
			stopped = true
			return nil, fmt.Errorf("socialpulse exited early (%v); last lines of %s:\n%s", err, logPath, tail(logPath, 30))
		case <-tick.C:
		}
		now := time.Now()
		s := sample{at: now.Sub(start), committed: -1}
		if s.done, err = applied(ctx, store, e.topic, partitions); err != nil {
			return nil, err
		}
		s.rssKB = rssKB(pid)
		if now.Sub(lastKafka) >= time.Second {
			lastKafka = now
			s.committed = committed(ctx, kc, e.group, e.topic, partitions)
		}
		r.samples = append(r.samples, s)
		if now.Sub(lastLog) >= 5*time.Second {
			lastLog = now
			logf("socialpulse: %d/%d records applied after %.0fs, RSS %d MiB", s.done, total, s.at.Seconds(), s.rssKB>>10)
		}
		if s.done >= total || now.After(deadline) {
			r.done, r.elapsed, r.load = s.done, s.at, loadavg()
			if s.done < total {
				r.timedOut = true
				r.notes = append(r.notes, fmt.Sprintf("stopped by its %v time limit after %s of %s records", timeout, num(float64(s.done), 0), num(float64(total), 0)))
			}
			break
		}
	}

	// Kafka commits follow the Redis writes (at most every commit interval,
	// 1s by default); give them a few seconds to cover everything applied.
	commitStart := time.Now()
	covered := false
	for time.Since(commitStart) < 3*time.Second {
		if committed(ctx, kc, e.group, e.topic, partitions) >= r.done {
			covered = true
			r.notes = append(r.notes, fmt.Sprintf("Kafka-committed offsets covered every applied record %.1fs after the last Redis write", time.Since(commitStart).Seconds()))
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !covered {
		lag := r.done - committed(ctx, kc, e.group, e.topic, partitions)
		r.notes = append(r.notes, fmt.Sprintf("3s after the last Redis write the group's Kafka-committed offsets were still %d records behind (a partition's offsets are committed when its next batch arrives, or at shutdown)", lag))
	}

	stopAt := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return nil, err
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			r.notes = append(r.notes, fmt.Sprintf("exit after SIGTERM: %v", err))
		} else {
			r.notes = append(r.notes, fmt.Sprintf("clean exit %.1fs after SIGTERM", time.Since(stopAt).Seconds()))
		}
	case <-time.After(60 * time.Second):
		r.notes = append(r.notes, "did not exit within 60s of SIGTERM; killed")
	}
	if !covered {
		if c := committed(ctx, kc, e.group, e.topic, partitions); c >= r.done {
			r.notes = append(r.notes, "after shutdown the Kafka-committed offsets covered every record")
		} else {
			r.notes = append(r.notes, fmt.Sprintf("after shutdown the Kafka-committed offsets were %d records behind", r.done-c))
		}
	}
	return r, nil
}

// applied is how many records of the topic the matrix has applied, from
// the offsets socialpulse stored in Redis.
func applied(ctx context.Context, store *impactmatrix.Store, topic string, partitions int) (int64, error) {
	var n int64
	for p := range partitions {
		off, err := store.Offset(ctx, impactmatrix.Source{Topic: topic, Partition: p})
		if err != nil {
			return 0, err
		}
		n += off + 1
	}
	return n, nil
}

// committed is how many records the group's committed offsets cover, or -1
// if they cannot be read.
func committed(ctx context.Context, kc *kafka.Client, group, topic string, partitions int) int64 {
	parts := make([]int, partitions)
	for i := range parts {
		parts[i] = i
	}
	res, err := kc.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
	if err != nil || res.Error != nil {
		return -1
	}
	var n int64
	for _, p := range res.Topics[topic] {
		if p.Error == nil && p.CommittedOffset > 0 {
			n += p.CommittedOffset
		}
	}
	return n
}

// rssKB reads VmRSS from /proc/<pid>/status; 0 if it cannot.
func rssKB(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return 0
}

// loadavg is the machine's 1-minute load average, or "?".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// createTopic creates a topic and waits until every partition has a leader.
func createTopic(brokers []string, name string, partitions int) error {
	conn, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.CreateTopics(kafka.TopicConfig{Topic: name, NumPartitions: partitions, ReplicationFactor: 1}); err != nil {
		return fmt.Errorf("create topic %s: %w", name, err)
	}
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
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("topic %s: %d of %d partitions have a leader after 60s (%v)", name, led, partitions, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func deleteTopics(brokers []string, names ...string) error {
	conn, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.DeleteTopics(names...)
}

// topicRecords is the sum of the end offsets of a topic's partitions.
func topicRecords(brokers []string, topic string) (int64, error) {
	conn, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		return 0, err
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, p := range parts {
		lc, err := kafka.DialLeader(context.Background(), "tcp", brokers[0], topic, p.ID)
		if err != nil {
			return 0, err
		}
		last, err := lc.ReadLastOffset()
		lc.Close()
		if err != nil {
			return 0, err
		}
		n += last
	}
	return n, nil
}

// cleanRedis deletes every key under prefix.
func cleanRedis(ctx context.Context, rdb *redis.Client, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+":*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return rdb.Unlink(ctx, batch...).Err()
	}
	return nil
}
