package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/help")

// helpGoldenCases lists the invocations whose whole output is kept in
// testdata/help: every command's and subcommand's help, each command group
// without a subcommand, with an unknown one and with "help", and every
// leaf command with an unknown flag.
func helpGoldenCases() [][]string {
	cases := [][]string{{}, {"--help"}, {"-h"}, {"help"}, {"teleport"}}
	for _, target := range helpTargets {
		cases = append(cases, append(append([]string{}, target...), "--help"))
		if len(target) == 1 && hasSubcommands(target[0]) {
			cases = append(cases, target, append(append([]string{}, target...), "teleport"),
				append(append([]string{}, target...), "help"))
			continue
		}
		cases = append(cases, append(append([]string{}, target...), "--no-such-flag"))
	}
	return cases
}

// hasSubcommands reports whether the command name takes a subcommand.
func hasSubcommands(name string) bool {
	for _, target := range helpTargets {
		if len(target) > 1 && target[0] == name {
			return true
		}
	}
	return false
}

// helpGoldenEnv is every environment variable a flag's default or a usage
// text reads; the golden files are made without them.
var helpGoldenEnv = []string{
	"SOCIALPULSE_API_URL", "SOCIALPULSE_API_TOKEN", "SOCIALPULSE_GRAFANA_TOKEN", "SOCIALPULSE_CONFIG",
	"SOCIALPULSE_KAFKA_BROKERS", "SOCIALPULSE_KAFKA_TOPIC",
}

func TestHelpAndUsageErrorsMatchTheGoldenFiles(t *testing.T) {
	for _, k := range helpGoldenEnv {
		t.Setenv(k, "")
	}
	want := map[string]bool{}
	for _, args := range helpGoldenCases() {
		name := goldenName(args)
		want[name+".txt"] = true
		t.Run(name, func(t *testing.T) {
			got := invoke(args)
			path := filepath.Join("testdata", "help", name+".txt")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run: go test ./cmd/socialpulse -run TestHelpAndUsageErrorsMatchTheGoldenFiles -update)", err)
			}
			if got != string(b) {
				t.Fatalf("output differs from %s\n--- got\n%s\n--- want\n%s", path, got, b)
			}
			// "-h" is the same request as "--help".
			if len(args) > 0 && args[len(args)-1] == "--help" {
				short := append(append([]string{}, args[:len(args)-1]...), "-h")
				if h := invoke(short); strings.TrimPrefix(h, goldenHeader(short)) != strings.TrimPrefix(got, goldenHeader(args)) {
					t.Fatalf("%q answers differently from %q:\n%s", short, args, h)
				}
			}
		})
	}
	if *updateGolden {
		return
	}
	files, err := filepath.Glob(filepath.Join("testdata", "help", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !want[filepath.Base(f)] {
			t.Errorf("%s belongs to no case; remove it", f)
		}
	}
}

// invoke runs the command line args and returns a transcript: the command
// line, the exit status, stdout and stderr.
func invoke(args []string) string {
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	return fmt.Sprintf("%sexit %d\n-- stdout --\n%s-- stderr --\n%s", goldenHeader(args), code, stdout.String(), stderr.String())
}

func goldenHeader(args []string) string {
	return "$ " + strings.Join(append([]string{"socialpulse"}, args...), " ") + "\n"
}

// goldenName is the file name (without .txt) of the case args.
func goldenName(args []string) string {
	return strings.Join(append([]string{"socialpulse"}, args...), "_")
}
