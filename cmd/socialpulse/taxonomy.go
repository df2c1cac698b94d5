package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/socialpulse/socialpulse/feature"
)

// runTaxonomy implements "taxonomy check [FILE...]" and "taxonomy show [FILE]".
// FILE "default", or no FILE, means the embedded default taxonomy.
func runTaxonomy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErrorf("taxonomy needs an action: check [FILE...] | show [FILE] | suggest [FILE]")
	}
	switch args[0] {
	case "check":
		return taxonomyCheck(args[1:], stdout, stderr)
	case "show":
		return taxonomyShow(args[1:], stdout, stderr)
	case "suggest":
		return taxonomySuggest(ctx, args[1:], stdin, stdout, stderr)
	case "-h", "--help", "help":
		taxonomyUsage(stderr)
		return flag.ErrHelp
	}
	return usageErrorf("unknown taxonomy action %q (want check | show | suggest)", args[0])
}

func taxonomyUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  socialpulse taxonomy check [FILE...]       validate taxonomies and run their examples
  socialpulse taxonomy show [--terms] [FILE] list a taxonomy's features
  socialpulse taxonomy show --yaml [FILE]    print the taxonomy file (the default is a starting point)
  socialpulse taxonomy suggest [--taxonomy FILE] [--apply OUT] [POSTS.jsonl]
                                             propose terms and features from a history of posts

FILE "default", or no FILE, is the embedded default taxonomy. check prints one
line per problem as file:line: field: message and exits 1 when there is any.
`)
}

// loadTaxonomyArg loads a FILE argument; "default" is the embedded taxonomy.
func loadTaxonomyArg(arg string) (*feature.Taxonomy, error) {
	if arg == "default" {
		return feature.DefaultTaxonomy(), nil
	}
	return feature.LoadTaxonomy(arg)
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
		files = []string{"default"}
	}
	problems, features, examples := 0, 0, 0
	for _, file := range files {
		t, err := loadTaxonomyArg(file)
		if err != nil {
			var pe *feature.ProblemsError
			if !errors.As(err, &pe) {
				return err // unreadable file
			}
			for _, p := range pe.Problems {
				fmt.Fprintln(stdout, p)
			}
			problems += len(pe.Problems)
			continue
		}
		for _, p := range feature.Check(t) {
			if p.Source == "" {
				p.Source = file
			}
			fmt.Fprintln(stdout, p)
			problems++
		}
		features += len(t.Features)
		for _, f := range t.Features {
			examples += len(f.Examples.Match) + len(f.Examples.NoMatch)
		}
	}
	fmt.Fprintf(stdout, "%s: %d features, %d examples, %d problems\n",
		plural(len(files), "taxonomy", "taxonomies"), features, examples, problems)
	if problems > 0 {
		return fmt.Errorf("%d problems", problems)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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
	file := "default"
	if fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if *raw {
		data := feature.DefaultTaxonomyYAML()
		if file != "default" {
			var err error
			if data, err = os.ReadFile(file); err != nil {
				return err
			}
		}
		_, err := stdout.Write(data)
		return err
	}
	t, err := loadTaxonomyArg(file)
	if err != nil {
		return err
	}
	tg, err := feature.NewTagger(t)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (version %q): %d features\n\n", file, tg.Version(), len(tg.Features()))
	if *terms {
		for i, f := range tg.Features() {
			fmt.Fprintf(stdout, "%s  %s  [criticality %d, owner %s]\n", f.ID, f.Name, f.Criticality, orDash(f.Owner))
			list(stdout, "terms", f.Terms)
			list(stdout, "from name", tg.NameTerms(i))
			list(stdout, "patterns", f.Patterns)
			list(stdout, "exclude", f.Exclude)
			fmt.Fprintln(stdout)
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCRIT\tOWNER\tTERMS\tPATTERNS\tEXCLUDE\tEXAMPLES")
	for i, f := range tg.Features() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d+%d\t%d\t%d\t%d/%d\n", f.ID, f.Name, f.Criticality, orDash(f.Owner),
			len(f.Terms), len(tg.NameTerms(i)), len(f.Patterns), len(f.Exclude), len(f.Examples.Match), len(f.Examples.NoMatch))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nTERMS: own+from name; EXAMPLES: match/no_match")
	return nil
}

func list(w io.Writer, label string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "  %-10s %s\n", label+":", strings.Join(items, " · "))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
