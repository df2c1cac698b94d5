package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/app"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/testenv"
	"github.com/socialpulse/socialpulse/sentiment"
)

const e2eWriteToken = "analyst-token-0123456789abcdef"

// counterValue returns the value of counter name{result=result} in reg.
func counterValue(t *testing.T, reg *prometheus.Registry, name, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{result=%q}", name, result)
	return 0
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second) // a real consumer group joins in seconds
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// createTopic creates a one-partition topic on a real broker and waits
// until it has a leader.
func createTopic(t *testing.T, broker, name string) {
	t.Helper()
	conn, err := kafka.Dial("tcp", broker)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.CreateTopics(kafka.TopicConfig{Topic: name, NumPartitions: 1, ReplicationFactor: 1}); err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
	waitUntil(t, "topic "+name+" to have a leader", func() bool {
		parts, err := conn.ReadPartitions(name)
		return err == nil && len(parts) == 1 && parts[0].Leader.Host != ""
	})
}

// TestCorrectionTeachesTheProcessor goes the whole way: a correction posted
// through the API (sentiment correct) is stored and exported (sentiment
// export), sentiment adapt trains a model under which the post gets the
// corrected label, a processor reloaded with that model (SIGHUP) refuses a
// damaged file first and then labels the post as corrected, and the matrix
// counts the post exactly once.
func TestCorrectionTeachesTheProcessor(t *testing.T) {
	dir := t.TempDir()
	const text = "checkout is sick now" // slang praise the embedded model reads as negative
	before := sentiment.New().Score(text).Label
	corrected := sentiment.Positive
	if before == sentiment.Positive {
		corrected = sentiment.Negative
	}

	// The processor starts on a model file holding the embedded model.
	modelPath := filepath.Join(dir, "model.bin")
	var emb bytes.Buffer
	if _, err := sentiment.EmbeddedModel().WriteTo(&emb); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(modelPath, emb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tokens := filepath.Join(dir, "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("- {name: analyst, role: write, token: "+e2eWriteToken+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(e2eWriteToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A real broker and Redis (make test starts them), with this test's own
	// topic, group and key prefix.
	brokers := testenv.KafkaBrokers(t)
	redisAddr := testenv.RedisAddr(t)
	topic := testenv.UniqueName(t, "posts")
	createTopic(t, brokers[0], topic)
	createTopic(t, brokers[0], topic+".dlq")
	cfg := config.Default()
	cfg.Kafka.Brokers = brokers
	cfg.Kafka.Topic = topic
	cfg.Kafka.DLQTopic = topic + ".dlq"
	cfg.Kafka.Group = testenv.UniqueName(t, "group")
	cfg.Redis.Addrs = []string{redisAddr}
	cfg.Redis.KeyPrefix = testenv.UniqueName(t, "sp")
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.ShutdownTimeout = 10 * time.Second
	cfg.API.TokensFile = tokens
	cfg.Sentiment.ModelFile = modelPath
	reg := prometheus.NewRegistry()
	reload := make(chan struct{})
	a, err := app.New(cfg, app.Options{Logger: zaptest.NewLogger(t), Registry: reg, Reload: reload})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	base := "http://" + a.Addr()
	cli := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
			t.Fatalf("socialpulse %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
		return stdout.String()
	}

	// 1. Correct the post through the API.
	cli("sentiment", "correct", "--api", base, "--token-file", tokenFile, "--text", text, "--note", "sarcasm",
		"post-1", corrected.String())

	// 2. It is stored, with who and what it was.
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/corrections", nil)
	req.Header.Set("Authorization", "Bearer "+e2eWriteToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Corrections []correction.Correction }
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil || len(list.Corrections) != 1 {
		t.Fatalf("listed %+v (%v)", list, err)
	}
	if c := list.Corrections[0]; c.PostID != "post-1" || c.Label != corrected || c.Previous != before || c.Who != "analyst" || c.Note != "sarcasm" {
		t.Fatalf("stored %+v", c)
	}

	// 3. Export, then adapt on the corrections alone.
	exported := filepath.Join(dir, "corrections.jsonl")
	cli("sentiment", "export", "--api", base, "--token-file", tokenFile, "--out", exported)
	adapted := filepath.Join(dir, "adapted.bin")
	cli("sentiment", "adapt", "--corrections", exported, "--out", adapted)
	f, err := os.Open(adapted)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sentiment.LoadModel(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := sentiment.NewWithModel(m).Score(text).Label; got != corrected {
		t.Fatalf("adapted model labels the post %s, want %s", got, corrected)
	}

	// 4. A damaged file is refused on reload; the adapted one is taken.
	install := func(b []byte) {
		t.Helper()
		tmp := modelPath + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, modelPath); err != nil {
			t.Fatal(err)
		}
	}
	damaged := bytes.Clone(emb.Bytes())
	damaged[len(damaged)/2] ^= 0xff // the checksum no longer matches
	install(damaged)
	reload <- struct{}{}
	waitUntil(t, "the damaged model to be refused", func() bool {
		return counterValue(t, reg, "socialpulse_sentiment_model_reloads_total", "error") == 1
	})
	b, err := os.ReadFile(adapted)
	if err != nil {
		t.Fatal(err)
	}
	install(b)
	reload <- struct{}{}
	waitUntil(t, "the adapted model to load", func() bool {
		return counterValue(t, reg, "socialpulse_sentiment_model_reloads_total", "ok") == 1
	})

	// 5. The post, now processed, is counted once, as corrected.
	now := time.Now().UTC()
	post, _ := json.Marshal(map[string]any{"id": "post-1", "text": text, "lang": "en", "created_at": now.Format(time.RFC3339)})
	cl, err := kgo.NewClient(kgo.SeedBrokers(cfg.Kafka.Brokers...), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Key: []byte("post-1"), Value: post}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	var total, feature impactmatrix.Row
	waitUntil(t, "the post to be counted", func() bool {
		bs, err := a.Store().Series(ctx, now.Add(-time.Hour), now.Add(time.Hour))
		if err != nil {
			return false
		}
		total, feature = impactmatrix.Row{}, impactmatrix.Row{}
		for _, mx := range bs.Matrix {
			for id, r := range mx.Rows {
				for k := range r {
					total[k].Count += r[k].Count
					if id == "checkout" {
						feature[k].Count += r[k].Count
					}
				}
			}
		}
		return total.Total().Count > 0
	})
	time.Sleep(2 * time.Second) // a second count would land by now
	bs, err := a.Store().Series(ctx, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, mx := range bs.Matrix {
		for _, r := range mx.Rows {
			n += r.Total().Count
		}
	}
	if n != 1 || feature[corrected].Count != 1 {
		t.Fatalf("matrix: %d posts counted, checkout row %+v; want the post once, as %s", n, feature, corrected)
	}
}
