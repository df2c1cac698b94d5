package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

func TestTaxonomyHistoryFlagsRefuseAFileWithKafka(t *testing.T) {
	for _, sub := range []string{"suggest", "learn"} {
		err := runTaxonomy(context.Background(), []string{sub, "--kafka", "posts.jsonl"}, nil, &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.Is(err, cli.ErrUsage) || !strings.Contains(err.Error(), "give no FILE") {
			t.Errorf("%s --kafka FILE: %v, want a usage error", sub, err)
		}
	}
}

// TestTaxonomySuggestAndLearnReadTheInputTopic reads the history from a
// real broker's topic, named by the processor's configuration (env), the
// way a user runs them beside a running processor.
func TestTaxonomySuggestAndLearnReadTheInputTopic(t *testing.T) {
	brokers := testenv.KafkaBrokers(t)
	topic := testenv.UniqueName(t, "history")
	createTopic(t, brokers[0], topic)
	t.Setenv("SOCIALPULSE_CONFIG", "")
	t.Setenv("SOCIALPULSE_KAFKA_BROKERS", strings.Join(brokers, ","))
	t.Setenv("SOCIALPULSE_KAFKA_TOPIC", topic)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: topic, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	texts := []string{
		"checkout failed again, the promo code spinner never stops",
		"cannot checkout, promo code rejected and the spinner hangs",
		"checkout broken: promo code error, spinner forever",
	}
	var msgs []kafka.Message
	old := time.Now().Add(-30 * 24 * time.Hour)
	for i := range 60 {
		at := time.Now().Add(-time.Hour)
		if i < 6 { // a month old: outside the default week
			at = old
		}
		// One record pretty-printed over several lines, as a producer may
		// write it: it is one post all the same.
		v, _ := json.MarshalIndent(map[string]string{"id": fmt.Sprint(i), "text": texts[i%len(texts)]}, "", "  ")
		msgs = append(msgs, kafka.Message{Value: v, Time: at})
	}
	msgs = append(msgs, kafka.Message{Value: []byte("not json\nat all"), Time: time.Now()})
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	if err := runTaxonomy(ctx, []string{"suggest", "--kafka", "--json"}, nil, &out, &errb); err != nil {
		t.Fatalf("suggest --kafka: %v\n%s", err, errb.String())
	}
	var res struct{ Posts, Examined int }
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("suggest output: %v\n%s", err, out.String())
	}
	if res.Posts != 54 {
		t.Errorf("suggest read %d posts, want the 54 of the last week (and not the line that is no JSON)", res.Posts)
	}

	learnFromHistory(ctx, t, []string{"--kafka", "--since", "2400h", "--max-posts", "40"}, 40)
}

// learnFromHistory runs taxonomy learn with the history flags given and
// checks that it read want posts and wrote the model.
func learnFromHistory(ctx context.Context, t *testing.T, history []string, want int) {
	t.Helper()
	model := filepath.Join(t.TempDir(), "model.json")
	var out, errb bytes.Buffer
	if err := runTaxonomy(ctx, append(append([]string{"learn"}, history...), "--out", model), nil, &out, &errb); err != nil {
		t.Fatalf("learn %q: %v\n%s", history, err, errb.String())
	}
	if line := fmt.Sprintf("%d posts read (0 unreadable lines)", want); !strings.Contains(out.String(), line) {
		t.Errorf("learn %q report %q, want %q", history, out.String(), line)
	}
	if _, err := os.Stat(model); err != nil {
		t.Error(err)
	}
}
