package e2e

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/internal/testenv"
)

// The fault tests inject one kind of failure each and check the matrix is
// exactly what was produced, cell by cell, and the dead-letter topic holds
// every malformed record. RELIABILITY.md summarises them. Tests that restart
// a broker or Redis use private instances (testenv.StartKafka, StartRedis):
// the shared services serve other tests in parallel.

// TestFaultSIGKILLAtRandomPoints SIGKILLs the processor at 10 random points
// of a 30,000-post stream, restarting it each time.
func TestFaultSIGKILLAtRandomPoints(t *testing.T) {
	t.Parallel()
	const partitions, rounds, perRound = 4, 10, 3_000
	seed := faultSeed(t)
	e := newEnv(t, partitions)
	f := newFeed(t, seed)

	// Small batches: each round's records are applied in many steps, not in
	// one or two waves that a loaded machine lets finish between two polls,
	// so most kills land with records unapplied whatever the load.
	mid := e.killAtRandomPoints(t, f, rand.New(rand.NewPCG(seed, 1)), partitions, rounds, perRound, "SOCIALPULSE_KAFKA_BATCH_SIZE=50")
	t.Logf("%d of %d kills landed mid-stream", mid, rounds)
	if mid < rounds/2 {
		t.Fatalf("only %d of %d kills landed with records unapplied; the test proves little", mid, rounds)
	}

	p := e.startProcessor("final")
	e.waitApplied(t, partitions, int64(f.produced), true, 3*time.Minute)
	p.stop(t)
	e.checkMatrix(t, f)
	e.checkDLQ(t, f)
}

// TestFaultKafkaBrokerRestart stops a private broker while the processor is
// mid-stream, starts it again, produces more and checks the totals.
func TestFaultKafkaBrokerRestart(t *testing.T) {
	t.Parallel()
	const partitions = 4
	k := testenv.StartKafka(t)
	r := testenv.StartRedis(t)
	e := newEnvOn(t, partitions, []string{k.Addr}, r.Addr, nil)
	f := newFeed(t, 21)

	f.produce(t, e, 20_000)
	p := e.startProcessor("p")
	e.waitAppliedAtLeast(t, partitions, 1_000, 3*time.Minute)
	k.Stop()
	atStop := e.appliedRecords(t, partitions)
	t.Logf("broker stopped (SIGTERM) with %d of %d records applied", atStop, f.produced)
	if atStop >= int64(f.produced) {
		t.Fatal("processor finished the backlog before the broker stopped; the test proves nothing")
	}
	down := time.Now()
	time.Sleep(10 * time.Second) // the processor's fetches, commits and heartbeats fail
	t.Logf("%d records applied from fetches already buffered while the broker was down", e.appliedRecords(t, partitions)-atStop)
	k.Start()
	t.Logf("broker back after %v down", time.Since(down).Round(time.Millisecond))

	f.produce(t, e, 5_000)
	e.waitApplied(t, partitions, int64(f.produced), true, 5*time.Minute)
	p.stop(t)
	e.checkMatrix(t, f)
	e.checkDLQ(t, f)
}

