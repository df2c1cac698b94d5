package testenv

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// EnvCI is set by CI runners. CI always has the dev data, so there a test
// whose data is missing fails instead of skipping.
const EnvCI = "CI"

// DevData returns the dev data directory, shared/data beside the
// repository (../shared/data from the repository root), after checking that
// each path in need exists inside it. If one does not, the test is skipped
// with a message naming it, or fails when CI is set: a CI run must never go
// green by skipping the evaluations.
func DevData(t testing.TB, need ...string) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		missingData(t, err.Error())
		return ""
	}
	return devData(t, filepath.Join(root, "..", "shared", "data"), need...)
}

func devData(t testing.TB, dir string, need ...string) string {
	t.Helper()
	for _, n := range need {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			missingData(t, "dev data not found: "+err.Error())
			return ""
		}
	}
	return dir
}

// inCI reports whether CI is set (to anything but "", "0" or "false").
func inCI() bool {
	v := strings.TrimSpace(os.Getenv(EnvCI))
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

func missingData(t testing.TB, msg string) {
	t.Helper()
	if inCI() {
		t.Fatalf("%s (%s is set, and CI always has the dev data)", msg, EnvCI)
		return
	}
	t.Skip(msg + " (the test runs, and must pass, wherever the data is present; see ../shared/data/README.md)")
}

// repoRoot is the nearest directory at or above the working directory (a
// test's package directory) holding a go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory")
		}
		dir = parent
	}
}
