package cliout

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/api/spikes"
)

func TestOneLineFlattensFiltersAndCuts(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"short text is kept", "disk full", 10, "disk full"},
		{"white space becomes one space", "a\n\tb   c", 10, "a b c"},
		{"escape sequences are removed", "a\x1b[2Jb", 10, "ab"},
		{"long text ends in an ellipsis", "abcdefghij", 5, "abcd…"},
		{"characters are counted, not bytes", "ééééé", 5, "ééééé"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OneLine(tc.in, tc.n); got != tc.want {
				t.Fatalf("OneLine(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

func TestSparklineScalesToThePeak(t *testing.T) {
	ps := func(ns ...int64) []spikes.TimelinePoint {
		var out []spikes.TimelinePoint
		for _, n := range ns {
			out = append(out, spikes.TimelinePoint{Negative: n})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		ps   []spikes.TimelinePoint
		peak int64
		want string
	}{
		{"zero is a blank", ps(0, 7), 7, " █"},
		{"no peak draws blanks", ps(0, 0), 0, "  "},
		{"levels between", ps(1, 4, 7), 7, "▂▅█"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sparkline(tc.ps, tc.peak); got != tc.want {
				t.Fatalf("sparkline = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWriteFileWritesWholeOrNothing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		write   func(io.Writer) error
		wantErr string
		want    string // the file's content; "" means no file
	}{
		{"written and renamed", func(w io.Writer) error { _, err := io.WriteString(w, "a,b\n"); return err }, "", "a,b\n"},
		{"a failed write leaves no file", func(w io.Writer) error {
			_, _ = io.WriteString(w, "half")
			return errors.New("broken pipe")
		}, "export: broken pipe", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.csv")
			n, err := WriteFile(path, ".spikes-*.csv", "export", tc.write)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			b, rerr := os.ReadFile(path)
			if tc.want == "" {
				if !errors.Is(rerr, os.ErrNotExist) {
					t.Fatalf("file exists after a failure: %q", b)
				}
			} else if string(b) != tc.want || n != int64(len(tc.want)) {
				t.Fatalf("file %q (%d bytes reported), want %q", b, n, tc.want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) > 1 || (tc.want == "" && len(ents) != 0) {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Fatalf("temporary files left: %s", strings.Join(names, " "))
			}
		})
	}
}
