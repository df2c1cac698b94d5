package feature

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Feature is one product feature or complaint reason of a taxonomy.
type Feature struct {
	// ID names the feature in metrics, the impact matrix and the API:
	// lowercase [a-z0-9_]+, at most 64 bytes, unique, and never "other".
	ID string
	// Name is the display name. Default: the ID with spaces for underscores.
	Name        string
	Description string
	// Owner is the team alerts about this feature are routed to.
	Owner string
	// Criticality says how much a failure hurts the business, from 1 (low)
	// to 5 (critical). Zero means unset and counts as 3.
	Criticality int
	// Terms are literal words and phrases. Matching ignores case,
	// punctuation, spacing ("log in" = "login" = "log-in") and common
	// inflections ("logged in", "logging in").
	Terms []string
	// Patterns use the pattern syntax in the package doc.
	Patterns []string
	// Exclude lists terms (pattern syntax) that cancel a mention of this
	// feature within a few words of it ("gift card" for a payment "card").
	Exclude  []string
	Examples Examples
	// NoNameTerms stops the ID and Name from counting as terms (YAML
	// match_name: false).
	NoNameTerms bool
	// Expand adds WordNet synonyms of the feature's terms and name terms
	// (YAML expand). ExpandDefault takes the taxonomy's Expand.
	Expand Expand
	// NoFallback stops a learned fallback model (Fallback, "taxonomy
	// learn") from tagging posts with this feature when no term matches
	// (YAML fallback: false). Its terms still tag it.
	NoFallback bool
	// PhraseGap, when set (YAML phrase_gap, 0..9), replaces the taxonomy's
	// and the tagger's TagOptions.PhraseGap for this feature's phrases; 0
	// matches them only as written.
	PhraseGap *int
}

// Examples are posts a feature must and must not match; Check runs them.
type Examples struct {
	Match, NoMatch []string
}

// Taxonomy is a versioned list of features.
type Taxonomy struct {
	Version  string
	Features []Feature
	// Expand is the expansion of features that do not set their own (YAML
	// expand at the top level). ExpandDefault means ExpandOff.
	Expand Expand
	// ExpandSenses is how many of a term's most frequent WordNet senses an
	// expansion uses; 0 means DefaultExpandSenses. It is not read from YAML.
	ExpandSenses int
	// PhraseGap, when set (YAML phrase_gap at the top level, 0..9), replaces
	// the tagger's TagOptions.PhraseGap (DefaultPhraseGap with NewTagger) for
	// features that do not set their own; 0 matches phrases only as written.
	PhraseGap *int

	source string         // file name for problems
	lines  map[string]int // field path → line, from ParseTaxonomy
}

// phraseGap is the phrase gap feature fi's phrases match with: its own
// phrase_gap, else the taxonomy's, else def (the tagger's option).
func (t *Taxonomy) phraseGap(fi, def int) int {
	switch {
	case t.Features[fi].PhraseGap != nil:
		return *t.Features[fi].PhraseGap
	case t.PhraseGap != nil:
		return *t.PhraseGap
	}
	return def
}

// OtherID is the id of the row for posts that mention no feature.
const OtherID = "other"

// defaultCriticality is the criticality of a feature that does not set one.
const defaultCriticality = 3

