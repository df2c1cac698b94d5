package feature

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// FuzzParseTaxonomy feeds arbitrary documents to the loader behind
// "taxonomy check" and SIGHUP reload. A document is either refused with
// problems that each point at a line or a field, or accepted as a taxonomy
// that validates, compiles into a tagger, survives Check and reads back
// unchanged from a YAML rendering of itself.
//
// The default taxonomy goes in as one short document per feature, and
// inputs over maxFuzzTaxonomy bytes are skipped: the fuzzer minimizes every
// input that reaches new code, in time quadratic in its length, and the
// whole file costs tens of milliseconds a run, so a CI budget of seconds
// would go on one input. TestDefaultTaxonomyHoldsFuzzProperties checks the
// whole file.
func FuzzParseTaxonomy(f *testing.F) {
	for _, doc := range defaultFeatureDocs(f) {
		f.Add(doc)
	}
	for _, s := range []string{
		// valid
		"version: v1\nfeatures:\n  - id: cart\n    terms: [cart, basket]\n",
		"features:\n  - id: late_delivery\n    terms: refund\n",
		"features:\n  - id: a\n    name: A b\n    owner: x\n    criticality: 5\n    description: \"d\"\n" +
			"    patterns: [\"(can't|cannot) [really] pay*\", \"ship *2 late\"]\n    exclude: [\"gift card\"]\n" +
			"    examples: {match: [a b], no_match: [zzz]}\n",
		"features:\n  - id: q\n    match_name: false\n    terms: [push notification]\n  - id: r\n    name: Notifications\n",
		// invalid
		"",
		"# only a comment\n",
		"version: x\n",
		"features: a\n",
		"features:\n  - id: Check-Out\n    criticality: 9\n",
		"features:\n  - id: a\n  - id: a\n",
		"features:\n  - id: a\n    term: [x]\n    terms: [x]\n    terms: [y]\n",
		"features:\n  - id: a\n    patterns: [\"(x|y\", \"* x\", \"x *10\"]\n",
		"features:\n  - id: a\n    terms: {x: 1}\n    match_name: maybe\n",
		"features:\n  - id: a\n\tterms: x\n",
		"a: &x [1]\nfeatures: *x\n",
		"features:\n  - id: \"\\xff\\x00\"\n    name: \"\\u0001\"\n",
		"\x01features: []\n",
		"features:\n  - id: a\n    terms: [\"\xff\"]\n",
		"- 1\n- 2\n",
		"--- 1\n--- 2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzTaxonomy {
			return
		}
		checkTaxonomy(t, data)
	})
}

// TestDefaultTaxonomyHoldsFuzzProperties checks the whole default taxonomy,
// names, examples and all, as FuzzParseTaxonomy checks its inputs.
func TestDefaultTaxonomyHoldsFuzzProperties(t *testing.T) {
	if checkTaxonomy(t, DefaultTaxonomyYAML()) == nil {
		t.Fatal("default taxonomy refused")
	}
}

// checkTaxonomy parses data and checks the properties FuzzParseTaxonomy
// promises; it returns the taxonomy if accepted.
func checkTaxonomy(t *testing.T, data []byte) *Taxonomy {
	t.Helper()
	tx, err := ParseTaxonomy(data, "fuzz.yaml")
	if err != nil {
		checkProblems(t, data, err)
		return nil
	}
	checkAccepted(t, data, tx)
	if out, ok := renderTaxonomy(tx, false); ok {
		back, err := ParseTaxonomy(out, "rendered.yaml")
		if err != nil {
			t.Fatalf("rendering of an accepted taxonomy is refused: %v\n%s", err, out)
		}
		if a, b := canonical(tx), canonical(back); !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed the taxonomy:\n got %+v\nwant %+v\n%s", b, a, out)
		}
	}
	return tx
}

// maxFuzzTaxonomy bounds the size of a fuzzed document, a few features.
const maxFuzzTaxonomy = 2 << 10

