package feature

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// AddTerms returns a copy of the YAML taxonomy data with the suggested terms
// appended to their features' terms lists, each marked with a comment that
// says how many posts suggested it; the rest of the file, comments included,
// is kept. A suggestion is left out when its feature is unknown, its term
// does not compile, or it would match one of the feature's no_match
// examples. It returns the new file and the suggestions added. The result
// passes Check when the input did; otherwise AddTerms returns an error.
func AddTerms(data []byte, source string, sugg []TermSuggestion) ([]byte, []TermSuggestion, error) {
	t, err := ParseTaxonomy(data, source)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]int{}
	for i, f := range t.Features {
		byID[f.ID] = i
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, err
	}
	feats := mapValue(doc.Content[0], "features")
	if feats == nil || feats.Kind != yaml.SequenceNode || len(feats.Content) != len(t.Features) {
		return nil, nil, fmt.Errorf("%s: features list not found", source)
	}
	var added []TermSuggestion
	var ms []Match
	for _, s := range sugg {
		fi, ok := byID[s.Feature]
		if !ok {
			continue
		}
		if _, err := compileTerm(s.Term); err != nil {
			continue
		}
		// The term alone, with the feature's phrase gap, as the tagger will
		// match it.
		one, err := NewTagger(&Taxonomy{PhraseGap: t.PhraseGap, Features: []Feature{{ID: s.Feature, Terms: []string{s.Term}, NoNameTerms: true, PhraseGap: t.Features[fi].PhraseGap}}})
		if err != nil {
			continue
		}
		bad := false
		for _, ex := range t.Features[fi].Examples.NoMatch {
			if ms = one.Tag(ex, ms[:0]); len(ms) > 0 {
				bad = true
				break
			}
		}
		if bad {
			continue
		}
		fn := feats.Content[fi]
		terms := mapValue(fn, "terms")
		switch {
		case terms == nil:
			fn.Content = append(fn.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "terms"},
				&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"})
			terms = fn.Content[len(fn.Content)-1]
		case terms.Kind == yaml.ScalarNode && terms.Tag == "!!null":
			*terms = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		case terms.Kind == yaml.ScalarNode:
			v := *terms
			*terms = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{&v}}
		}
		terms.Style = 0 // block style, so each added term carries its comment
		comment := fmt.Sprintf("suggested: %d posts of %s, %d elsewhere", s.Posts, s.Feature, s.Elsewhere)
		if s.Similarity != 0 {
			comment = fmt.Sprintf("suggested: similar to %s's words (%.2f), %d posts of it, %d elsewhere", s.Feature, s.Similarity, s.Posts, s.Elsewhere)
		}
		terms.Content = append(terms.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.Term, LineComment: comment})
		added = append(added, s)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, nil, err
	}
	out := buf.Bytes()
	nt, err := ParseTaxonomy(out, source)
	if err != nil {
		return nil, nil, err
	}
	if ps := Check(nt); len(ps) > 0 && len(Check(t)) == 0 {
		return nil, nil, &ProblemsError{Problems: ps}
	}
	return out, added, nil
}

// mapValue returns the value of key in a YAML mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