// TestFaultRedisRestartAndOutage restarts a private Redis (append-only file,
// fsync always, so the matrix survives) while the processor is mid-stream,
// then stops it for 30 s: meanwhile the processor reports not ready, naming
// redis, and commits no Kafka offset; once Redis is back it resumes.
func TestFaultRedisRestartAndOutage(t *testing.T) {
	t.Parallel()
	const partitions, outage = 4, 30 * time.Second
	r := testenv.StartRedis(t, "--appendonly", "yes", "--appendfsync", "always")
	e := newEnvOn(t, partitions, testenv.KafkaBrokers(t), r.Addr, nil)
	f := newFeed(t, 31)
	httpAddr := freeAddr(t)

	// A restart mid-stream.
	f.produce(t, e, 15_000)
	p := e.startProcessor("p", "SOCIALPULSE_HTTP_LISTEN="+httpAddr)
	before := e.waitAppliedAtLeast(t, partitions, 1_000, 3*time.Minute)
	r.Stop()
	r.Start()
	after := e.appliedRecords(t, partitions)
	t.Logf("redis restarted with at least %d of %d records applied; %d applied after its restart", before, f.produced, after)
	if after < before {
		t.Fatalf("redis lost applied offsets across a restart: %d before, %d after", before, after)
	}
	if before >= int64(f.produced) {
		t.Fatal("processor finished the backlog before redis restarted; the test proves nothing")
	}
	e.waitApplied(t, partitions, int64(f.produced), true, 3*time.Minute)

	// A 30 s outage mid-stream.
	f.produce(t, e, 15_000)
	atStop := e.waitAppliedAtLeast(t, partitions, int64(f.produced)-14_000, 3*time.Minute)
	r.Stop()
	down := time.Now()
	t.Logf("redis stopped for %v with at least %d of %d records applied", outage, atStop, f.produced)
	var ready readiness
	for {
		if ready = readyz(t, httpAddr); ready.status == 503 && ready.checks["redis"] != "ok" && ready.checks["redis"] != "" {
			break
		}
		if time.Since(down) > 15*time.Second {
			t.Fatalf("readyz is %v 15s into the redis outage, want 503 naming redis", ready)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("readyz %v after %v", ready, time.Since(down).Round(time.Millisecond))
	// Offsets of batches written just before the stop may still be committed
	// (a batch ends with its best-effort evidence writes, which fail now);
	// once the committed offsets have held still for 3 s, nothing more may be.
	committed := e.committedOffsets(t, partitions)
	for stable := time.Now(); time.Since(stable) < 3*time.Second; time.Sleep(500 * time.Millisecond) {
		if now := e.committedOffsets(t, partitions); !equalOffsets(now, committed) {
			committed, stable = now, time.Now()
		}
		if time.Since(down) > 20*time.Second {
			t.Fatalf("committed offsets still moving 20s into the redis outage: %v", committed)
		}
	}
	f.produce(t, e, 5_000) // more work arrives while redis is down
	for time.Since(down) < outage {
		if ready = readyz(t, httpAddr); ready.status != 503 || ready.checks["redis"] == "ok" {
			t.Fatalf("readyz is %v %v into the redis outage, want 503 naming redis", ready, time.Since(down))
		}
		time.Sleep(time.Second)
	}
	still := e.committedOffsets(t, partitions)
	for i := range committed {
		if still[i] != committed[i] {
			t.Errorf("partition %d: committed offset moved from %d to %d while redis was down", i, committed[i], still[i])
		}
	}
	t.Logf("committed offsets during the outage: %v (sum %d), unchanged: %v; %d records produced", committed, sum(committed),
		equalOffsets(committed, still), f.produced)
	r.Start()
	t.Logf("redis back after %v down", time.Since(down).Round(time.Millisecond))

	e.waitApplied(t, partitions, int64(f.produced), true, 3*time.Minute)
	deadline := time.Now().Add(time.Minute)
	for ready = readyz(t, httpAddr); ready.status != 200; ready = readyz(t, httpAddr) {
		if time.Now().After(deadline) {
			t.Fatalf("readyz is %v a minute after redis came back", ready)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Committing resumed: the first batch of each partition after the
	// outage commits (the last commit is more than the interval ago).
	resumed := e.committedOffsets(t, partitions)
	for i := range resumed {
		if resumed[i] <= committed[i] {
			t.Errorf("partition %d: committed offset %d did not advance after redis came back", i, resumed[i])
		}
	}
	p.stop(t) // a graceful stop commits what was applied
	if final := e.committedOffsets(t, partitions); sum(final) != int64(f.produced) {
		t.Errorf("committed offsets %v sum to %d after the stop, want the %d records produced", final, sum(final), f.produced)
	}
	e.checkMatrix(t, f)
	e.checkDLQ(t, f)
}

func equalOffsets(a, b []int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// TestFaultGroupChurn has processors join and leave the group eight times
// while posts flow: four joins, two SIGTERMs and two SIGKILLs.
func TestFaultGroupChurn(t *testing.T) {
	t.Parallel()
	const partitions = 6
	e := newEnv(t, partitions)
	f := newFeed(t, 41)

	procs := map[string]*processor{"a": e.startProcessor("a"), "b": e.startProcessor("b")}
	f.produce(t, e, 5_000)
	e.waitApplied(t, partitions, 2_000, false, 2*time.Minute)
	events := []struct{ what, name string }{
		{"join", "c"}, {"sigterm", "a"}, {"join", "d"}, {"sigkill", "b"},
		{"join", "e"}, {"sigkill", "c"}, {"join", "f"}, {"sigterm", "d"},
	}
	for i, ev := range events {
		f.produce(t, e, 3_000)
		switch ev.what {
		case "join":
			procs[ev.name] = e.startProcessor(ev.name)
		case "sigterm":
			procs[ev.name].stop(t)
		case "sigkill":
			procs[ev.name].kill()
		}
		at := e.appliedRecords(t, partitions)
		t.Logf("event %d: %s %s with %d of %d records applied", i+1, ev.what, ev.name, at, f.produced)
		// Let the group settle and make progress before the next event.
		e.waitApplied(t, partitions, int64(f.produced)-1_500, false, 2*time.Minute)
	}
	e.waitApplied(t, partitions, int64(f.produced), true, 3*time.Minute)
	procs["e"].stop(t)
	procs["f"].stop(t)
	e.checkMatrix(t, f)
	e.checkDLQ(t, f)
}

// TestFaultSIGKILLRedisCluster is the SIGKILL run against a three-node Redis
// Cluster: each partition's keys share a hash tag, so the atomic
// counts-plus-offset script touches one slot, and the partitions spread over
// the nodes.
func TestFaultSIGKILLRedisCluster(t *testing.T) {
	t.Parallel()
	const partitions, rounds, perRound = 8, 3, 8_000
	addrs := testenv.StartRedisCluster(t, 3)
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { cc.Close() })
	e := newEnvOn(t, partitions, testenv.KafkaBrokers(t), addrs[0], cc)
	f := newFeed(t, 61)
	clusterEnv := "SOCIALPULSE_REDIS_ADDRS=" + joinAddrs(addrs) // three seeds: a cluster client

	seed := faultSeed(t)
	mid := e.killAtRandomPoints(t, f, rand.New(rand.NewPCG(seed, 6)), partitions, rounds, perRound, clusterEnv)
	if mid == 0 {
		t.Fatal("no kill landed with records unapplied; the test proves nothing")
	}
	p := e.startProcessor("final", clusterEnv)
	e.waitApplied(t, partitions, int64(f.produced), true, 3*time.Minute)
	p.stop(t)
	e.checkMatrix(t, f)
	e.checkAuthors(t, f) // on a cluster: sketches of several slots merged on one
	e.checkDLQ(t, f)

	// The matrix is spread over the nodes, not piled on one.
	for _, a := range addrs {
		node := redis.NewClient(&redis.Options{Addr: a})
		n, err := node.DBSize(context.Background()).Result()
		node.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("node %s holds %d keys", a, n)
		if n == 0 {
			t.Errorf("node %s holds no keys; the partitions' hash tags did not spread", a)
		}
	}
}
