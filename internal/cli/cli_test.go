package cli

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLongDurationAcceptsDaysAndWeeks(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90m", 90 * time.Minute, true},
		{"24h", 24 * time.Hour, true},
		{"2d", 48 * time.Hour, true},
		{"1w", 7 * 24 * time.Hour, true},
		{"1w2d", 9 * 24 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"-1d", -24 * time.Hour, true},
		{"", 0, false},
		{"d", 0, false},
		{"2x", 0, false},
		{"2d3", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLongDuration(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("ParseLongDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestParseAnswersHelpAndBadFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantErr   error // nil: success
		wantUsage bool  // the usage is printed
		wantLine  string
	}{
		{"flags and arguments", []string{"--n", "3", "x"}, nil, false, ""},
		{"--help prints the usage", []string{"--help"}, flag.ErrHelp, true, ""},
		{"-h prints the usage", []string{"-h"}, flag.ErrHelp, true, ""},
		{"an unknown flag is one usage error", []string{"--teleport"}, ErrUsage, false, "flag provided but not defined: -teleport (see 'socialpulse thing --help')"},
		{"a bad value is one usage error", []string{"--n", "x"}, ErrUsage, false, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			fs := NewFlagSet("thing", "Usage: socialpulse thing [--n N]\n", &out)
			fs.Int("n", 1, "how many")
			err := Parse(fs, tt.args)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Parse = %v, want %v", err, tt.wantErr)
			}
			want := ""
			if tt.wantUsage {
				want = "Usage: socialpulse thing [--n N]\n  -n int\n    \thow many (default 1)\n"
			}
			if out.String() != want {
				t.Errorf("printed %q, want %q", out.String(), want)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantLine) {
				t.Errorf("error %q, want it to hold %q", err, tt.wantLine)
			}
		})
	}
}

func TestSplitIDTakesALeadingNonFlag(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantID   string
		wantRest int
	}{
		{"id first", []string{"s1", "--json"}, "s1", 1},
		{"flag first", []string{"--json", "s1"}, "", 2},
		{"nothing", nil, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, rest := SplitID(tt.args)
			if id != tt.wantID || len(rest) != tt.wantRest {
				t.Fatalf("SplitID(%q) = %q, %q", tt.args, id, rest)
			}
		})
	}
}

func TestTextReadsStdinForADash(t *testing.T) {
	tests := []struct {
		name, arg, stdin, want string
		max                    int64
	}{
		{"a text is itself", "checkout down", "ignored", "checkout down", 10},
		{"a dash reads stdin", "-", "from stdin", "from stdin", 100},
		{"stdin is cut at max", "-", "0123456789", "01234", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Text(tt.arg, strings.NewReader(tt.stdin), tt.max)
			if err != nil || got != tt.want {
				t.Fatalf("Text = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestTokenComesFromTheFileOrTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	full, empty := write("full", " file-token\n"), write("empty", "\n")
	t.Setenv("CLI_TEST_TOKEN", " env-token ")
	tests := []struct {
		name, file, want, wantErr string
	}{
		{"the environment without a file", "", "env-token", ""},
		{"the file over the environment", full, "file-token", ""},
		{"an empty file is an error", empty, "", "is empty"},
		{"a missing file is an error", filepath.Join(dir, "none"), "", "token file: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Token(tt.file, "CLI_TEST_TOKEN")
			if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Token = %q, %v; want %q, %q", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestHTTPURLWantsAnHTTPSchemeAndAHost(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"http://127.0.0.1:8080", true},
		{"https://grafana.example.com/sub", true},
		{"ftp://host", false},
		{"localhost:8080", false},
		{"http://", false},
		{"http://%zz", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if _, err := HTTPURL(tt.in); (err == nil) != tt.ok {
				t.Fatalf("HTTPURL(%q) = %v, want ok=%v", tt.in, err, tt.ok)
			}
		})
	}
}

func TestDispatch(t *testing.T) {
	const usage = "Usage: socialpulse group <a|b>\n"
	for _, tc := range []struct {
		name      string
		args      []string
		wantRan   string
		wantErr   error
		wantUsage bool
	}{
		{"a subcommand runs with the arguments after its name", []string{"b", "--x"}, "b --x", nil, false},
		{"no subcommand prints the usage and is a usage error", nil, "", ErrUsage, true},
		{"help prints the usage and is not an error", []string{"help"}, "", flag.ErrHelp, true},
		{"--help prints the usage and is not an error", []string{"--help"}, "", flag.ErrHelp, true},
		{"-h prints the usage and is not an error", []string{"-h"}, "", flag.ErrHelp, true},
		{"an unknown subcommand is a one-line usage error", []string{"teleport"}, "", ErrUsage, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ran string
			var stderr strings.Builder
			sub := func(name string) Sub {
				return Sub{Name: name, Run: func(a []string) error { ran = strings.Join(append([]string{name}, a...), " "); return nil }}
			}
			err := Dispatch(tc.args, usage, &stderr, sub("a"), sub("b"))
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if ran != tc.wantRan {
				t.Fatalf("ran %q, want %q", ran, tc.wantRan)
			}
			if got := stderr.String() == usage; got != tc.wantUsage {
				t.Fatalf("stderr %q, want the usage: %v", stderr.String(), tc.wantUsage)
			}
			if errors.Is(err, ErrUsage) && tc.args != nil && !strings.Contains(err.Error(), `"teleport"`) {
				t.Fatalf("error %q does not name the unknown subcommand", err)
			}
		})
	}
}

func TestOptionalFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    string
		wantErr bool
	}{
		{"no argument gives the default", nil, "-", false},
		{"one argument is the file", []string{"posts.jsonl"}, "posts.jsonl", false},
		{"two arguments are a usage error", []string{"a", "b"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			got, err := OptionalFile(fs, "-")
			if (err != nil) != tc.wantErr || (tc.wantErr && !errors.Is(err, ErrUsage)) || got != tc.want {
				t.Fatalf("got %q, %v; want %q, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
