// Package cli holds the conventions every socialpulse command shares: how
// flags are parsed and help is printed, what a usage error is, the
// duration flag that accepts days and weeks, how an id or a text is taken
// from the arguments, and how the build names itself.
//
//   - "-h", "--help" and "help" print the command's usage to stderr and
//     exit 0.
//   - A bad flag or argument is a usage error (Usagef): one line naming it
//     on stderr and exit status 2.
//   - Any other failure prints one line, "socialpulse <command>: <error>",
//     and exits 1.
//
// Scope: parsing the command line. Non-goals: the commands' flags, usage
// texts and what the commands do (cmd/socialpulse and the packages it
// wires).
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
)

// ErrUsage marks errors caused by bad command-line arguments (exit code 2).
var ErrUsage = errors.New("usage")

// Usagef returns a usage error: ErrUsage with the formatted message.
func Usagef(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, a...))
}

// NewFlagSet returns a flag set for "socialpulse <name>" that writes to w
// and whose usage is the text usage followed by the flags' defaults.
func NewFlagSet(name, usage string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		io.WriteString(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args with fs. Help prints the usage and returns
// flag.ErrHelp (exit 0); a bad flag is a usage error (exit 2) printed once,
// as one line, by main, instead of the flag package's message and usage.
func Parse(fs *flag.FlagSet, args []string) error {
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
	return Usagef("%v (see 'socialpulse %s --help')", err, fs.Name())
}

// IsHelp reports whether arg asks for help.
func IsHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// SplitID takes a leading non-flag argument as an id, so that both
// "show ID --json" and "show --json ID" work; it returns the id ("" when
// the first argument is a flag) and the rest.
func SplitID(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

// Text returns the text argument s, or, when s is "-", at most max bytes
// read from stdin.
func Text(s string, stdin io.Reader, max int64) (string, error) {
	if s != "-" {
		return s, nil
	}
	b, err := io.ReadAll(io.LimitReader(stdin, max))
	return string(b), err
}

// Version is what "socialpulse --version" prints: the release, the commit
// and whether the tree had local changes (from the Go build info), and the
// Go version.
func Version(release string) string {
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
	return fmt.Sprintf("socialpulse %s (commit %s, %s)", release, commit, goVersion)
}

// Token returns the token in file or, when file is "", in the environment
// variable env, without surrounding space. An empty file is an error; the
// errors name the file, never its content.
func Token(file, env string) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv(env)), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err) // *PathError names the file, not its content
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty", file)
	}
	return tok, nil
}

// Env returns the environment variable k, or def when it is empty.
func Env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// HTTPURL parses s as an http or https URL with a host.
func HTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("want http(s)://host[:port], got %q", s)
	}
	return u, nil
}
