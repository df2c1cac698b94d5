package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/pipeline"
)

// With taxonomy.fallback_model set, the processor writes to its enriched
// topic what "socialpulse score --fallback-model" prints for the same
// posts: the same features, the inferred ones marked, and the same
// sentiment.
func TestRunAndScoreAgreeWithTheFallbackModelOn(t *testing.T) {
	e := newEnv(t, 1) // one partition: the enriched copies keep the input's order
	scored := e.prefix + ".scored"
	e.createTopic(scored, 1)
	dir := t.TempDir()
	bin := binary(t)

	model := filepath.Join(dir, "fallback.json")
	if out, err := exec.Command(bin, "taxonomy", "learn", "--out", model, "../cmd/socialpulse/testdata/fallback_history.jsonl").CombinedOutput(); err != nil {
		t.Fatalf("taxonomy learn: %v\n%s", err, out)
	}

	// The shared posts file, counted now (its own dates are past the
	// matrix retention).
	src, err := os.ReadFile("../cmd/socialpulse/testdata/same_posts.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	base := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Second)
	var lines [][]byte
	for i, line := range bytes.Split(bytes.TrimSpace(src), []byte("\n")) {
		var v map[string]any
		if err := json.Unmarshal(line, &v); err != nil {
			t.Fatal(err)
		}
		v["created_at"] = base.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, b)
	}
	posts := filepath.Join(dir, "posts.jsonl")
	if err := os.WriteFile(posts, append(bytes.Join(lines, []byte("\n")), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, l := range lines {
		if err := e.produceRecord(e.topic, 0, &nastyCase{key: fmt.Sprint(i), value: l}); err != nil {
			t.Fatal(err)
		}
	}

	p := e.startProcessor("fallback", "SOCIALPULSE_TAXONOMY_FALLBACK_MODEL="+model,
		"SOCIALPULSE_KAFKA_ENABLE_SCORED=true", "SOCIALPULSE_KAFKA_SCORED_TOPIC="+scored)
	e.waitApplied(t, 1, int64(len(lines)), true, 45*time.Second)
	var run []pipeline.ScoredPost
	for _, m := range e.readTopic(t, scored) {
		var sp pipeline.ScoredPost
		if err := json.Unmarshal(m.Value, &sp); err != nil {
			t.Fatal(err)
		}
		sp.Source = pipeline.ScoredSource{}
		run = append(run, sp)
	}
	p.stop(t)

	out, err := exec.Command(bin, "score", "--fallback-model", model, posts).Output()
	if err != nil {
		t.Fatalf("score: %v", err)
	}
	var score []pipeline.ScoredPost
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var sp pipeline.ScoredPost
		if err := json.Unmarshal(sc.Bytes(), &sp); err != nil {
			t.Fatalf("score line %q: %v", sc.Text(), err)
		}
		score = append(score, sp)
	}

	inferred := 0
	for _, sp := range score {
		for _, f := range sp.Features {
			if f.Inferred {
				inferred++
			}
		}
	}
	if inferred == 0 {
		t.Fatalf("no feature inferred: the model does not exercise the fallback\n%s", out)
	}
	if len(run) != len(score) {
		t.Fatalf("the processor wrote %d enriched posts, score %d", len(run), len(score))
	}
	for i := range run {
		if !reflect.DeepEqual(run[i], score[i]) {
			t.Errorf("post %d:\nrun:   %+v\nscore: %+v", i, run[i], score[i])
		}
	}
	t.Logf("%d posts, %d inferred features, the same in run and score", len(run), inferred)
}
