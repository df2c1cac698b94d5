package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const adaptCorrections = `{"id":"1-a","postId":"p1","text":"checkout is sick now","label":"positive","previous":"negative","who":"pr","when":"2026-03-01T00:00:00Z"}
{"id":"1-b","postId":"p2","text":"Great, my flight got moved again","label":"negative","previous":"positive","who":"pr","when":"2026-03-01T00:00:01Z"}

{"id":"1-c","postId":"p1","text":"checkout is sick now","label":"positive","previous":"negative","who":"it","when":"2026-03-01T00:00:02Z"}
`

func TestAdaptIsReproducibleAndRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "c.jsonl")
	if err := os.WriteFile(in, []byte(adaptCorrections), 0o600); err != nil {
		t.Fatal(err)
	}
	adaptTo := func(out string, extra ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"sentiment", "adapt", "--corrections", in, "--out", out}, extra...), nil, &stdout, &stderr)
		return code, stderr.String()
	}
	a, b := filepath.Join(dir, "a.bin"), filepath.Join(dir, "b.bin")
	for _, out := range []string{a, b} {
		if code, stderr := adaptTo(out); code != 0 {
			t.Fatalf("adapt: exit %d: %s", code, stderr)
		}
	}
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if len(ab) == 0 || !bytes.Equal(ab, bb) {
		t.Fatalf("two runs wrote different models (%d and %d bytes)", len(ab), len(bb))
	}
	if code, _ := adaptTo(b, "--seed", "2"); code != 0 {
		t.Fatal("adapt with another seed failed")
	}

	cases := []struct {
		name, file string
		args       []string
	}{
		{"an export cut short", adaptCorrections + `{"error":"the store could not be read; export incomplete"}` + "\n", nil},
		{"an unscored label", strings.Replace(adaptCorrections, `"label":"positive"`, `"label":"unscored"`, 1), nil},
		{"not JSON", "post,label\n", nil},
		{"no corrections", "\n", nil},
		{"a zero weight", adaptCorrections, []string{"--weight", "0"}},
		{"missing data dir", adaptCorrections, []string{"--data", filepath.Join(dir, "missing")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(in, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "m.bin")
			if code, _ := adaptTo(out, tc.args...); code == 0 {
				t.Fatal("adapt accepted it")
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("a refused adapt wrote a model")
			}
		})
	}
}
