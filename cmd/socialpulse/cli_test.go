package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// helpTargets lists every command and subcommand; TestEveryCommandAnswersHelp
// fails when a top-level command is missing from it.
var helpTargets = [][]string{
	{"run"}, {"demo"}, {"replay"}, {"score"},
	{"taxonomy"}, {"taxonomy", "check"}, {"taxonomy", "show"}, {"taxonomy", "suggest"}, {"taxonomy", "learn"},
	{"eval"}, {"eval", "sentiment"}, {"eval", "aspects"}, {"eval", "nab"}, {"eval", "surges"}, {"eval", "corrections"}, {"eval", "tagging"},
	{"backtest"},
	{"dashboards"}, {"dashboards", "push"},
	{"spikes"}, {"spikes", "list"}, {"spikes", "show"}, {"spikes", "export"}, {"spikes", "note"},
	{"incidents"}, {"incidents", "list"}, {"incidents", "show"}, {"incidents", "milestone"}, {"incidents", "report"},
	{"sentiment"}, {"sentiment", "adapt"}, {"sentiment", "correct"}, {"sentiment", "export"},
}

func TestEveryCommandAnswersHelp(t *testing.T) {
	covered := map[string]bool{}
	for _, target := range helpTargets {
		covered[target[0]] = true
	}
	for _, c := range commands() {
		if !covered[c.name] {
			t.Errorf("command %q has no entry in helpTargets", c.name)
		}
	}
	for _, target := range helpTargets {
		for _, flag := range []string{"--help", "-h"} {
			args := append(append([]string{}, target...), flag)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(args, nil, &stdout, &stderr)
				if code != 0 {
					t.Fatalf("exit %d, want 0\n%s", code, stderr.String())
				}
				help := stderr.String()
				if !strings.HasPrefix(help, "Usage:") || !strings.Contains(help, "socialpulse "+target[0]) {
					t.Fatalf("help does not start with a usage line naming the command:\n%s", help)
				}
			})
		}
	}
}

func TestTopUsageListsEveryCommandOnce(t *testing.T) {
	var listed []string
	for _, l := range strings.Split(usageText("socialpulse"), "\n") {
		if f := strings.Fields(l); strings.HasPrefix(l, "  ") && len(f) > 1 {
			listed = append(listed, f[0])
		}
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if !slices.Equal(listed, names) {
		t.Fatalf("usage/socialpulse.txt lists %q, want the commands %q in that order", listed, names)
	}
}

func TestUsageErrorsExitTwoWithOneLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown command", []string{"teleport"}},
		{"unknown eval target", []string{"eval", "teleport"}},
		{"unknown flag", []string{"score", "--teleport"}},
		{"bad since", []string{"spikes", "list", "--since", "soon"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, nil, &stdout, &stderr); code != 2 {
				t.Fatalf("exit %d, want 2\n%s", code, stderr.String())
			}
		})
	}
}

func TestVersionPrintsReleaseAndCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "socialpulse")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("--version: %v", err)
	}
	got := string(out)
	if strings.Contains(got, "commit unknown") && os.Getenv("CI") == "" {
		// go build stamps the commit from a plain clone; some checkouts
		// (a git worktree) are not recognised. CI's fresh clone always is.
		t.Skipf("go build did not stamp the commit in this checkout: %q", got)
	}
	if !strings.HasPrefix(got, "socialpulse ") || !strings.Contains(got, "commit "+string(head[:12])) {
		t.Fatalf("--version = %q, want the version and commit %s", got, head[:12])
	}
}

func TestSecondDemoOnTheSamePortSaysSoInOneLine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a demo")
	}
	verifyNoLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	first := make(chan int, 1)
	go func() {
		var out, errb bytes.Buffer
		first <- run([]string{"demo", "--listen", addr, "--backfill", "1m", "--rate", "10", "--duration", "10s"}, nil, &out, &errb)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("first demo never listened on %s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}

	var stdout, stderr bytes.Buffer
	code := run([]string{"demo", "--listen", addr, "--backfill", "1m", "--duration", "1s"}, nil, &stdout, &stderr)
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	last := lines[len(lines)-1]
	if code == 0 || !strings.HasPrefix(last, "socialpulse demo: ") || !strings.Contains(last, addr) || !strings.Contains(last, "in use") {
		t.Fatalf("second demo: exit %d, last line %q; want non-zero and one line naming %s\n%s", code, last, addr, stderr.String())
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Fatalf("second demo panicked:\n%s", stderr.String())
	}
	if got := <-first; got != 0 {
		t.Fatalf("first demo exited %d", got)
	}
}
