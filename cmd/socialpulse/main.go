// Command socialpulse is the social-listening stream processor and its tools.
//
// main stays thin: it turns signals into context cancellation, picks the
// subcommand and maps its error to an exit code. Each subcommand lives in its
// own file and takes its arguments and output streams explicitly, so it can be
// tested without a process; its help text is a file under usage/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/term"
)

// command is one subcommand: it parses args (without the subcommand name)
// and writes results to stdout and diagnostics to stderr. Its one-line
// summary is in usage/socialpulse.txt.
type command struct {
	name string
	run  func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"run", runProcessor},
		{"demo", runDemo},
		{"replay", runReplay},
		{"score", runScore},
		{"taxonomy", runTaxonomy},
		{"eval", runEval},
		{"backtest", runBacktest},
		{"dashboards", runDashboards},
		{"spikes", runSpikes},
		{"sentiment", runSentiment},
		{"incidents", runIncidents},
	}
}

// main runs a command. Its standard output, when a terminal, passes through
// termWriter: no command can print a customer's escape sequence to a person.
func main() { os.Exit(run(os.Args[1:], os.Stdin, term.ToTerminal(os.Stdout), os.Stderr)) }

// version is the release, set at build time with
// -ldflags "-X main.version=v1.2.3"; "devel" otherwise.
var version = "devel"

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version" || args[0] == "version") {
		fmt.Fprintln(stdout, cli.Version(version))
		return 0
	}
	if len(args) == 0 || cli.IsHelp(args[0]) {
		printUsage(stderr, "socialpulse")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdin, stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, cli.ErrUsage):
			fmt.Fprintf(stderr, "socialpulse %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "socialpulse %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "socialpulse: unknown command %q\n\n", args[0])
	printUsage(stderr, "socialpulse")
	return 2
}
