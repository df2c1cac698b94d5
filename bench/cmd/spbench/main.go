// Command spbench produces the figures of BENCHMARKS.md in one run: the
// per-stage costs from the Go benchmarks; end-to-end throughput through a
// real Kafka broker and Redis for socialpulse (as its own process), the
// reference pipeline and the consume-and-decode ceiling, all reading the
// same pre-produced topic, with socialpulse's RSS over the run, and
// socialpulse again with a fallback model on, between two runs without it
// (fallback.go); throughput
// while a load generator produces at the same time (live.go); and alert
// latency from an injected surge to a webhook under background load
// (latency.go).
//
// It expects the services of scripts/services.sh to be running; use
// scripts/bench.sh (make bench), which starts them when needed. The markdown
// report goes to stdout and to -out; progress goes to stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/bench/ceiling"
	"github.com/socialpulse/socialpulse/bench/loadgen"
	"github.com/socialpulse/socialpulse/bench/reference"
)

// defaultPosts is sized for more than a minute of socialpulse on a 2-core
// machine (about 236k posts/s measured), which also covers the
// 10-million-post RSS check.
const defaultPosts = 16_000_000

type options struct {
	brokers    string
	redisAddr  string
	posts      int64
	partitions int
	timeout    time.Duration
	refTime    time.Duration
	out        string
	root       string
	stages     bool
	e2e        bool
	keep       bool
	live       bool
	livePosts  int64
	liveRate   float64
	liveFor    time.Duration
	latency    bool
	lat        latencyOptions
	fallback   bool
}

func main() { os.Exit(run()) }

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var o options
	fs := flag.NewFlagSet("spbench", flag.ContinueOnError)
	fs.StringVar(&o.brokers, "brokers", envOr("BENCH_KAFKA", "127.0.0.1:19092"), "Kafka `brokers`, comma-separated (env BENCH_KAFKA)")
	fs.StringVar(&o.redisAddr, "redis", envOr("BENCH_REDIS", "127.0.0.1:16379"), "Redis `address` (env BENCH_REDIS)")
	fs.Int64Var(&o.posts, "posts", envInt("BENCH_POSTS", defaultPosts), "records to produce and consume, 1 in 100 malformed (env BENCH_POSTS)")
	fs.IntVar(&o.partitions, "partitions", 6, "partitions of the benchmark topic")
	fs.DurationVar(&o.timeout, "consumer-timeout", envDuration("BENCH_CONSUMER_TIMEOUT", 6*time.Minute), "time limit per consumer; a consumer stopped by it is reported as such (env BENCH_CONSUMER_TIMEOUT)")
	fs.DurationVar(&o.refTime, "reference-time", envDuration("BENCH_REFERENCE_TIME", 4*time.Minute), "time limit of the reference pipeline, which is rated over the records it finished; about 18k posts/s here, so it cannot read a topic sized for a minute of socialpulse within the run's budget (env BENCH_REFERENCE_TIME)")
	fs.StringVar(&o.out, "out", "bench/results.md", "also write the report to this `file` (empty: stdout only)")
	fs.StringVar(&o.root, "root", ".", "module root, where go test and go build run")
	fs.BoolVar(&o.stages, "stages", true, "run the per-stage Go benchmarks")
	fs.BoolVar(&o.e2e, "e2e", true, "run the end-to-end benchmarks")
	fs.BoolVar(&o.keep, "keep", false, "keep the benchmark topics and Redis keys afterwards")
	fs.BoolVar(&o.live, "live", true, "run the live-producer throughput run")
	fs.Int64Var(&o.livePosts, "live-posts", envInt("BENCH_LIVE_POSTS", 12_000_000), "records the live producer writes while socialpulse consumes (env BENCH_LIVE_POSTS)")
	fs.Float64Var(&o.liveRate, "live-rate", envFloat("BENCH_LIVE_RATE", 100000), "posts/s of the paced live run, after the flat-out one; 0 skips it (env BENCH_LIVE_RATE)")
	fs.DurationVar(&o.liveFor, "live-for", 75*time.Second, "how long the paced live producer runs")
	fs.BoolVar(&o.fallback, "fallback", true, "in the end-to-end part, also run socialpulse with a fallback model (taxonomy.fallback_model) that `socialpulse taxonomy learn` trains from other synthetic posts, on the same topic")
	fs.BoolVar(&o.latency, "latency", true, "run the alert-latency run")
	fs.Float64Var(&o.lat.rate, "latency-rate", 20000, "background posts/s during the alert-latency run")
	fs.IntVar(&o.lat.trials, "latency-trials", int(envInt("BENCH_LATENCY_TRIALS", 48)), "surges injected in the alert-latency run (env BENCH_LATENCY_TRIALS)")
	fs.DurationVar(&o.lat.step, "latency-bucket", 5*time.Second, "matrix bucket in the alert-latency run (the detector's step)")
	fs.DurationVar(&o.lat.grace, "latency-grace", 2*time.Second, "detector grace in the alert-latency run")
	fs.DurationVar(&o.lat.history, "latency-history", 70*time.Minute, "matrix history written before the alert-latency run (the detector needs an hour)")
	fs.Float64Var(&o.lat.factor, "latency-surge", 5, "surge size: extra complaints in the surge bucket, times the feature's expected negatives")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if err := bench(ctx, o); err != nil {
		fmt.Fprintf(os.Stderr, "spbench: %v\n", err)
		return 1
	}
	return 0
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s spbench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
}

