package e2e

import (
	"testing"
	"time"
)

// TestExactlyOnceAcrossSIGKILL produces 50,000 posts (one in 50 malformed),
// kills the processor with SIGKILL while it is mid-stream, restarts it, and
// checks the matrix equals what was produced, cell by cell, and the
// dead-letter topic holds exactly the malformed records.
func TestExactlyOnceAcrossSIGKILL(t *testing.T) {
	const partitions, total = 4, 50_000
	e := newEnv(t, partitions)
	f := newFeed(t, 1)

	f.produce(t, e, total/2)
	p1 := e.startProcessor("first")
	// Kill it once it has applied part of the backlog, so it dies mid-stream.
	deadline := time.Now().Add(2 * time.Minute)
	for e.appliedRecords(t, partitions) < total/10 {
		if time.Now().After(deadline) {
			t.Fatalf("processor applied %d records in 2 minutes", e.appliedRecords(t, partitions))
		}
		time.Sleep(5 * time.Millisecond)
	}
	p1.kill()
	atKill := e.appliedRecords(t, partitions)
	t.Logf("SIGKILL after %d of %d produced records were applied", atKill, f.produced)
	if atKill >= int64(f.produced) {
		t.Fatalf("processor finished the backlog before the kill; the test proves nothing")
	}

	f.produce(t, e, total/2)
	p2 := e.startProcessor("restarted")
	e.waitApplied(t, partitions, int64(f.produced), true, 3*time.Minute)
	p2.stop(t)

	e.checkMatrix(t, f)
	e.checkAuthors(t, f)
	e.checkDLQ(t, f)
}

// TestExactlyOnceAcrossRebalances runs two processors in one group, adds a
// third mid-stream, removes one gracefully and kills another, and checks the
// matrix still equals what was produced.
func TestExactlyOnceAcrossRebalances(t *testing.T) {
	const partitions = 6
	e := newEnv(t, partitions)
	f := newFeed(t, 2)

	a := e.startProcessor("a")
	b := e.startProcessor("b")
	f.produce(t, e, 15_000)
	e.waitApplied(t, partitions, 5_000, false, 2*time.Minute) // both are working

	c := e.startProcessor("c") // joins: the group rebalances mid-stream
	f.produce(t, e, 15_000)
	e.waitApplied(t, partitions, 20_000, false, 2*time.Minute)

	b.stop(t) // leaves gracefully: rebalance
	f.produce(t, e, 10_000)
	a.kill() // dies: its partitions move once its session expires
	f.produce(t, e, 10_000)

	e.waitApplied(t, partitions, int64(f.produced), true, 3*time.Minute)
	c.stop(t)

	e.checkMatrix(t, f)
	e.checkAuthors(t, f)
	e.checkDLQ(t, f)
}
