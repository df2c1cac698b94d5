package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// ParseNoArgs parses args with fs and refuses arguments left over.
func ParseNoArgs(fs *flag.FlagSet, args []string) error {
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return Usagef("unexpected arguments %q", fs.Args())
	}
	return nil
}

// ParseID parses the arguments of a command that takes one id, before or
// after its flags. fs's name is "<items> <command>", e.g. "spikes show":
// the usage error names a spike id.
func ParseID(fs *flag.FlagSet, args []string) (string, error) {
	id, rest := SplitID(args)
	if err := Parse(fs, rest); err != nil {
		return "", err
	}
	if id == "" && fs.NArg() == 1 {
		return fs.Arg(0), nil
	} else if fs.NArg() != 0 || id == "" {
		noun := strings.TrimSuffix(strings.Fields(fs.Name())[0], "s")
		return "", Usagef("want one %s id: socialpulse %s [flags] ID", noun, fs.Name())
	}
	return id, nil
}

// ParseIDAndWords parses the arguments of a command that takes an id,
// before or after its flags, and words after it. The id is "" when there
// is no argument.
func ParseIDAndWords(fs *flag.FlagSet, args []string) (string, []string, error) {
	id, rest := SplitID(args)
	if err := Parse(fs, rest); err != nil {
		return "", nil, err
	}
	words := fs.Args()
	if id == "" && len(words) > 0 {
		id, words = words[0], words[1:]
	}
	return id, words, nil
}

// OptionalFile returns the one FILE argument left after fs's flags, or def
// when there is none; more than one is a usage error.
func OptionalFile(fs *flag.FlagSet, def string) (string, error) {
	switch fs.NArg() {
	case 0:
		return def, nil
	case 1:
		return fs.Arg(0), nil
	}
	return "", Usagef("want at most one FILE, got %d arguments", fs.NArg())
}

// Sub is one subcommand of a command group: its name and what runs it
// with the arguments after the name.
type Sub struct {
	Name string
	Run  func(args []string) error
}

// Dispatch runs the subcommand of the group that args[0] names. "help",
// -h and --help print the group's usage and return flag.ErrHelp (exit 0);
// no subcommand prints the usage too and is a usage error that lists the
// subcommands; an unknown one is a usage error naming it and the
// subcommands, in one line like every other usage error.
func Dispatch(args []string, usage string, stderr io.Writer, subs ...Sub) error {
	var names []string
	for _, s := range subs {
		if len(args) > 0 && s.Name == args[0] {
			return s.Run(args[1:])
		}
		names = append(names, s.Name)
	}
	want := names[0]
	if len(names) > 1 {
		want = strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	}
	switch {
	case len(args) == 0:
		_, _ = io.WriteString(stderr, usage)
		return Usagef("want a subcommand: %s", want)
	case IsHelp(args[0]):
		_, _ = io.WriteString(stderr, usage)
		return flag.ErrHelp
	}
	return Usagef("unknown subcommand %q (want %s)", args[0], want)
}

// List splits a comma-separated list, dropping spaces around each item
// and empty items.
func List(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// PositiveInts parses a comma-separated list of positive whole numbers.
func PositiveInts(s string) ([]int, error) {
	var out []int
	for _, item := range strings.Split(s, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(item), &n); err != nil || n < 1 {
			return nil, fmt.Errorf("want positive numbers, got %q", item)
		}
		out = append(out, n)
	}
	return out, nil
}
