// Package dashboards holds socialpulse's Grafana dashboards (the *.json
// files beside this file, embedded in the binary) and pushes them to a
// Grafana server through its HTTP API.
//
// The dashboards query Prometheus through a "datasource" template variable
// and carry stable uids, never numeric ids, so the same JSON works when
// provisioned from files (deploy/grafana) and when pushed with
// "socialpulse dashboards push". The metric names they use are an API:
// renaming one breaks a dashboard, and the tests in e2e/ and deploy/ check
// every query against a real Prometheus and against the processor's metric
// registry.
//
// Non-goals: creating alert rules, users or permissions in Grafana, and
// deleting dashboards it no longer ships (push reports them instead).
package dashboards

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

//go:embed *.json
var files embed.FS

// Well-known names shared by the dashboards, the push command and the
// provisioning files in deploy/.
const (
	// DatasourceUID is the uid of the Prometheus data source that push
	// creates and deploy/ provisions; the dashboards' datasource variable
	// selects it by default.
	DatasourceUID = "socialpulse-prometheus"
	// DatasourceName is that data source's display name.
	DatasourceName = "socialpulse Prometheus"
	// FolderUID and FolderTitle are the default Grafana folder.
	FolderUID   = "socialpulse"
	FolderTitle = "socialpulse"
	// Tag is on every dashboard, and spike annotations carry it: the
	// dashboards' "Spikes" annotation query selects annotations by it.
	Tag = "socialpulse"
)

// Dashboard is one embedded dashboard.
type Dashboard struct {
	File  string // file name in this directory, e.g. brand-health.json
	UID   string
	Title string
	// JSON is the file's content, exactly as shipped.
	JSON []byte
}

// Model returns a fresh decoded copy of the dashboard JSON, safe to modify.
func (d Dashboard) Model() (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(d.JSON, &m); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", d.File, err)
	}
	return m, nil
}

// Target is one query of one panel.
type Target struct {
	Dashboard string // dashboard uid
	Panel     string // panel title
	RefID     string
	Expr      string // PromQL, with Grafana variables such as $__rate_interval unexpanded
	Instant   bool
}

// Variable is a dashboard template variable.
type Variable struct {
	Name  string
	Type  string // datasource, query, ...
	Query string // for query variables, e.g. label_values(metric, label)
}

// All returns the embedded dashboards in file name order.
func All() ([]Dashboard, error) {
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make([]Dashboard, 0, len(names))
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var head struct {
			UID   string `json:"uid"`
			Title string `json:"title"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", name, err)
		}
		if head.UID == "" || head.Title == "" {
			return nil, fmt.Errorf("dashboard %s: uid and title are required", name)
		}
		out = append(out, Dashboard{File: path.Base(name), UID: head.UID, Title: head.Title, JSON: data})
	}
	return out, nil
}

type panelJSON struct {
	Title   string      `json:"title"`
	Targets []targetRaw `json:"targets"`
	Panels  []panelJSON `json:"panels"` // a collapsed row holds its panels
}

type targetRaw struct {
	RefID   string `json:"refId"`
	Expr    string `json:"expr"`
	Instant bool   `json:"instant"`
}

// Targets lists every query of every panel, including panels inside rows.
func (d Dashboard) Targets() ([]Target, error) {
	var doc struct {
		Panels []panelJSON `json:"panels"`
	}
	if err := json.Unmarshal(d.JSON, &doc); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", d.File, err)
	}
	var out []Target
	var walk func([]panelJSON)
	walk = func(ps []panelJSON) {
		for _, p := range ps {
			for _, t := range p.Targets {
				out = append(out, Target{Dashboard: d.UID, Panel: p.Title, RefID: t.RefID, Expr: t.Expr, Instant: t.Instant})
			}
			walk(p.Panels)
		}
	}
	walk(doc.Panels)
	return out, nil
}

// Variables lists the dashboard's template variables.
func (d Dashboard) Variables() ([]Variable, error) {
	var doc struct {
		Templating struct {
			List []struct {
				Name  string          `json:"name"`
				Type  string          `json:"type"`
				Query json.RawMessage `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(d.JSON, &doc); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", d.File, err)
	}
	out := make([]Variable, 0, len(doc.Templating.List))
	for _, v := range doc.Templating.List {
		q, err := variableQuery(v.Query)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: variable %s: %w", d.File, v.Name, err)
		}
		out = append(out, Variable{Name: v.Name, Type: v.Type, Query: q})
	}
	return out, nil
}

// variableQuery reads a variable's query, which Grafana stores either as a
// string or as an object with a "query" field.
func variableQuery(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var obj struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", err
	}
	return obj.Query, nil
}

// MetricNames returns the socialpulse_* metric names that appear in the
// queries and variables of every dashboard, sorted and without duplicates.
// Histogram series keep their _bucket, _sum or _count suffix.
func MetricNames() ([]string, error) {
	all, err := All()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, d := range all {
		ts, err := d.Targets()
		if err != nil {
			return nil, err
		}
		vs, err := d.Variables()
		if err != nil {
			return nil, err
		}
		texts := make([]string, 0, len(ts)+len(vs))
		for _, t := range ts {
			texts = append(texts, t.Expr)
		}
		for _, v := range vs {
			texts = append(texts, v.Query)
		}
		for _, s := range texts {
			for _, n := range FindMetricNames(s) {
				seen[n] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// FindMetricNames returns the socialpulse_* identifiers in s, in order of
// appearance (with repeats).
func FindMetricNames(s string) []string {
	const prefix = "socialpulse_"
	var out []string
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], prefix)
		if j < 0 {
			break
		}
		start := i + j
		if start > 0 && isIdent(s[start-1]) {
			i = start + len(prefix)
			continue
		}
		end := start + len(prefix)
		for end < len(s) && isIdent(s[end]) {
			end++
		}
		out = append(out, s[start:end])
		i = end
	}
	return out
}

func isIdent(c byte) bool {
	return c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