// report is everything the markdown needs.
type report struct {
	started    time.Time
	finished   time.Time
	machine    machine
	o          options
	stages     []stageResult
	produced   loadgen.Result
	dlq        int64
	runs       []*consumerRun // socialpulse, reference, ceiling
	fallback   []*consumerRun // socialpulse without, with and again without the fallback model; or none
	invalidRef int64
	invalidCei int64
	live       []*liveRun // flat out, then paced
	latency    *latencyRun
}

func bench(ctx context.Context, o options) error {
	rep := &report{started: time.Now(), o: o, machine: describeMachine(o.root)}
	logf("load average at start: %s", rep.machine.load)
	if o.stages {
		st, err := runStages(ctx, o.root, logf)
		if err != nil {
			return err
		}
		rep.stages = st
	}
	if o.e2e || o.live || o.latency {
		work, err := os.MkdirTemp("", "spbench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(work)
		bin := filepath.Join(work, "socialpulse")
		logf("go build -o %s ./cmd/socialpulse", bin)
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/socialpulse")
		build.Dir = o.root
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./cmd/socialpulse: %v\n%s", err, out)
		}
		rdb := redis.NewClient(&redis.Options{Addr: o.redisAddr})
		defer rdb.Close()
		if err := rdb.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("redis %s: %w", o.redisAddr, err)
		}
		if o.e2e {
			if err := endToEnd(ctx, o, rep, bin, work, rdb); err != nil {
				return err
			}
		}
		if o.live {
			settle()
			logf("live: socialpulse consumes while the load generator produces %d records as fast as it can", o.livePosts)
			flat, err := liveThroughput(ctx, o, bin, work, rdb, 0, 0)
			if err != nil {
				return err
			}
			rep.live = append(rep.live, flat)
			if o.liveRate > 0 {
				settle()
				logf("live: socialpulse consumes while a producer writes %.0f posts/s for %v", o.liveRate, o.liveFor)
				paced, err := liveThroughput(ctx, o, bin, work, rdb, o.liveRate, o.liveFor)
				if err != nil {
					return err
				}
				rep.live = append(rep.live, paced)
			}
		}
		if o.latency {
			settle()
			if rep.latency, err = alertLatency(ctx, o, o.lat, bin, work, rdb); err != nil {
				return err
			}
		}
	}
	rep.finished = time.Now()
	md := rep.markdown()
	fmt.Print(md)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(md), 0o644); err != nil {
			return err
		}
		logf("report written to %s", o.out)
	}
	return nil
}

