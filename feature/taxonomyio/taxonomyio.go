// Package taxonomyio is the file and report side of package feature: the
// bodies of "taxonomy check", "taxonomy show" and "taxonomy suggest". It
// reads taxonomy files and JSONL posts, prints what it found for a person
// (or as JSON) and writes a taxonomy with suggested terms added.
//
// Package feature stays the taxonomy, its checks, the tagger and the
// suggester; this package only moves their inputs and results in and out.
// Non-goals: flags and usage text (cmd/socialpulse).
package taxonomyio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/socialpulse/socialpulse/feature"
)

// Default is the file argument that names the embedded default taxonomy.
const Default = "default"

// Load loads a taxonomy file; Default is the embedded taxonomy.
func Load(file string) (*feature.Taxonomy, error) {
	if file == Default {
		return feature.DefaultTaxonomy(), nil
	}
	return feature.LoadTaxonomy(file)
}

// ReadYAML returns a taxonomy file's bytes; Default gives the embedded
// taxonomy's.
func ReadYAML(file string) ([]byte, error) {
	if file == Default {
		return feature.DefaultTaxonomyYAML(), nil
	}
	return os.ReadFile(file)
}

// Check loads and checks each file and prints one line per problem
// (file:line: field: message) and per warning (feature.Warnings: a feature
// that will match little), then a summary line. It returns an error when a
// file cannot be read or when there is any problem; warnings do not fail.
func Check(w io.Writer, files []string) error {
	problems, warnings, features, examples := 0, 0, 0, 0
	for _, file := range files {
		t, err := Load(file)
		if err != nil {
			var pe *feature.ProblemsError
			if !errors.As(err, &pe) {
				return err // unreadable file
			}
			for _, p := range pe.Problems {
				fmt.Fprintln(w, p)
			}
			problems += len(pe.Problems)
			continue
		}
		ps := feature.Check(t)
		for _, p := range ps {
			if p.Source == "" {
				p.Source = file
			}
			fmt.Fprintln(w, p)
			problems++
		}
		if len(ps) == 0 {
			for _, p := range feature.Warnings(t) {
				if p.Source == "" {
					p.Source = file
				}
				fmt.Fprintln(w, p)
				warnings++
			}
		}
		features += len(t.Features)
		for _, f := range t.Features {
			examples += len(f.Examples.Match) + len(f.Examples.NoMatch)
		}
	}
	fmt.Fprintf(w, "%s: %d features, %d examples, %d problems", plural(len(files), "taxonomy", "taxonomies"), features, examples, problems)
	if warnings > 0 {
		fmt.Fprintf(w, ", %s", plural(warnings, "warning", "warnings"))
	}
	fmt.Fprintln(w)
	if problems > 0 {
		return fmt.Errorf("%d problems", problems)
	}
	return nil
}

// ShowMode says what Show prints.
type ShowMode int

const (
	// ShowTable prints one row per feature with its counts.
	ShowTable ShowMode = iota
	// ShowTerms prints every feature's terms, patterns and exclusions,
	// those taken from its id and name included.
	ShowTerms
	// ShowYAML prints the taxonomy file itself.
	ShowYAML
)

// Show prints the taxonomy in file as mode says.
func Show(w io.Writer, file string, mode ShowMode) error {
	if mode == ShowYAML {
		data, err := ReadYAML(file)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	t, err := Load(file)
	if err != nil {
		return err
	}
	tg, err := feature.NewTagger(t)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s (version %q): %d features\n\n", file, tg.Version(), len(tg.Features()))
	if mode == ShowTerms {
		for i, f := range tg.Features() {
			fmt.Fprintf(w, "%s  %s  [criticality %d, owner %s]\n", f.ID, f.Name, f.Criticality, orDash(f.Owner))
			list(w, "terms", f.Terms)
			list(w, "from name", tg.NameTerms(i))
			list(w, "patterns", f.Patterns)
			list(w, "exclude", f.Exclude)
			fmt.Fprintln(w)
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCRIT\tOWNER\tTERMS\tPATTERNS\tEXCLUDE\tEXAMPLES")
	for i, f := range tg.Features() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d+%d\t%d\t%d\t%d/%d\n", f.ID, f.Name, f.Criticality, orDash(f.Owner),
			len(f.Terms), len(tg.NameTerms(i)), len(f.Patterns), len(f.Exclude), len(f.Examples.Match), len(f.Examples.NoMatch))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nTERMS: own+from name; EXAMPLES: match/no_match")
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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
