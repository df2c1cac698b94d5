package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// This file holds the conventions every subcommand shares: how help is
// printed, how durations are read, and how the build identifies itself.
//
//   - "-h", "--help" and "help" print the command's usage to stderr and exit 0.
//   - A bad flag or argument is a usage error (usageErrorf): one line naming
//     it on stderr and exit status 2.
//   - Any other failure prints one line, "socialpulse <command>: <error>",
//     and exits 1.

// newFlags returns a flag set for "socialpulse <name>" whose usage text is
// the synopsis line, a description and the flags, in the same layout for
// every command.
func newFlags(name, synopsis, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: socialpulse %s %s\n", name, synopsis)
		if about != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimRight(about, "\n"))
		}
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args with fs. Help prints the usage and returns
// flag.ErrHelp (exit 0); a bad flag is a usage error (exit 2) printed once,
// as one line, by main, instead of the flag package's message and usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	}
	return usageErrorf("%v (see 'socialpulse %s --help')", err, fs.Name())
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// longDuration is a flag.Value for durations that also accepts whole days
// and weeks ("2d", "1w", "1w3d12h"), the units people use for history.
type longDuration struct{ d *time.Duration }

func (l longDuration) String() string {
	if l.d == nil {
		return "0s"
	}
	return l.d.String()
}

func (l longDuration) Set(s string) error {
	d, err := parseLongDuration(s)
	if err != nil {
		return err
	}
	*l.d = d
	return nil
}

// parseLongDuration parses a Go duration, with "d" (24h) and "w" (7 days)
// allowed as leading units: "2d", "1w", "1d12h", "90m".
func parseLongDuration(s string) (time.Duration, error) {
	in := s
	var total time.Duration
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	for {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9') {
			i++
		}
		if i == 0 || i >= len(s) || (s[i] != 'd' && s[i] != 'w') {
			break
		}
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", in)
		}
		unit := 24 * time.Hour
		if s[i] == 'w' {
			unit = 7 * 24 * time.Hour
		}
		total += time.Duration(n) * unit
		s = s[i+1:]
	}
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q (want e.g. 90m, 24h, 2d or 1w)", in)
		}
		total += d
	} else if total == 0 && !strings.ContainsAny(in, "dw") {
		return 0, fmt.Errorf("invalid duration %q (want e.g. 90m, 24h, 2d or 1w)", in)
	}
	if neg {
		total = -total
	}
	return total, nil
}

// version is the release, set at build time with
// -ldflags "-X main.version=v1.2.3"; "devel" otherwise.
var version = "devel"

// versionString is what "socialpulse --version" prints: the release, the
// commit and whether the tree had local changes (from the Go build info),
// and the Go version.
func versionString() string {
	commit, dirty, goVersion := "unknown", false, "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
				if len(commit) > 12 {
					commit = commit[:12]
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if dirty {
		commit += "-dirty"
	}
	return fmt.Sprintf("socialpulse %s (commit %s, %s)", version, commit, goVersion)
}

// addrInUse reports whether err is a listener's "address already in use".
func addrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }
