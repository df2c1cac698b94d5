package main

import (
	"context"
	"io"
)

// runEval dispatches "eval sentiment", "aspects", "nab" and "surges".
func runEval(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErrorf("eval needs a target: sentiment | aspects | nab | surges")
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
	}
	return usageErrorf("unknown eval target %q (want sentiment | aspects | nab | surges)", args[0])
}