// defaultFeatureDocs returns one document per feature of the default
// taxonomy, cut down to its id, criticality, match_name and first term,
// pattern and exclusion, on one line. Names and examples would make each
// run several times slower (related name words, Check) and each document
// several times longer; the small documents of FuzzParseTaxonomy have them.
func defaultFeatureDocs(f *testing.F) [][]byte {
	first := func(ss []string) []string { return ss[:min(len(ss), 1)] }
	var docs [][]byte
	for _, ft := range DefaultTaxonomy().Features {
		ft = Feature{ID: ft.ID, Criticality: ft.Criticality, NoNameTerms: ft.NoNameTerms,
			Terms: first(ft.Terms), Patterns: first(ft.Patterns), Exclude: first(ft.Exclude)}
		doc, ok := renderTaxonomy(&Taxonomy{Version: DefaultTaxonomy().Version, Features: []Feature{ft}}, true)
		if !ok {
			f.Fatalf("default feature %s does not render", ft.ID)
		}
		if _, err := ParseTaxonomy(doc, "default_taxonomy.yaml"); err != nil || len(doc) > maxFuzzTaxonomy {
			f.Fatalf("%d-byte seed from the default taxonomy: %v\n%s", len(doc), err, doc)
		}
		docs = append(docs, doc)
	}
	return docs
}

// checkProblems checks a refusal: the loader promises a *ProblemsError
// whose problems each have the form source:line: field: message, so every
// problem must carry a message and at least a line or a field, with lines
// inside the document and in file order.
func checkProblems(t *testing.T, data []byte, err error) {
	t.Helper()
	var pe *ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %q is not a *ProblemsError", err, err)
	}
	if len(pe.Problems) == 0 || err.Error() == "" {
		t.Fatalf("refusal without problems: %q", err)
	}
	// YAML also breaks lines at CR, NEL, LS and PS; counting CR LF twice
	// keeps this an upper bound.
	lines := 1
	for _, r := range string(data) {
		if strings.ContainsRune("\n\r\u0085\u2028\u2029", r) {
			lines++
		}
	}
	last := 0
	for _, p := range pe.Problems {
		if p.Source != "fuzz.yaml" || p.Message == "" {
			t.Fatalf("problem %+v lacks its source or message", p)
		}
		if p.Line <= 0 && p.Field == "" {
			t.Fatalf("problem %q names neither a line nor a field", p)
		}
		if p.Line > lines {
			t.Fatalf("problem %q is past the last line (%d)", p, lines)
		}
		if p.Line < last {
			t.Fatalf("problems out of file order: %q", err)
		}
		last = p.Line
	}
}

// checkAccepted checks an accepted taxonomy: it passes its own validation,
// compiles, tags text within the rules of Match, and Check finds nothing
// but failing examples (which ParseTaxonomy leaves to Check).
func checkAccepted(t *testing.T, data []byte, tx *Taxonomy) {
	t.Helper()
	if ps := validate(tx); len(ps) > 0 {
		t.Fatalf("accepted taxonomy fails validation: %v", ps)
	}
	tg, err := NewTagger(tx)
	if err != nil {
		t.Fatalf("accepted taxonomy does not compile: %v", err)
	}
	if len(tg.Features()) != len(tx.Features) || len(tx.Features) == 0 {
		t.Fatalf("tagger has %d features, taxonomy %d", len(tg.Features()), len(tx.Features))
	}
	for i, ft := range tg.Features() {
		if j, ok := tg.Index(ft.ID); !ok || j != i {
			t.Fatalf("Index(%q) = %d, %v; want %d", ft.ID, j, ok, i)
		}
		if ft.Name == "" || ft.Criticality < 1 || ft.Criticality > 5 {
			t.Fatalf("feature %q lacks a name or a criticality 1..5: %+v", ft.ID, ft)
		}
	}
	// The document itself is text full of the taxonomy's own terms, which
	// reaches more of the automaton than random bytes would.
	checkTag(t, tg, string(data))
	for _, ft := range tx.Features {
		for _, s := range ft.Examples.Match {
			checkTag(t, tg, s)
		}
	}
	for _, p := range Check(tx) {
		if !strings.Contains(p.Field, ".examples.") || p.Line <= 0 {
			t.Fatalf("Check of an accepted taxonomy: %q is not a failing example with a line", p)
		}
	}
}

