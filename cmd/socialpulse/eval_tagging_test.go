package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// macroRow returns the "macro F1" row of an eval tagging table.
func macroRow(t *testing.T, out string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| macro F1, features |") {
			return l
		}
	}
	t.Fatalf("no macro F1 row in:\n%s", out)
	return ""
}

func TestEvalTaggingScoresTheProcessorsOwnTagsPerfectly(t *testing.T) {
	// score's output, read back as the labels, is what the tagger finds:
	// every feature's precision and recall are 1.
	posts, err := os.ReadFile(filepath.Join("testdata", "same_posts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var scored, errb bytes.Buffer
	if err := runScore(context.Background(), nil, bytes.NewReader(posts), &scored, &errb); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runEvalTagging(context.Background(), []string{"--errors", "10"}, &scored, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if errb.Len() > 0 {
		t.Errorf("missed or spurious features:\n%s", errb.String())
	}
	if row := macroRow(t, out.String()); !strings.Contains(row, "1.000") {
		t.Errorf("macro F1 row %q, want 1.000", row)
	}
	if !strings.Contains(out.String(), "| checkout |") {
		t.Errorf("no checkout row in:\n%s", out.String())
	}
}

func TestEvalTaggingCommand(t *testing.T) {
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "labels.csv")
	if err := os.WriteFile(csvFile, []byte("text,reason\n\"checkout keeps failing\",checkout\n\"my parcel never came\",delivery\nlovely day,\n\"refund please\",refunds_typo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantOut    []string // substrings of stdout
		wantStderr string
		wantErr    string
	}{
		{
			name:    "csv by its extension, a label column by name",
			args:    []string{"--label-column", "reason", csvFile},
			wantOut: []string{"| checkout | 1 | 1 | 1.000 | 1.000 | 1.000 |", "| delivery | 1 |"},
			// a label the taxonomy lacks is named, and counts as missed
			wantStderr: `label "refunds_typo" (1 posts) is no feature of the taxonomy`,
		},
		{
			name:    "jsonl from stdin",
			stdin:   `{"text":"the search is broken","feature":"search"}` + "\n" + `{"text":"nice","features":[]}`,
			wantOut: []string{"| search | 1 | 1 | 1.000 |", "2 sentences"},
		},
		{
			name: "a label may be a feature's name or its id in another case",
			stdin: `{"text":"the search is broken","feature":"Search"}` + "\n" + `{"text":"checkout keeps failing","features":["CHECKOUT"]}` + "\n" +
				`{"text":"i cannot log in","feature":"Login and Account Access"}`,
			wantOut: []string{"| search | 1 | 1 | 1.000 |", "| checkout | 1 | 1 | 1.000 |", "| login | 1 | 1 | 1.000 |"},
		},
		{name: "csv without the label column", args: []string{csvFile}, wantErr: `no label column "feature"`},
		{name: "bad format is a usage error", args: []string{"--format", "xml", csvFile}, wantErr: "usage"},
		{name: "negative errors is a usage error", args: []string{"--errors", "-1", csvFile}, wantErr: "usage"},
		{name: "two files is a usage error", args: []string{csvFile, csvFile}, wantErr: "usage"},
		{name: "no posts fails", stdin: "\n", wantErr: "no labelled posts"},
		{name: "bad line fails naming it", stdin: "{\"text\":\"a\"}\nnope\n", wantErr: "line 2"},
		{name: "missing taxonomy fails", args: []string{"--taxonomy", filepath.Join(dir, "nope.yaml"), csvFile}, wantErr: "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := runEvalTagging(context.Background(), tt.args, strings.NewReader(tt.stdin), &out, &errb)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want error containing %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			if !strings.Contains(errb.String(), tt.wantStderr) {
				t.Errorf("stderr %q, want %q", errb.String(), tt.wantStderr)
			}
		})
	}
}
