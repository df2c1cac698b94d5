package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScoreCommandArguments(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "posts.jsonl")
	if err := os.WriteFile(file, []byte(`{"id":7,"text":"search is broken"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		stdin   string
		wantOut string // prefix of stdout
		wantErr string // substring; "" means success
	}{
		{name: "reads a file", args: []string{file}, wantOut: `{"id":"7",`},
		{name: "reads stdin with -", args: []string{"-"}, stdin: `{"id":"s","text":"hi"}`, wantOut: `{"id":"s",`},
		{name: "reads stdin by default", stdin: `{"id":"d","text":"hi"}`, wantOut: `{"id":"d",`},
		{name: "missing file fails", args: []string{filepath.Join(dir, "nope.jsonl")}, wantErr: "nope.jsonl"},
		{name: "bad taxonomy fails", args: []string{"--taxonomy", filepath.Join(dir, "nope.yaml"), file}, wantErr: "taxonomy"},
		{name: "two files is a usage error", args: []string{file, file}, wantErr: "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := runScore(context.Background(), tt.args, strings.NewReader(tt.stdin), &out, &errb)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want error containing %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), tt.wantOut) {
				t.Errorf("stdout %q, want prefix %q", out.String(), tt.wantOut)
			}
		})
	}
}