func checkTag(t *testing.T, tg *Tagger, s string) {
	t.Helper()
	seen := map[int]bool{}
	last := -1
	for _, m := range tg.Tag(s, nil) {
		if m.Feature < 0 || m.Feature >= len(tg.Features()) || seen[m.Feature] {
			t.Fatalf("Tag(%q): feature %d out of range or repeated", s, m.Feature)
		}
		seen[m.Feature] = true
		if m.Start < last || m.Start < 0 || m.Start >= m.End || m.End > len(s) {
			t.Fatalf("Tag(%q): match %+v out of order or bounds", s, m)
		}
		last = m.Start
	}
}

// renderTaxonomy writes tx back as YAML, every string double-quoted so
// that no value can be mistaken for another type or need a block style.
// Invalid UTF-8 (reachable through "\xff" escapes) cannot be written as a
// YAML string at all, so such taxonomies are not rendered. compact leaves
// out empty fields and writes one line in flow style, quoting only where
// YAML needs it.
func renderTaxonomy(tx *Taxonomy, compact bool) ([]byte, bool) {
	ok := true
	str := func(s string) *yaml.Node {
		ok = ok && utf8.ValidString(s)
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: s}
		if compact {
			n.Style = 0 // yaml.v3 quotes a string that would read as another type
		}
		return n
	}
	list := func(ss []string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, s := range ss {
			n.Content = append(n.Content, str(s))
		}
		return n
	}
	mapping := func(kv ...any) *yaml.Node {
		n := &yaml.Node{Kind: yaml.MappingNode}
		for i := 0; i < len(kv); i += 2 {
			v := kv[i+1].(*yaml.Node)
			if compact && (v.Kind != yaml.ScalarNode && len(v.Content) == 0 || v.Tag == "!!str" && v.Value == "") {
				continue
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: kv[i].(string)}, v)
		}
		return n
	}
	features := &yaml.Node{Kind: yaml.SequenceNode}
	if compact {
		features.Style = yaml.FlowStyle
	}
	for _, f := range tx.Features {
		fn := mapping("id", str(f.ID), "name", str(f.Name), "description", str(f.Description), "owner", str(f.Owner),
			"criticality", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(f.Criticality)},
			"match_name", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(!f.NoNameTerms)},
			"terms", list(f.Terms), "patterns", list(f.Patterns), "exclude", list(f.Exclude),
			"examples", mapping("match", list(f.Examples.Match), "no_match", list(f.Examples.NoMatch)))
		features.Content = append(features.Content, fn)
	}
	doc := mapping("version", str(tx.Version), "features", features)
	if !ok {
		return nil, false
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, false
	}
	return out, true
}

// canonical is tx without its source and lines, with empty lists as nil:
// "terms: []" and no terms mean the same.
func canonical(tx *Taxonomy) Taxonomy {
	c := Taxonomy{Version: tx.Version}
	nilEmpty := func(ss []string) []string {
		if len(ss) == 0 {
			return nil
		}
		return ss
	}
	for _, f := range tx.Features {
		f.Terms, f.Patterns, f.Exclude = nilEmpty(f.Terms), nilEmpty(f.Patterns), nilEmpty(f.Exclude)
		f.Examples.Match, f.Examples.NoMatch = nilEmpty(f.Examples.Match), nilEmpty(f.Examples.NoMatch)
		c.Features = append(c.Features, f)
	}
	return c
}

// Inputs FuzzParseTaxonomy found refused without a line: yaml.v3 reports
// bad bytes without one, and puts the null document of "---" past the end.
func TestParseTaxonomyRefusalsNameALine(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"control character names its line", "version: x\nfeatures:\x01\n",
			"t.yaml:2: invalid YAML: control characters are not allowed"},
		{"invalid UTF-8 names its line", "features:\n  - id: a\n    terms: [\"\xff\"]\n",
			"t.yaml:3: invalid YAML: invalid leading UTF-8 octet"},
		{"lines count carriage returns as YAML does", "version: x\r\nfeatures:\rterms:\x7f\n",
			"t.yaml:3: invalid YAML: control characters are not allowed"},
		{"document marker alone is an empty taxonomy", "---", "t.yaml:1: empty taxonomy"},
		{"null document is an empty taxonomy", "~\n", "t.yaml:1: empty taxonomy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTaxonomy([]byte(tt.yaml), "t.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ParseTaxonomy(%q) = %v, want an error starting %q", tt.yaml, err, tt.want)
			}
		})
	}
}
