package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/internal/cli"
)

func TestTaxonomyCheck(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("features:\n  - id: cart\n    criticality: 9\n    terms: [cart]\n    examples: {match: [trolley]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	weak := filepath.Join(dir, "weak.yaml")
	if err := os.WriteFile(weak, []byte("features:\n  - id: late_order\n  - id: bad_order\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		want    []string
	}{
		{"default with no file", []string{"check"}, false, []string{"1 taxonomy: 15 features", "0 problems"}},
		{"default by name", []string{"check", "default"}, false, []string{"0 problems"}},
		{"repository taxonomies", []string{"check", "default", "../../taxonomies/semeval-restaurants.yaml", "../../taxonomies/semeval-laptops.yaml"}, false,
			[]string{"3 taxonomies", "0 problems"}},
		{"bad file names file, line and field", []string{"check", bad}, true,
			[]string{bad + ":3: features[0].criticality: must be 1..5, got 9", "1 problems"}},
		{"a feature that can match only its whole name is a warning, not a problem", []string{"check", weak}, false,
			[]string{weak + ":3: features[1].name: warning: bad_order has no terms", "0 problems, 1 warning\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runTaxonomy(context.Background(), tt.args, nil, &out, &errOut)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v\n%s", err, tt.wantErr, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestTaxonomyCheckFailingExample(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.yaml")
	if err := os.WriteFile(path, []byte("features:\n  - id: cart\n    terms: [cart]\n    examples: {match: [trolley]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runTaxonomy(context.Background(), []string{"check", path}, nil, &out, &out); err == nil {
		t.Fatal("check passed a taxonomy whose example fails")
	}
	if want := path + ":4: features[0].examples.match[0]: cart does not match \"trolley\""; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
}

func TestTaxonomyShow(t *testing.T) {
	var out bytes.Buffer
	if err := runTaxonomy(context.Background(), []string{"show"}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"ID", "CRIT", "OWNER", "checkout", "payments-team"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("show output lacks %q:\n%s", w, out.String())
		}
	}
	out.Reset()
	if err := runTaxonomy(context.Background(), []string{"show", "--yaml"}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "features:") {
		t.Error("show --yaml does not print the default taxonomy")
	}
}

func TestTaxonomyUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"show", "a", "b"}, {"suggest", "--method", "bogus"}, {"suggest", "--rounds", "-1"}} {
		var out bytes.Buffer
		if err := runTaxonomy(context.Background(), args, nil, &out, &out); !errors.Is(err, cli.ErrUsage) {
			t.Errorf("runTaxonomy(%q) = %v, want a usage error", args, err)
		}
	}
}