func endToEnd(ctx context.Context, o options, rep *report, bin, work string, rdb *redis.Client) error {
	brokers := strings.Split(o.brokers, ",")
	name := "spbench-" + time.Now().Format("20060102-150405")
	topic, dlq := name+".posts", name+".dlq"
	groups := map[string]string{"socialpulse": name + "-socialpulse", "reference": name + "-reference", "ceiling": name + "-ceiling",
		"fallback": name + "-fallback"}
	cleanGroups := []string{groups["socialpulse"], groups["reference"], groups["ceiling"]}
	if err := createTopic(brokers, topic, o.partitions); err != nil {
		return err
	}
	if err := createTopic(brokers, dlq, 1); err != nil {
		return err
	}
	if !o.keep {
		defer func() {
			if err := deleteTopics(brokers, topic, dlq); err != nil {
				logf("delete topics: %v", err)
			}
			for _, g := range cleanGroups {
				if err := cleanRedis(context.Background(), rdb, g); err != nil {
					logf("delete redis keys %s:*: %v", g, err)
				}
			}
		}()
	}

	logf("producing %d records to %s (%d partitions)", o.posts, topic, o.partitions)
	res, err := loadgen.Produce(ctx, loadgen.Options{
		Brokers: brokers, Topic: topic, Posts: o.posts, Seed: 42,
		Progress: func(n int64) { logf("produced %d/%d", n, o.posts) },
	})
	if err != nil {
		return err
	}
	rep.produced = res
	logf("produced %d records in %.1fs (%.0f/s)", res.Records, res.Elapsed.Seconds(), float64(res.Records)/res.Elapsed.Seconds())
	if n, err := topicRecords(brokers, topic); err != nil || n != o.posts {
		return fmt.Errorf("topic %s holds %d records, want %d (%v)", topic, n, o.posts, err)
	}

	// (a) socialpulse, its own process.
	logf("socialpulse: consuming %s from offset 0", topic)
	sp, err := runSocialpulse(ctx, spEnv{bin: bin, brokers: brokers, redisAddr: o.redisAddr, topic: topic, dlq: dlq,
		group: groups["socialpulse"], prefix: groups["socialpulse"], workDir: work}, rdb, o.partitions, o.posts, o.timeout, logf)
	if err != nil {
		return err
	}
	logf("socialpulse: %d records in %.1fs (%.0f/s)", sp.done, sp.elapsed.Seconds(), sp.rate())
	if rep.dlq, err = topicRecords(brokers, dlq); err != nil {
		return err
	}

	// (b) the reference pipeline, in this process.
	settle()
	ref, err := reference.New(reference.Options{Brokers: brokers, Topic: topic, Group: groups["reference"], Redis: rdb,
		KeyPrefix: groups["reference"], Total: o.posts})
	if err != nil {
		return err
	}
	logf("reference: consuming %s from offset 0", topic)
	rr, err := trackInProcess(ctx, "reference", o.posts, min(o.refTime, o.timeout), ref.Processed, ref.Run, logf)
	if err != nil {
		return err
	}
	rep.invalidRef = ref.Invalid()
	logf("reference: %d records in %.1fs (%.0f/s)", rr.done, rr.elapsed.Seconds(), rr.rate())

	// (c) the ceiling, in this process.
	settle()
	cei, err := ceiling.New(ceiling.Options{Brokers: brokers, Topic: topic, Group: groups["ceiling"], Total: o.posts})
	if err != nil {
		return err
	}
	logf("ceiling: consuming %s from offset 0", topic)
	cr, err := trackInProcess(ctx, "ceiling", o.posts, o.timeout, cei.Processed, cei.Run, logf)
	if err != nil {
		return err
	}
	rep.invalidCei = cei.Invalid()
	logf("ceiling: %d records in %.1fs (%.0f/s)", cr.done, cr.elapsed.Seconds(), cr.rate())

	rep.runs = []*consumerRun{sp, rr, cr}

	// (d) socialpulse with the fallback model on, between two more runs
	// without it, so that the machine's drift over the runs falls on both
	// sides of the comparison.
	if o.fallback {
		model, tags, err := learnFallback(ctx, bin, work)
		if err != nil {
			return err
		}
		for i, name := range []string{plainBefore, fallbackRun, plainAfter} {
			settle()
			g := fmt.Sprintf("%s-%d", groups["fallback"], i)
			cleanGroups = append(cleanGroups, g)
			e := spEnv{bin: bin, brokers: brokers, redisAddr: o.redisAddr, topic: topic, dlq: dlq, group: g, prefix: g, workDir: work}
			if name == fallbackRun {
				e.env = []string{"SOCIALPULSE_TAXONOMY_FALLBACK_MODEL=" + model}
			}
			var notes []string
			if name == fallbackRun && tags != "" {
				notes = append(notes, "`taxonomy learn` on its 100,000 learning posts: \""+tags+"\" (the measured posts are another stretch of the same stream)")
			}
			logf("%s: consuming %s from offset 0", name, topic)
			r, err := runSocialpulse(ctx, e, rdb, o.partitions, o.posts, o.timeout, logf)
			if err != nil {
				return err
			}
			r.name = name
			r.notes = append(r.notes, notes...)
			logf("%s: %d records in %.1fs (%.0f/s)", name, r.done, r.elapsed.Seconds(), r.rate())
			rep.fallback = append(rep.fallback, r)
		}
	}
	return nil
}

// settle returns the producer's garbage to the OS before an in-process
// consumer starts, so it does not pay for it.
func settle() {
	runtime.GC()
	debug.FreeOSMemory()
	time.Sleep(2 * time.Second)
}

// machine describes where the numbers come from.
type machine struct {
	cpu, kernel, goVersion, commit, load string
	cores                                int
	memMB                                int64
}

func describeMachine(root string) machine {
	m := machine{cores: runtime.NumCPU(), goVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 3 {
			m.load = strings.Join(f[:3], " ")
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				f := strings.Fields(rest)
				if len(f) > 0 {
					kb, _ := strconv.ParseInt(f[0], 10, 64)
					m.memMB = kb >> 10
				}
			}
		}
	}
	git := exec.Command("git", "describe", "--always", "--dirty")
	git.Dir = root
	if out, err := git.Output(); err == nil {
		m.commit = strings.TrimSpace(string(out))
	}
	return m
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(strings.ReplaceAll(os.Getenv(name), "_", ""), 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil && v >= 0 {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
