package app

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/config"
)

const taxonomyV1 = `version: "1"
features:
  - id: checkout
    name: Checkout
    owner: web-team
    criticality: 5
    terms: [checkout]
`

const taxonomyV2 = taxonomyV1 + `  - id: payment
    name: Payment
    owner: payments-team
    criticality: 5
    terms: [payment]
`

// A taxonomy whose own example fails its check must be refused on reload.
const taxonomyBadExample = taxonomyV1 + `    examples:
      match: ["nothing to do with the feature"]
`

func testConfig(t *testing.T) config.Config {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "social.posts"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	mr := miniredis.RunT(t)
	cfg := config.Default()
	cfg.Kafka.Brokers = cluster.ListenAddrs()
	cfg.Redis.Addrs = []string{mr.Addr()}
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.ShutdownTimeout = 10 * time.Second
	return cfg
}

func TestReloadSwapsTaxonomyAndRefusesBadFiles(t *testing.T) {
	cfg := testConfig(t)
	path := filepath.Join(t.TempDir(), "taxonomy.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(taxonomyV1)
	cfg.Taxonomy.File = path
	reload := make(chan struct{})
	a, err := New(cfg, Options{Logger: zaptest.NewLogger(t), Reload: reload})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	features := func() int { return len(a.enricher.Tagger().Features()) }
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out: %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if features() != 1 {
		t.Fatalf("features = %d, want 1", features())
	}
	write(taxonomyV2)
	reload <- struct{}{}
	waitFor("reload to two features", func() bool { return features() == 2 })

	for _, bad := range []string{"features: [", taxonomyBadExample} {
		write(bad)
		reload <- struct{}{}
		reload <- struct{}{} // the loop has finished the first reload once it takes the second
		if features() != 2 {
			t.Fatalf("bad taxonomy %q was accepted: %d features", bad[:12], features())
		}
	}

	// The processor serves readiness once it has joined the group.
	waitFor("readiness", func() bool {
		resp, err := http.Get("http://" + a.Addr() + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	// Emerging-issue mining is mounted on the API.
	resp, err := http.Get("http://" + a.Addr() + "/api/v1/emerging")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/emerging: %d", resp.StatusCode)
	}
}

func TestNewRejectsAnInvalidTaxonomyFile(t *testing.T) {
	cfg := testConfig(t)
	cfg.Taxonomy.File = filepath.Join(t.TempDir(), "missing.yaml")
	if _, err := New(cfg, Options{}); err == nil {
		t.Fatal("missing taxonomy file accepted")
	}
}
