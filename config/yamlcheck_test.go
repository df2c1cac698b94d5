package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadErrorsNameTheOptionByPathAndLine(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // substrings of the one error
	}{
		{"typo gets a suggestion", "kafka:\n  brokrs: [a:1]\n", []string{"line 2", "unknown option kafka.brokrs", "did you mean kafka.brokers?"}},
		{"unknown section", "kafak:\n  brokers: [a:1]\n", []string{"line 1", "unknown option kafak", "did you mean kafka?"}},
		{"nothing close", "kafka:\n  zzzzzzzz: 1\n", []string{"unknown option kafka.zzzzzzzz"}},
		{"word for a number", "kafka:\n  batch_size: lots\n", []string{"line 2", "kafka.batch_size: want a whole number", `"lots"`}},
		{"bad duration", "kafka:\n  linger: soon\n", []string{"kafka.linger: want a duration"}},
		{"list item type", "matrix:\n  windows: [5m, later]\n", []string{"matrix.windows[1]: want a duration"}},
		{"mapping for a scalar", "log:\n  level:\n    x: 1\n", []string{"log.level: want a string, got a mapping"}},
		{"bad bucket is one error", "matrix:\n  bucket: 7m\n", []string{"matrix.bucket"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path, nil)
			if err == nil {
				t.Fatal("want an error")
			}
			msg := err.Error()
			if strings.Count(msg, "\n") > 0 {
				t.Errorf("want one error, got several:\n%s", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestLoadAcceptsOneValueWhereAListIsMeant(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	yaml := "kafka:\n  brokers: 127.0.0.1:9092\nredis:\n  addrs: r1:6379, r2:6379\nmatrix:\n  windows: 15m\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Kafka.Brokers; len(got) != 1 || got[0] != "127.0.0.1:9092" {
		t.Errorf("brokers = %q", got)
	}
	if got := cfg.Redis.Addrs; len(got) != 2 || got[1] != "r2:6379" {
		t.Errorf("addrs = %q", got)
	}
	if got := cfg.Matrix.Windows; len(got) != 1 || got[0].String() != "15m0s" {
		t.Errorf("windows = %v", got)
	}
}