// validID reports whether id is lowercase [a-z0-9_]+.
func validID(id string) bool {
	if id == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Problem is one thing wrong with a taxonomy: a bad field or a failing example.
type Problem struct {
	Source  string // file name, "" for a taxonomy built in code
	Line    int    // 1-based, 0 when unknown
	Field   string // path such as features[3].criticality
	Message string
}

// String formats the problem as file:line: field: message.
func (p Problem) String() string {
	var b strings.Builder
	if p.Source != "" {
		b.WriteString(p.Source)
		b.WriteByte(':')
		if p.Line > 0 {
			b.WriteString(strconv.Itoa(p.Line))
			b.WriteByte(':')
		}
		b.WriteByte(' ')
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ProblemsError is the error ParseTaxonomy and NewTagger return for an
// invalid taxonomy. Its message has one problem a line.
type ProblemsError struct {
	Problems []Problem
}

func (e *ProblemsError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// ParseTaxonomy decodes and validates a YAML taxonomy. source names the data
// in errors, which have the form source:line: field: message. Unknown keys
// are errors, so a misspelt field does not silently match nothing. It does
// not run the examples; Check does.
func ParseTaxonomy(data []byte, source string) (*Taxonomy, error) {
	d := decoder{t: &Taxonomy{source: source, lines: map[string]int{}}, source: source}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &ProblemsError{[]Problem{yamlProblem(source, data, err)}}
	}
	// A document of only comments, "---" or "~" holds no taxonomy (and
	// yaml.v3 puts the implicit null of "---" on the line after the file).
	if len(doc.Content) == 0 || doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null" {
		return nil, &ProblemsError{[]Problem{{Source: source, Line: 1, Message: "empty taxonomy: want version and features"}}}
	}
	d.taxonomy(doc.Content[0])
	ps := append(d.problems, validate(d.t)...)
	if len(ps) > 0 {
		slices.SortStableFunc(ps, func(a, b Problem) int { return a.Line - b.Line })
		return nil, &ProblemsError{ps}
	}
	return d.t, nil
}

// LoadTaxonomy reads and parses a YAML taxonomy file.
func LoadTaxonomy(path string) (*Taxonomy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	return ParseTaxonomy(data, path)
}

//go:embed default_taxonomy.yaml
var defaultYAML []byte

// DefaultTaxonomyYAML returns the embedded default taxonomy file, a starting
// point for a custom one.
func DefaultTaxonomyYAML() []byte { return append([]byte(nil), defaultYAML...) }

// DefaultTaxonomy returns a fresh copy of the embedded default taxonomy for
// online shops and services. It never returns nil: the package tests check
// that the embedded file parses and passes Check, so it panics only on a
// broken build.
func DefaultTaxonomy() *Taxonomy {
	t, err := ParseTaxonomy(defaultYAML, "default_taxonomy.yaml")
	if err != nil {
		panic("feature: embedded default taxonomy is invalid: " + err.Error())
	}
	return t
}

// Source returns the file name the taxonomy was parsed from, or "".
func (t *Taxonomy) Source() string { return t.source }

// line returns the line of a field path, or 0.
func (t *Taxonomy) line(field string) int {
	if t.lines == nil {
		return 0
	}
	if l, ok := t.lines[field]; ok {
		return l
	}
	// fall back to the closest enclosing field that has a line
	for {
		i := strings.LastIndexAny(field, ".[")
		if i <= 0 {
			return 0
		}
		field = field[:i]
		if l, ok := t.lines[field]; ok {
			return l
		}
	}
}

func (t *Taxonomy) problem(field, format string, a ...any) Problem {
	return Problem{Source: t.source, Line: t.line(field), Field: field, Message: fmt.Sprintf(format, a...)}
}

// yamlProblem turns a yaml.v3 syntax error ("yaml: line 3: ...") into a Problem.
// yaml.v3 leaves the line out of errors about the bytes themselves
// ("invalid leading UTF-8 octet", "control characters are not allowed"),
// so the line of the first byte YAML refuses is found here; failing that
// the problem is put on line 1, as it concerns the whole document.
func yamlProblem(source string, data []byte, err error) Problem {
	msg := err.Error()
	line := 0
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	if line <= 0 {
		line = badCharLine(data)
	}
	return Problem{Source: source, Line: line, Message: "invalid YAML: " + msg}
}

// badCharLine returns the line of the first byte that is not valid UTF-8
// or not a character YAML allows, or 1 when there is none (or the data is
// UTF-16, which yaml.v3 also reads).
func badCharLine(data []byte) int {
	if len(data) >= 2 && (data[0] == 0xFE && data[1] == 0xFF || data[0] == 0xFF && data[1] == 0xFE) {
		return 1
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 || !yamlChar(r) {
			return lineAt(data, i)
		}
		i += size
	}
	return 1
}

// lineAt returns the line of byte offset off, counting line breaks as YAML
// does: LF, CR, CR LF, NEL, LS and PS.
func lineAt(data []byte, off int) int {
	line := 1
	for i := 0; i < off; {
		r, size := utf8.DecodeRune(data[i:])
		switch r {
		case '\r':
			if i+1 < off && data[i+1] == '\n' {
				size++
			}
			line++
		case '\n', 0x85, 0x2028, 0x2029:
			line++
		}
		i += size
	}
	return line
}

// yamlChar reports whether YAML allows r in a document (YAML 1.2, 5.1).
func yamlChar(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r >= 0x20 && r <= 0x7E, r == 0x85:
		return true
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// decoder walks the YAML node tree, recording field lines and problems.
type decoder struct {
	t        *Taxonomy
	source   string
	problems []Problem
}

func (d *decoder) fail(n *yaml.Node, field, format string, a ...any) {
	d.problems = append(d.problems, Problem{Source: d.source, Line: n.Line, Field: field, Message: fmt.Sprintf(format, a...)})
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

// fields iterates a mapping's key/value pairs, reporting duplicate and unknown keys.
func (d *decoder) fields(n *yaml.Node, path string, known []string, fn func(key string, v *yaml.Node, field string)) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping, got %s", kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := k.Value
		if path != "" {
			field = path + "." + k.Value
		}
		switch {
		case !slices.Contains(known, k.Value):
			d.fail(k, field, "unknown field (want one of %s)", strings.Join(known, ", "))
			continue
		case seen[k.Value]:
			d.fail(k, field, "duplicate field")
			continue
		}
		seen[k.Value] = true
		d.t.lines[field] = k.Line
		fn(k.Value, v, field)
	}
}

func (d *decoder) str(n *yaml.Node, field string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.fail(n, field, "want a string, got %s", kindName(n))
		return ""
	}
	return n.Value
}

func (d *decoder) integer(n *yaml.Node, field string) int {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.fail(n, field, "want an integer 1..5, got %q", n.Value)
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		d.fail(n, field, "want an integer 1..5, got %q", n.Value)
		return 0
	}
	return v
}

