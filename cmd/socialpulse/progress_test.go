package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestProgressIsKeptOutOfTheResults(t *testing.T) {
	dir := t.TempDir()
	open := func(name string) *os.File {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	out, errf := open("out"), open("err")
	same, err := os.OpenFile(filepath.Join(dir, "out"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer same.Close()
	var buf bytes.Buffer
	for _, tt := range []struct {
		name           string
		stdout, stderr io.Writer
		wantScore      bool
		wantRead       bool
	}{
		{"results and progress to different files", out, errf, true, true},
		{"stdout and stderr the same file (> out 2>&1)", out, same, false, false},
		{"writers that are not files", &buf, &bytes.Buffer{}, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			so, se := tt.stdout, tt.stderr
			if got := outputProgress(so, se, 0, "score", "scored") != nil; got != tt.wantScore {
				t.Errorf("score shows progress: %v, want %v", got, tt.wantScore)
			}
			if got := readProgress(so, se, 0, 0, "taxonomy suggest", "posts") != nil; got != tt.wantRead {
				t.Errorf("suggest shows progress: %v, want %v", got, tt.wantRead)
			}
		})
	}
}
