package main

import (
	"context"
	"flag"
	"io"

	"github.com/socialpulse/socialpulse/feature/taxonomyio"
	"github.com/socialpulse/socialpulse/internal/cli"
)

// runTaxonomy implements "taxonomy check [FILE...]" and "taxonomy show [FILE]".
// FILE "default", or no FILE, means the embedded default taxonomy.
func runTaxonomy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return cli.Dispatch(args, usageText("taxonomy"), stderr,
		cli.Sub{Name: "check", Run: func(a []string) error { return taxonomyCheck(a, stdout, stderr) }},
		cli.Sub{Name: "show", Run: func(a []string) error { return taxonomyShow(a, stdout, stderr) }},
		cli.Sub{Name: "suggest", Run: func(a []string) error { return taxonomySuggest(ctx, a, stdin, stdout, stderr) }},
		cli.Sub{Name: "learn", Run: func(a []string) error { return taxonomyLearn(ctx, a, stdin, stdout, stderr) }},
	)
}

func taxonomyCheck(args []string, stdout, stderr io.Writer) error {
	fs := taxonomyFlags("taxonomy check", stderr)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{taxonomyio.Default}
	}
	return taxonomyio.Check(stdout, files)
}

func taxonomyShow(args []string, stdout, stderr io.Writer) error {
	fs := taxonomyFlags("taxonomy show", stderr)
	terms := fs.Bool("terms", false, "list every feature's terms, patterns and exclusions, including those taken from its id and name")
	raw := fs.Bool("yaml", false, "print the taxonomy file itself")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	file, err := cli.OptionalFile(fs, taxonomyio.Default)
	if err != nil {
		return err
	}
	mode := taxonomyio.ShowTable
	switch {
	case *raw:
		mode = taxonomyio.ShowYAML
	case *terms:
		mode = taxonomyio.ShowTerms
	}
	return taxonomyio.Show(stdout, file, mode)
}

// taxonomyFlags returns the flag set of "taxonomy check" or "taxonomy
// show", whose help is the taxonomy command's usage.
func taxonomyFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := cli.NewFlagSet(name, "", stderr)
	fs.Usage = func() { printUsage(stderr, "taxonomy") }
	return fs
}