// gap reads a phrase_gap: an integer 0..9.
func (d *decoder) gap(n *yaml.Node, field string) *int {
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || v < 0 || v > maxGap {
		d.fail(n, field, "want an integer 0..%d (words allowed between a phrase's words; 0: only as written), got %q", maxGap, n.Value)
		return nil
	}
	return &v
}

func (d *decoder) boolean(n *yaml.Node, field string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.fail(n, field, "want true or false, got %q", n.Value)
		return false
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
}

// strings decodes a list of strings; a single string counts as a list of one.
func (d *decoder) strs(n *yaml.Node, field string) []string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		d.t.lines[field+"[0]"] = n.Line
		return []string{n.Value}
	}
	if n.Kind == yaml.ScalarNode { // null: an empty list
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, field, "want a list of strings, got %s", kindName(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, it := range n.Content {
		f := fmt.Sprintf("%s[%d]", field, i)
		d.t.lines[f] = it.Line
		if it.Kind != yaml.ScalarNode || it.Tag == "!!null" {
			d.fail(it, f, "want a string, got %s", kindName(it))
			continue
		}
		out = append(out, it.Value)
	}
	return out
}

func taxonomyKeys() []string { return []string{"version", "expand", "phrase_gap", "features"} }

func featureKeys() []string {
	return []string{"id", "name", "description", "owner", "criticality", "match_name", "expand", "phrase_gap", "fallback", "terms", "patterns", "exclude", "examples"}
}

func exampleKeys() []string { return []string{"match", "no_match"} }

func (d *decoder) taxonomy(n *yaml.Node) {
	d.t.lines[""] = n.Line
	d.fields(n, "", taxonomyKeys(), func(key string, v *yaml.Node, field string) {
		switch key {
		case "version":
			d.t.Version = d.str(v, field)
		case "expand":
			d.t.Expand = Expand(d.str(v, field))
		case "phrase_gap":
			d.t.PhraseGap = d.gap(v, field)
		case "features":
			if v.Kind != yaml.SequenceNode {
				d.fail(v, field, "want a list of features, got %s", kindName(v))
				return
			}
			for i, fn := range v.Content {
				f := fmt.Sprintf("features[%d]", i)
				d.t.lines[f] = fn.Line
				d.t.Features = append(d.t.Features, d.feature(fn, f))
			}
		}
	})
}

func (d *decoder) feature(n *yaml.Node, path string) Feature {
	f := Feature{Criticality: defaultCriticality}
	d.fields(n, path, featureKeys(), func(key string, v *yaml.Node, field string) {
		switch key {
		case "id":
			f.ID = d.str(v, field)
		case "name":
			f.Name = d.str(v, field)
		case "description":
			f.Description = d.str(v, field)
		case "owner":
			f.Owner = d.str(v, field)
		case "criticality":
			c := d.integer(v, field)
			if v.Tag == "!!int" && (c < 1 || c > 5) {
				d.fail(v, field, "must be 1..5, got %s", v.Value)
				c = defaultCriticality
			}
			f.Criticality = c
		case "terms":
			f.Terms = d.strs(v, field)
		case "patterns":
			f.Patterns = d.strs(v, field)
		case "exclude":
			f.Exclude = d.strs(v, field)
		case "match_name":
			f.NoNameTerms = !d.boolean(v, field)
		case "expand":
			f.Expand = Expand(d.str(v, field))
		case "phrase_gap":
			f.PhraseGap = d.gap(v, field)
		case "fallback":
			f.NoFallback = !d.boolean(v, field)
		case "examples":
			d.fields(v, field, exampleKeys(), func(key string, v *yaml.Node, field string) {
				switch key {
				case "match":
					f.Examples.Match = d.strs(v, field)
				case "no_match":
					f.Examples.NoMatch = d.strs(v, field)
				}
			})
		}
	})
	return f
}

// validate checks every field of a taxonomy except the examples.
func validate(t *Taxonomy) []Problem {
	var ps []Problem
	if len(t.Features) == 0 {
		ps = append(ps, t.problem("features", "no features"))
	}
	if !t.Expand.valid() {
		ps = append(ps, t.problem("expand", "%s", badExpand(t.Expand)))
	}
	ids := map[string]int{}
	for i, f := range t.Features {
		p := fmt.Sprintf("features[%d]", i)
		switch {
		case f.ID == "":
			ps = append(ps, t.problem(p+".id", "missing"))
		case len(f.ID) > 64:
			ps = append(ps, t.problem(p+".id", "longer than 64 bytes"))
		case !validID(f.ID):
			ps = append(ps, t.problem(p+".id", "%q: want lowercase letters, digits and _ only", f.ID))
		case f.ID == OtherID:
			ps = append(ps, t.problem(p+".id", "%q is reserved for posts that match no feature", OtherID))
		default:
			if j, dup := ids[f.ID]; dup {
				ps = append(ps, t.problem(p+".id", "%q already used by features[%d]", f.ID, j))
			}
			ids[f.ID] = i
		}
		if !f.Expand.valid() {
			ps = append(ps, t.problem(p+".expand", "%s", badExpand(f.Expand)))
		}
		if f.Criticality < 0 || f.Criticality > 5 { // 0: unset
			ps = append(ps, t.problem(p+".criticality", "must be 1..5, got %d", f.Criticality))
		}
		for j, term := range f.Terms {
			if _, err := compileTerm(term); err != nil {
				ps = append(ps, t.problem(fmt.Sprintf("%s.terms[%d]", p, j), "%q %v", term, err))
			}
		}
		for j, pat := range f.Patterns {
			if _, err := compilePattern(pat); err != nil {
				ps = append(ps, t.problem(fmt.Sprintf("%s.patterns[%d]", p, j), "%q: %v", pat, err))
			}
		}
		for j, ex := range f.Exclude {
			if _, err := compilePattern(ex); err != nil {
				ps = append(ps, t.problem(fmt.Sprintf("%s.exclude[%d]", p, j), "%q: %v", ex, err))
			}
		}
		if f.NoNameTerms && len(f.Terms) == 0 && len(f.Patterns) == 0 {
			ps = append(ps, t.problem(p, "matches nothing: no terms or patterns and match_name is false"))
		}
	}
	return ps
}
