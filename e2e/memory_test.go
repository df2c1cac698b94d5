package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/testenv"
	"github.com/socialpulse/socialpulse/pipeline"
)

// TestRSSBoundedWithLargePostsDuringRedisPause fills a topic with posts of
// about 900 KB while Redis is paused (SIGSTOP: every write hangs), so the
// processor fetches and holds what its budget allows and can apply nothing.
// The peak resident set of `socialpulse run` must stay within what
// kafka.max_buffered_bytes allows per partition; with the budget lifted to
// 1 GiB, the same stream makes the process hold several times more, which
// shows the bound is what keeps it down. After Redis resumes, every post is
// counted exactly once.
func TestRSSBoundedWithLargePostsDuringRedisPause(t *testing.T) {
	t.Parallel()
	const (
		partitions = 4
		posts      = 480 // 120 a partition, about 430 MB in all
		textBytes  = 900 << 10
		budget     = 16 << 20 // max_buffered_bytes for the bounded run
		fetch      = 8 << 20  // a partition's fetch response (stream.ConsumerOptions.MaxFetchBytes)
	)
	bounded := pausedRSS(t, partitions, posts, textBytes, budget)
	unbounded := pausedRSS(t, partitions, posts, textBytes, 1<<30)
	t.Logf("peak RSS growth while Redis was paused, %d posts of %d KB over %d partitions: %.0f MiB with max_buffered_bytes %d MiB, %.0f MiB with 1 GiB",
		posts, textBytes>>10, partitions, mib(bounded), budget>>20, mib(unbounded))
	// Per partition: the budget (the batch plus the fetch-ahead queue) and
	// one fetch response in flight; the Go heap may reach twice its live
	// size before a collection returns it; 64 MiB for the rest (decoded
	// copies of the batch being scored, client buffers).
	limit := int64(2*partitions*(budget+fetch) + 64<<20)
	if bounded > limit {
		t.Errorf("peak RSS grew %.0f MiB with a %d MiB budget over %d partitions, want at most %.0f MiB",
			mib(bounded), budget>>20, partitions, mib(limit))
	}
	if unbounded < 2*bounded {
		t.Errorf("with the budget lifted the process grew %.0f MiB, not clearly more than %.0f MiB bounded: the test does not show the bound working",
			mib(unbounded), mib(bounded))
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// pausedRSS runs one processor against a private, paused Redis while posts
// of textBytes are produced, and returns how much its peak resident set
// grew from before the pause to the end of it.
func pausedRSS(t *testing.T, partitions, posts, textBytes, budget int) int64 {
	t.Helper()
	r := testenv.StartRedis(t)
	e := newEnvOn(t, partitions, testenv.KafkaBrokers(t), r.Addr, nil)
	f := newFeed(t, 41)
	f.dec.MaxTextBytes = 1 << 20 // as the processor is configured below
	p := e.startProcessor("p",
		"SOCIALPULSE_KAFKA_MAX_BUFFERED_BYTES="+strconv.Itoa(budget),
		"SOCIALPULSE_MATRIX_MAX_TEXT_BYTES="+strconv.Itoa(1<<20),
		"SOCIALPULSE_EMERGING_ENABLED=false",
	)
	// A few small posts first: the processor has joined, applied and
	// settled its heap before the pause.
	f.produce(t, e, 200)
	e.waitApplied(t, partitions, int64(f.produced), true, 2*time.Minute)
	time.Sleep(time.Second)
	before := vmHWM(t, p.cmd.Process.Pid)

	r.Pause()
	paused := time.Now()
	f.produceLarge(t, e, posts, textBytes)
	t.Logf("budget %d MiB: %d large posts produced in %v", budget>>20, posts, time.Since(paused).Round(100*time.Millisecond))
	// The consumer fetches until each partition's budget is full; give it
	// time to do so, then read the peak.
	time.Sleep(10 * time.Second)
	t.Logf("budget %d MiB: Redis paused for %v", budget>>20, time.Since(paused).Round(time.Second))
	grown := vmHWM(t, p.cmd.Process.Pid) - before
	r.Resume()

	e.waitApplied(t, partitions, int64(f.produced), true, 5*time.Minute)
	p.stop(t)
	e.checkMatrix(t, f)
	return grown
}

// produceLarge writes n valid posts whose texts are about textBytes long,
// and records what the matrix must count for them.
func (f *feed) produceLarge(t *testing.T, e *env, n, textBytes int) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(e.brokers...), Topic: e.topic, Balancer: &kafka.Hash{},
		BatchSize: 1, BatchBytes: 1 << 20, RequiredAcks: kafka.RequireAll,
		Transport: &kafka.Transport{MetadataTTL: 200 * time.Millisecond}}
	defer w.Close()
	phrase := "the checkout page keeps failing when I pay, please fix it "
	text := strings.Repeat(phrase, textBytes/len(phrase))
	// Every post has the same text, so one enrichment gives what the
	// matrix must count for each.
	res := f.enricher.Enrich(text, "", &f.sc)
	const followers = 10
	reach := impactmatrix.ReachWeight(followers)
	msgs := make([]kafka.Message, 0, 8)
	for i := range n {
		f.produced++
		at := f.from.Add(time.Duration(i%3600) * time.Second)
		v := fmt.Appendf(nil, `{"id":"large-%d","platform":"twitter","text":%q,"created_at":%q,"author":{"id":"a%d","followers":%d}}`,
			i, text, at.UTC().Format(time.RFC3339), i%97, followers)
		if len(res.Features) == 0 {
			f.want.Add(at, impactmatrix.OtherFeature, pipeline.ClassOf(res.Sentiment.Label), res.Sentiment.Score, reach)
		}
		for _, fs := range res.Features {
			f.want.Add(at, fs.ID, pipeline.ClassOf(fs.Label), fs.Score, reach)
		}
		msgs = append(msgs, kafka.Message{Key: []byte("large-" + strconv.Itoa(i)), Value: v})
		if len(msgs) == cap(msgs) || i == n-1 {
			if err := w.WriteMessages(context.Background(), msgs...); err != nil {
				t.Fatalf("produce large posts: %v", err)
			}
			msgs = msgs[:0]
		}
	}
}

// vmHWM is the peak resident set of a process, from /proc/PID/status.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	fh, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatalf("no /proc status for the processor: %v", err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
