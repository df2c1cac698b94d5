// Package cliout writes the API's answers for a person: the tables, the
// spike detail, the one-line confirmations of the CLI's spikes, incidents
// and sentiment commands, and files written whole or not at all.
//
// Every string that customers or token holders wrote passes through
// internal/term before it is printed, exactly where the functions below
// say so; the CLI chooses which writers it wraps in a term.Writer.
//
// Scope: formatting and writing. Non-goals: flags, requests and the
// shapes of the answers (cmd/socialpulse, internal/apiclient and the api
// packages own them).
package cliout

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/socialpulse/socialpulse/internal/term"
)

// FormatChange prints a change over baseline: +310%.
func FormatChange(pct float64) string { return fmt.Sprintf("%+.0f%%", pct) }

// OneLine makes s safe for a terminal (term.Text), flattens it to one line
// and cuts it to at most n characters, the last being an ellipsis.
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(term.Text(s)), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// WriteFile writes path through write, whole or not at all: it writes a
// temporary file beside path (named after pattern, as os.CreateTemp) and
// renames it. It returns the bytes written. An error of write or of
// closing the file is prefixed with what.
func WriteFile(path, pattern, what string, write func(io.Writer) error) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), pattern)
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing to remove
	cw := &countWriter{w: tmp}
	err = write(cw)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// orDash is s, or "-" when s is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteFileBytes writes b to path, whole or not at all (a temporary file
// beside path, named after pattern, then renamed), with mode 0644, so a
// reader or a processor reloading never sees half a file.
func WriteFileBytes(path, pattern string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), pattern)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing to remove
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
