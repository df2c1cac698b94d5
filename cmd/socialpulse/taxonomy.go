package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/socialpulse/socialpulse/feature/taxonomyio"
)

// runTaxonomy implements "taxonomy check [FILE...]" and "taxonomy show [FILE]".
// FILE "default", or no FILE, means the embedded default taxonomy.
func runTaxonomy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErrorf("taxonomy needs an action: check [FILE...] | show [FILE] | suggest [FILE] | learn [FILE]")
	}
	switch args[0] {
	case "check":
		return taxonomyCheck(args[1:], stdout, stderr)
	case "show":
		return taxonomyShow(args[1:], stdout, stderr)
	case "suggest":
		return taxonomySuggest(ctx, args[1:], stdin, stdout, stderr)
	case "learn":
		return taxonomyLearn(ctx, args[1:], stdin, stdout, stderr)
	case "-h", "--help", "help":
		taxonomyUsage(stderr)
		return flag.ErrHelp
	}
	return usageErrorf("unknown taxonomy action %q (want check | show | suggest | learn)", args[0])
}

func taxonomyUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  socialpulse taxonomy check [FILE...]       validate taxonomies and run their examples
  socialpulse taxonomy show [--terms] [FILE] list a taxonomy's features
  socialpulse taxonomy show --yaml [FILE]    print the taxonomy file (the default is a starting point)
  socialpulse taxonomy suggest [--taxonomy FILE] [--apply OUT] [POSTS.jsonl]
                                             propose terms and features from a history of posts
  socialpulse taxonomy learn [--taxonomy FILE] [--out MODEL] [POSTS.jsonl]
                                             train the fallback model that tags posts no term matches

FILE "default", or no FILE, is the embedded default taxonomy. check prints one
line per problem as file:line: field: message and exits 1 when there is any.
`)
}

func taxonomyCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("taxonomy check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { taxonomyUsage(stderr) }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{taxonomyio.Default}
	}
	return taxonomyio.Check(stdout, files)
}

func taxonomyShow(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("taxonomy show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { taxonomyUsage(stderr) }
	terms := fs.Bool("terms", false, "list every feature's terms, patterns and exclusions, including those taken from its id and name")
	raw := fs.Bool("yaml", false, "print the taxonomy file itself")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("show takes at most one FILE, got %d", fs.NArg())
	}
	file := taxonomyio.Default
	if fs.NArg() == 1 {
		file = fs.Arg(0)
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
