package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/feature"
)

func TestTaxonomyLearn(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		args       []string
		wantErr    string  // "" for success
		wantMargin float64 // when >= 0, the model's margin
		wantReport string  // on stderr, the model being on stdout
	}{
		{"without --out the model goes to stdout and the report to stderr", nil, "", -1, "posts read"},
		{"--margin sets the model's margin", []string{"--margin", "3"}, "", 3, "margin: 3 (--margin"},
		{"--margin 0 is a margin", []string{"--margin", "0"}, "", 0, "margin: 0 (--margin"},
		{"a negative --margin is refused", []string{"--margin", "-1"}, "want a number >= 0", -1, ""},
		{"a --margin that is no number is refused", []string{"--margin", "high"}, "want a number >= 0", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append(append([]string{"learn"}, tt.args...), "testdata/fallback_history.jsonl")
			err := runTaxonomy(ctx, args, strings.NewReader(""), &out, &errb)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, errb.String())
			}
			fb, err := feature.LoadFallback(&out)
			if err != nil {
				t.Fatalf("stdout is not a model: %v", err)
			}
			if tt.wantMargin >= 0 && fb.Margin != tt.wantMargin {
				t.Errorf("margin %v, want %v", fb.Margin, tt.wantMargin)
			}
			if !strings.Contains(errb.String(), tt.wantReport) {
				t.Errorf("report %q, want it to hold %q", errb.String(), tt.wantReport)
			}
		})
	}
}
