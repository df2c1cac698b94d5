package main

import (
	"embed"
	"flag"
	"io"
	"strings"

	"github.com/socialpulse/socialpulse/internal/cli"
)

// The conventions every command shares (help, usage errors, exit codes)
// are internal/cli's. Every command's usage text is a file under usage/,
// named after the command ("spikes list" is usage/spikes-list.txt): the
// synopsis, a description and, for a command whose usage lists its flags,
// the heading the flags' defaults follow.
//
//go:embed usage/*.txt
var usageFiles embed.FS

// usageText is the usage text of the command name, e.g. "spikes list".
func usageText(name string) string {
	b, err := usageFiles.ReadFile("usage/" + strings.ReplaceAll(name, " ", "-") + ".txt")
	if err != nil {
		panic(err) // a command without its file; the help tests catch it
	}
	return string(b)
}

// printUsage prints the usage text of the command name on w.
func printUsage(w io.Writer, name string) { _, _ = io.WriteString(w, usageText(name)) }

// newFlags returns the flag set of the command name: its usage is the
// command's usage text, then the flags' defaults.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	return cli.NewFlagSet(name, usageText(name), stderr)
}
