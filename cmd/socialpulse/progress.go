package main

import (
	"io"
	"os"

	"github.com/socialpulse/socialpulse/internal/jsonl"
	"github.com/socialpulse/socialpulse/internal/term"
)

// outputProgress is the progress display of a command that writes its
// results to stdout as it reads (score): on stderr, redrawn when stderr is
// a terminal; none when stdout is a terminal (the results show how far it
// is) or when stdout and stderr are the same file (`> out 2>&1`: progress
// lines would land among the results).
func outputProgress(stdout, stderr io.Writer, size int64, name, verb string) *jsonl.Progress {
	if term.IsTerminal(stdout) || sameFile(stdout, stderr) {
		return nil
	}
	return jsonl.NewProgress(stderr, term.IsTerminal(stderr), size, name, verb)
}

// readProgress is the progress display of a command that reports after
// reading all its input (taxonomy suggest, taxonomy learn): on stderr,
// redrawn when it is a terminal, a plain line every 5 seconds otherwise.
// None when stderr is the file stdout writes a report to. lines, when not
// 0, is how many lines an input of unknown size will have (a Kafka read).
func readProgress(stdout, stderr io.Writer, size, lines int64, name, verb string) *jsonl.Progress {
	if !term.IsTerminal(stderr) && sameFile(stdout, stderr) {
		return nil
	}
	p := jsonl.NewProgress(stderr, term.IsTerminal(stderr), size, name, verb)
	p.SetLines(lines)
	return p
}

// sameFile reports whether a and b are the same open file.
func sameFile(a, b io.Writer) bool {
	fa, ok1 := a.(*os.File)
	fb, ok2 := b.(*os.File)
	if !ok1 || !ok2 {
		return false
	}
	sa, err1 := fa.Stat()
	sb, err2 := fb.Stat()
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
