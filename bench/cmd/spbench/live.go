package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/bench/loadgen"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

// The live run: socialpulse is already consuming an empty topic when the
// load generator starts producing into it as fast as it can, so production
// and consumption share the machine, as they would in production. The
// driver samples the records acknowledged by the broker and the offsets
// socialpulse has applied in Redis; their difference is the lag.

// liveSample is one observation of the live run.
type liveSample struct {
	at       time.Duration // since the producer started
	produced int64         // records acknowledged by the broker
	applied  int64         // records covered by the offsets in Redis
	rssKB    int64
}

func (s liveSample) lag() int64 { return max(s.produced-s.applied, 0) }

// liveRun is the outcome of the live run.
type liveRun struct {
	paced     float64       // producer rate in posts/s; 0: as fast as it can
	pacedFor  time.Duration // how long the paced producer ran
	total     int64
	produce   time.Duration // producer start to its last acknowledgement
	drained   time.Duration // producer start to every record applied
	samples   []liveSample
	timedOut  bool
	load      string
	malformed int64
}

// consumedWhileProducing is socialpulse's rate while the producer ran.
func (r *liveRun) consumedWhileProducing() float64 {
	var last liveSample
	for _, s := range r.samples {
		if s.at <= r.produce {
			last = s
		}
	}
	return div(float64(last.applied), last.at.Seconds())
}

// lagAt is the largest lag in the fraction [from, to) of the production time.
func (r *liveRun) lagAt(from, to float64) int64 {
	var m int64
	for _, s := range r.samples {
		f := float64(s.at) / float64(r.produce)
		if f >= from && f < to && s.lag() > m {
			m = s.lag()
		}
	}
	return m
}

// liveThroughput runs socialpulse against a live producer: flat out for
// o.livePosts records when rate is 0, else paced at rate posts/s for dur.
func liveThroughput(ctx context.Context, o options, bin, work string, rdb *redis.Client, rate float64, dur time.Duration) (*liveRun, error) {
	brokers := strings.Split(o.brokers, ",")
	name, topic, dlq, cleanup, err := scratchTopics(o, brokers, rdb, "live")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	store, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: name})
	if err != nil {
		return nil, err
	}
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	proc, err := spawn(bin, []string{
		"SOCIALPULSE_KAFKA_BROKERS=" + strings.Join(brokers, ","),
		"SOCIALPULSE_KAFKA_TOPIC=" + topic,
		"SOCIALPULSE_KAFKA_DLQ_TOPIC=" + dlq,
		"SOCIALPULSE_KAFKA_GROUP=" + name,
		"SOCIALPULSE_REDIS_ADDRS=" + o.redisAddr,
		"SOCIALPULSE_REDIS_KEY_PREFIX=" + name,
		"SOCIALPULSE_HTTP_LISTEN=" + httpAddr,
	}, filepath.Join(work, "socialpulse-live.log"))
	if err != nil {
		return nil, err
	}
	defer proc.stop()
	// Ready means its partitions are assigned: records produced from now on
	// are read as they arrive.
	ready := time.Now().Add(time.Minute)
	for !isReady(ctx, httpAddr) {
		if err := proc.exitedEarly(); err != nil {
			return nil, err
		}
		if time.Now().After(ready) {
			return nil, fmt.Errorf("live: socialpulse not ready after 1m; last lines of the log:\n%s", tail(proc.logPath, 30))
		}
		time.Sleep(200 * time.Millisecond)
	}

	r := &liveRun{total: o.livePosts, paced: rate, pacedFor: dur}
	var acked atomic.Int64
	type produceResult struct {
		res loadgen.Result
		err error
	}
	prodDone := make(chan produceResult, 1)
	start := time.Now()
	if rate > 0 {
		go func() {
			pctx, cancel := context.WithTimeout(ctx, dur)
			defer cancel()
			err := background(pctx, brokers, topic, rate, &acked)
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				err = nil
			}
			n := acked.Load()
			prodDone <- produceResult{loadgen.Result{Records: n, Malformed: n / 100, Elapsed: time.Since(start)}, err}
		}()
	} else {
		go func() {
			res, err := loadgen.Produce(ctx, loadgen.Options{Brokers: brokers, Topic: topic, Posts: o.livePosts, Seed: 43, Acked: &acked})
			prodDone <- produceResult{res, err}
		}()
	}
	deadline := start.Add(o.timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	producing := true
	var lastLog time.Time
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case pr := <-prodDone:
			if pr.err != nil {
				return nil, pr.err
			}
			producing = false
			r.produce = time.Since(start)
			r.total = pr.res.Records
			r.malformed = pr.res.Malformed
			prodDone = nil
			logf("live: producer done: %d records in %.1fs", pr.res.Records, r.produce.Seconds())
			continue
		case <-tick.C:
		}
		s := liveSample{at: time.Since(start), produced: acked.Load(), rssKB: rssKB(proc.cmd.Process.Pid)}
		if s.applied, err = applied(ctx, store, topic, o.partitions); err != nil {
			return nil, err
		}
		r.samples = append(r.samples, s)
		if time.Since(lastLog) >= 5*time.Second {
			lastLog = time.Now()
			logf("live: %d produced, %d applied (lag %d) after %.0fs", s.produced, s.applied, s.lag(), s.at.Seconds())
		}
		if !producing && s.applied >= r.total {
			r.drained = s.at
			break
		}
		if err := proc.exitedEarly(); err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			r.timedOut = true
			r.drained = s.at
			if producing {
				r.produce = s.at
			}
			break
		}
	}
	r.load = loadavg()
	return r, nil
}

func isReady(ctx context.Context, addr string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// scratchTopics creates a run's input topic (o.partitions) and dead-letter
// topic under a fresh name, and returns a cleanup that deletes them and the
// run's Redis keys (a no-op with -keep).
func scratchTopics(o options, brokers []string, rdb *redis.Client, kind string) (name, topic, dlq string, cleanup func(), err error) {
	name = "spbench-" + kind + "-" + time.Now().Format("20060102-150405")
	topic, dlq = name+".posts", name+".dlq"
	if err := createTopic(brokers, topic, o.partitions); err != nil {
		return "", "", "", nil, err
	}
	if err := createTopic(brokers, dlq, 1); err != nil {
		return "", "", "", nil, err
	}
	cleanup = func() {
		if o.keep {
			return
		}
		if err := deleteTopics(brokers, topic, dlq); err != nil {
			logf("delete topics: %v", err)
		}
		if err := cleanRedis(context.Background(), rdb, name); err != nil {
			logf("delete redis keys %s:*: %v", name, err)
		}
	}
	return name, topic, dlq, cleanup, nil
}
