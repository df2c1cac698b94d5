package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDemoCommandRunsForItsDurationAndSaysWhereToLook(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo for a few seconds")
	}
	verifyNoLeaks(t)
	var stdout, stderr bytes.Buffer
	err := runDemo(context.Background(), []string{
		"--listen", "127.0.0.1:0", "--duration", "3s", "--rate", "100",
		"--backfill", "10m", "--incident-after", "1s", "--report-every", "1s",
	}, nil, &stdout, &stderr)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr.String())
	}
	logs := stderr.String()
	for _, want := range []string{"/api/v1/matrix?window=15m", "/metrics", "/readyz", "negative posts by feature", "demo stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestDemoCommandRefusesBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"zero rate", []string{"--rate", "0"}, "usage"},
		{"negative duration", []string{"--duration", "-1s"}, "usage"},
		{"stray argument", []string{"now"}, "usage"},
		{"unknown incident feature", []string{"--listen", "127.0.0.1:0", "--incident-feature", "teleport"}, "teleport"},
		{"bad log level", []string{"--log-level", "loud"}, "loud"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := runDemo(context.Background(), tt.args, nil, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want error containing %q, got %v", tt.want, err)
			}
		})
	}
}
