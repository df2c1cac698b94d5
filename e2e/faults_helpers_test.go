package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

// envFaultSeed fixes the seed of the random kill points, to replay a run.
const envFaultSeed = "SOCIALPULSE_TEST_FAULT_SEED"

// faultSeed is the seed for a test's random choices: SOCIALPULSE_TEST_FAULT_SEED
// if set, otherwise the clock. It is logged so a failure can be replayed.
func faultSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(envFaultSeed); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", envFaultSeed, v, err)
		}
		seed = s
	}
	t.Logf("seed %d (replay with %s=%d)", seed, envFaultSeed, seed)
	return seed
}

// newEnvOn is newEnv against the given brokers and Redis (a private broker
// or Redis that the test may restart). The store reads through store when
// it is not nil (a cluster client), otherwise through a client for raddr.
func newEnvOn(t *testing.T, partitions int, brokers []string, raddr string, store redis.UniversalClient) *env {
	t.Helper()
	name := testenv.UniqueName(t, "e2e")
	e := &env{t: t, brokers: brokers, topic: name + ".posts", dlq: name + ".dlq", group: name, prefix: name}
	// startProcessor takes the Redis address from this client's options.
	e.rdb = redis.NewClient(&redis.Options{Addr: raddr})
	t.Cleanup(func() { e.rdb.Close() })
	if store == nil {
		store = e.rdb
	}
	var err error
	if e.store, err = impactmatrix.NewStore(store, impactmatrix.StoreOptions{Prefix: e.prefix}); err != nil {
		t.Fatal(err)
	}
	e.createTopic(e.topic, partitions)
	e.createTopic(e.dlq, 1)
	return e
}

// waitAppliedAtLeast polls until the matrix has applied n records; unlike
// waitApplied it polls fast, so a kill lands close to the chosen point.
func (e *env) waitAppliedAtLeast(t *testing.T, partitions int, n int64, within time.Duration) int64 {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := e.appliedRecords(t, partitions)
		if got >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the matrix applied %d records, waiting for %d", within, got, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// killAtRandomPoints runs rounds of: produce perRound records, start a
// processor, SIGKILL it once the matrix has applied a random number of the
// records not yet applied. It returns how many kills landed mid-stream
// (with records still unapplied).
func (e *env) killAtRandomPoints(t *testing.T, f *feed, rng *rand.Rand, partitions, rounds, perRound int, extraEnv ...string) int {
	t.Helper()
	mid := 0
	for i := range rounds {
		f.produce(t, e, perRound)
		before := e.appliedRecords(t, partitions)
		produced := int64(f.produced)
		target := before + 1 + rng.Int64N(produced-before-1)
		p := e.startProcessor(fmt.Sprintf("run%02d", i), extraEnv...)
		e.waitAppliedAtLeast(t, partitions, target, 3*time.Minute)
		p.kill()
		at := e.appliedRecords(t, partitions)
		if at < produced {
			mid++
		}
		t.Logf("kill %d: SIGKILL with %d of %d records applied (point chosen: %d)", i+1, at, produced, target)
	}
	return mid
}

// committedOffsets returns the group's committed offset of each partition
// of the topic (-1: none).
func (e *env) committedOffsets(t *testing.T, partitions int) []int64 {
	t.Helper()
	parts := make([]int, partitions)
	for i := range parts {
		parts[i] = i
	}
	c := &kafka.Client{Addr: kafka.TCP(e.brokers...), Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	res, err := c.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: e.group, Topics: map[string][]int{e.topic: parts}})
	if err == nil {
		err = res.Error
	}
	if err != nil {
		t.Fatalf("offset fetch: %v", err)
	}
	out := make([]int64, partitions)
	for i := range out {
		out[i] = -1
	}
	for _, p := range res.Topics[e.topic] {
		if p.Error != nil {
			t.Fatalf("offset fetch partition %d: %v", p.Partition, p.Error)
		}
		out[p.Partition] = p.CommittedOffset
	}
	return out
}

// readiness is a processor's /readyz answer.
type readiness struct {
	status int
	checks map[string]string
}

func (r readiness) String() string { return fmt.Sprintf("%d %v", r.status, r.checks) }

func readyz(t *testing.T, addr string) readiness {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + addr + "/readyz")
	if err != nil {
		return readiness{status: -1, checks: map[string]string{"http": err.Error()}}
	}
	defer resp.Body.Close()
	var body struct {
		Checks map[string]string `json:"checks"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("readyz body: %v", err)
	}
	return readiness{status: resp.StatusCode, checks: body.Checks}
}

func sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}

func joinAddrs(addrs []string) string { return strings.Join(addrs, ",") }
