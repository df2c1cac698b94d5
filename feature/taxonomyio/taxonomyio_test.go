package taxonomyio

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckCountsProblemsAndFailsOnAny(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   []string
		wantOut string
		wantErr string // "" means success
	}{
		{"the default taxonomy has no problems", []string{Default}, "1 taxonomy:", ""},
		{"a failing example is a problem", []string{"../testdata/failing_example.yaml"}, "failing_example.yaml", "problems"},
		{"an unreadable file is an error", []string{"../testdata/nope.yaml"}, "", "nope.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Check(&out, tc.files)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Fatalf("output %q, want it to hold %q", out.String(), tc.wantOut)
			}
		})
	}
}

func TestShowPrintsEachMode(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode ShowMode
		want string
	}{
		{"table ends with its legend", ShowTable, "EXAMPLES: match/no_match"},
		{"terms lists the terms", ShowTerms, "terms:"},
		{"yaml is the file itself", ShowYAML, "features:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Show(&out, Default, tc.mode); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Fatalf("output does not hold %q:\n%s", tc.want, out.String())
			}
		})
	}
}

func TestSuggestCountsPostsAndUnreadableLines(t *testing.T) {
	in := strings.Join([]string{
		`{"text":"checkout is broken again, the payment page hangs"}`,
		`{"text":"love the new jacket"}`,
		`not json`,
		`{"id":"no text"}`,
		``,
	}, "\n")
	for _, tc := range []struct {
		name                string
		negativeOnly        bool
		posts, examinedWant int
	}{
		{"all posts by default", false, 2, 2},
		{"negative posts only", true, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			o := SuggestOptions{Taxonomy: Default, NegativeOnly: tc.negativeOnly, JSON: true}
			if err := Suggest(context.Background(), strings.NewReader(in), &out, o); err != nil {
				t.Fatal(err)
			}
			var got struct {
				Posts    int `json:"posts"`
				Examined int `json:"examined"`
				Negative int `json:"negative"`
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Posts != tc.posts || got.Examined != tc.examinedWant || got.Negative != 1 {
				t.Fatalf("posts %d, examined %d, negative %d; want %d, %d and 1", got.Posts, got.Examined, got.Negative, tc.posts, tc.examinedWant)
			}
		})
	}
}

func TestSuggestApplyWritesATaxonomyThatLoads(t *testing.T) {
	out := filepath.Join(t.TempDir(), "applied.yaml")
	if err := Suggest(context.Background(), strings.NewReader(""), &bytes.Buffer{}, SuggestOptions{Taxonomy: Default, Apply: out}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(out); err != nil {
		t.Fatalf("the applied taxonomy does not load: %v", err)
	}
}
