package main

import (
	"context"
	"fmt"
	"io"
)

// runEval dispatches "eval sentiment", "aspects", "nab", "surges" and
// "corrections".
func runEval(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		evalUsage(stderr)
		return usageErrorf("eval needs a target: %s", evalTargets)
	}
	if isHelp(args[0]) {
		evalUsage(stderr)
		return nil
	}
	switch args[0] {
	case "sentiment":
		return runEvalSentiment(ctx, args[1:], stdout, stderr)
	case "aspects":
		return runEvalAspects(ctx, args[1:], stdout, stderr)
	case "nab":
		return runEvalNAB(ctx, args[1:], stdout, stderr)
	case "surges":
		return runEvalSurges(ctx, args[1:], stdout, stderr)
	case "corrections":
		return runEvalCorrections(ctx, args[1:], stdout, stderr)
	}
	return usageErrorf("unknown eval target %q (want %s)", args[0], evalTargets)
}

const evalTargets = "sentiment | aspects | nab | surges | corrections"

func evalUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: socialpulse eval <target> [--data DIR] [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Measures the production code on the labelled dev data and prints markdown tables.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "  sentiment    sentiment labels on the VADER sets and the complaint tweets, beside govader")
	fmt.Fprintln(w, "  aspects      feature tagging on the SemEval aspect sets")
	fmt.Fprintln(w, "  nab          spike detection on the Numenta Anomaly Benchmark series")
	fmt.Fprintln(w, "  surges       detection rate, delay and false alarms for surges injected into real count series")
	fmt.Fprintln(w, "  corrections  what adapting the sentiment model to N corrections gains on the rest of a set")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'socialpulse eval <target> --help' for its flags.")
}
