package config

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkNode walks a YAML node against the Go type it will be decoded into.
// It reports the first unknown key (with the closest known key as a
// suggestion) or badly typed value, naming it by its YAML path and line, and
// rewrites a scalar where a list is expected into a list (split at commas,
// as the environment overrides are), so "brokers: k1:9092" means one broker.
func checkNode(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if isNull(n) {
		return nil
	}
	switch {
	case t.Kind() == reflect.Struct && t != durationType:
		if n.Kind != yaml.MappingNode {
			return typeError(n, path, "a mapping of options")
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			sf, ok := fields[key.Value]
			if !ok {
				return unknownKey(key, join(path, key.Value), fields)
			}
			if err := checkNode(val, sf.Type, join(path, key.Value)); err != nil {
				return err
			}
		}
		return nil
	case t.Kind() == reflect.Slice:
		if n.Kind == yaml.ScalarNode {
			items := []*yaml.Node{}
			for _, part := range strings.Split(n.Value, ",") {
				if part = strings.TrimSpace(part); part != "" {
					items = append(items, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: part, Line: n.Line, Column: n.Column})
				}
			}
			n.Kind, n.Tag, n.Value, n.Style, n.Content = yaml.SequenceNode, "!!seq", "", 0, items
		}
		if n.Kind != yaml.SequenceNode {
			return typeError(n, path, "a list of "+describe(t.Elem()))
		}
		for i, item := range n.Content {
			if err := checkNode(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return typeError(n, path, describe(t))
	}
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		return typeError(n, path, describe(t))
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps the YAML names of t's fields to the fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		out[tag] = sf
	}
	return out
}

func typeError(n *yaml.Node, path, want string) error {
	got := n.Value
	switch n.Kind {
	case yaml.MappingNode:
		got = "a mapping"
	case yaml.SequenceNode:
		got = "a list"
	default:
		got = fmt.Sprintf("%q", got)
	}
	return fmt.Errorf("line %d: %s: want %s, got %s", n.Line, path, want, got)
}

func unknownKey(key *yaml.Node, path string, fields map[string]reflect.StructField) error {
	best, bestD := "", 3 // suggest only close names: at most 2 edits
	for name := range fields {
		d := editDistance(key.Value, name)
		if d < bestD || (d == bestD && name < best) {
			best, bestD = name, d
		}
	}
	if best == "" {
		for name := range fields { // a prefix of a longer key, e.g. "dlq" for "dlq_topic"
			if len(key.Value) >= 3 && strings.HasPrefix(name, key.Value) && (best == "" || name < best) {
				best = name
			}
		}
	}
	if best != "" {
		prefix := path[:len(path)-len(key.Value)]
		return fmt.Errorf("line %d: unknown option %s (did you mean %s%s?)", key.Line, path, prefix, best)
	}
	return fmt.Errorf("line %d: unknown option %s", key.Line, path)
}

// describe says in words what a value of type t looks like.
func describe(t reflect.Type) string {
	switch {
	case t == durationType:
		return "a duration such as 30s, 5m or 2h"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "a whole number"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Slice:
		return "a list of " + describe(t.Elem())
	}
	return t.String()
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
