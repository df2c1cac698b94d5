package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/synth"
)

// The end-to-end runs that measure the fallback model: with it on, between
// two runs without it.
const (
	plainBefore = "socialpulse, before the fallback run"
	fallbackRun = "socialpulse + fallback"
	plainAfter  = "socialpulse, after the fallback run"
)

// learnPosts is how many synthetic posts, of another seed than the
// benchmark topic's, the fallback model learns from.
const learnPosts = 100_000

// learnFallback writes learnPosts synthetic posts (seed 7; the topic's are
// seed 42) as JSONL and runs `socialpulse taxonomy learn` on them with the
// default taxonomy, as a user turns the fallback on, and returns the
// model's absolute path and the line of its report that says how many of
// the posts no term matched the model tags.
func learnFallback(ctx context.Context, bin, work string) (model, tags string, err error) {
	posts := filepath.Join(work, "learn.jsonl")
	f, err := os.Create(posts)
	if err != nil {
		return "", "", err
	}
	bw := bufio.NewWriter(f)
	g := synth.New(7)
	t := time.Now().Add(-time.Hour)
	for i := range learnPosts {
		bw.Write(g.JSON(t.Add(time.Duration(i) * 36 * time.Millisecond)))
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return "", "", err
	}
	if err := f.Close(); err != nil {
		return "", "", err
	}
	model = filepath.Join(work, "fallback-model.json")
	logf("%s taxonomy learn --out %s %s (%d synthetic posts, seed 7)", bin, model, posts, learnPosts)
	cmd := exec.CommandContext(ctx, bin, "taxonomy", "learn", "--out", model, posts)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", "", fmt.Errorf("taxonomy learn: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "the model tags") {
			tags, _, _ = strings.Cut(strings.TrimSpace(line), " (")
		}
	}
	return model, tags, nil
}
