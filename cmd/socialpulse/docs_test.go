package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/auth"
	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/app"
	"github.com/socialpulse/socialpulse/config"
)

// The README is the user's manual. These tests keep it and the code in step
// both ways: every config option, metric, command and API route the code
// has is documented, and nothing documented is missing from the code.

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// section returns the README text from the heading that starts with title
// to the next heading of the same or a higher level.
func section(t *testing.T, doc, title string) string {
	t.Helper()
	lines := strings.Split(doc, "\n")
	start, level := -1, 0
	for i, l := range lines {
		if start < 0 {
			if h := strings.TrimLeft(l, "#"); h != l && strings.HasPrefix(strings.TrimSpace(h), title) {
				start, level = i, len(l)-len(h)
			}
			continue
		}
		if h := strings.TrimLeft(l, "#"); h != l && strings.HasPrefix(h, " ") && len(l)-len(h) <= level {
			return strings.Join(lines[start:i], "\n")
		}
	}
	if start < 0 {
		t.Fatalf("README has no section %q", title)
	}
	return strings.Join(lines[start:], "\n")
}

// tableFirstCells returns the first cell of each row of the markdown tables
// in text (header and separator rows skipped).
func tableFirstCells(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "|") || strings.HasPrefix(l, "|---") || strings.HasPrefix(l, "| ---") {
			continue
		}
		l = strings.ReplaceAll(l, `\|`, "\x00") // an escaped pipe inside a cell
		cells := strings.Split(strings.Trim(l, "|"), "|")
		if c := strings.ReplaceAll(strings.TrimSpace(cells[0]), "\x00", "|"); c != "" {
			out = append(out, c)
		}
	}
	return out
}

var backticked = regexp.MustCompile("`([^`]+)`")

// configPaths lists every option of Config by YAML path.
func configPaths(t reflect.Type, prefix string, out *[]string) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		if sf.Type.Kind() == reflect.Struct && sf.Type != reflect.TypeOf(time.Duration(0)) {
			configPaths(sf.Type, prefix+tag+".", out)
			continue
		}
		*out = append(*out, prefix+tag)
	}
}

func TestReadmeDocumentsEveryConfigOption(t *testing.T) {
	cells := tableFirstCells(section(t, readme(t), "Configuration reference"))
	documented := map[string]bool{}
	var wildcards []string
	for _, c := range cells {
		prefix := ""
		for _, m := range backticked.FindAllStringSubmatch(c, -1) {
			name := m[1]
			if name == "option" {
				continue
			}
			if strings.Contains(name, ".") {
				prefix = name[:strings.LastIndex(name, ".")+1]
			} else {
				name = prefix + name
			}
			if w, ok := strings.CutSuffix(name, ".*"); ok {
				wildcards = append(wildcards, w+".")
				continue
			}
			documented[name] = true
		}
	}
	var paths []string
	configPaths(reflect.TypeOf(config.Config{}), "", &paths)
	known := map[string]bool{}
	for _, p := range paths {
		known[p] = true
		covered := documented[p]
		for _, w := range wildcards {
			covered = covered || strings.HasPrefix(p, w)
		}
		if !covered {
			t.Errorf("config option %s is not in the README's configuration table", p)
		}
	}
	for d := range documented {
		if !known[d] {
			t.Errorf("the README's configuration table lists %s, which is not an option", d)
		}
	}
}

func TestReadmeDocumentsEveryCommand(t *testing.T) {
	cells := tableFirstCells(section(t, readme(t), "Commands"))
	for _, target := range helpTargets {
		found := false
		for _, c := range cells {
			if !strings.Contains(c, "socialpulse "+target[0]) {
				continue
			}
			if len(target) == 1 {
				found = true
				break
			}
			words := strings.FieldsFunc(c, func(r rune) bool { return r == ' ' || r == '|' || r == '`' || r == '[' || r == ']' })
			if slices.Contains(words, target[1]) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("command %q is not in the README's commands table", strings.Join(target, " "))
		}
	}
	for _, c := range cells {
		m := regexp.MustCompile("socialpulse ([a-z]+)").FindStringSubmatch(c)
		if m == nil {
			continue
		}
		if !slices.ContainsFunc(commands(), func(cmd command) bool { return cmd.name == m[1] }) {
			t.Errorf("the README's commands table lists %q, which is not a command", m[1])
		}
	}
}

// inProcessApp builds the processor against kfake and miniredis, for the
// metrics and routes it serves.
func inProcessApp(t *testing.T) (*app.App, *prometheus.Registry) {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "social.posts"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	mr := miniredis.RunT(t)
	cfg := config.Default()
	cfg.Kafka.Brokers = cluster.ListenAddrs()
	cfg.Redis.Addrs = []string{mr.Addr()}
	cfg.HTTP.Listen = "127.0.0.1:0"
	reg := prometheus.NewRegistry()
	a, err := app.New(cfg, app.Options{Logger: zaptest.NewLogger(t), Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return a, reg
}

// isRegistered reports whether reg has a metric family of that name: a
// second registration of the same name is refused.
func isRegistered(reg *prometheus.Registry, name string) bool {
	c := docsProbe{prometheus.NewDesc(name, "docs test probe", nil, nil)}
	if err := reg.Register(c); err != nil {
		return true
	}
	reg.Unregister(c)
	return false
}

type docsProbe struct{ d *prometheus.Desc }

func (p docsProbe) Describe(ch chan<- *prometheus.Desc) { ch <- p.d }
func (p docsProbe) Collect(chan<- prometheus.Metric)    {}

func TestReadmeDocumentsEveryMetric(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the processor")
	}
	verifyNoLeaks(t)
	_, reg := inProcessApp(t)
	documented := map[string]bool{}
	for _, c := range tableFirstCells(section(t, readme(t), "Metrics")) {
		for _, m := range backticked.FindAllStringSubmatch(c, -1) {
			name, _, _ := strings.Cut(m[1], "{")
			if name != "metric" {
				documented["socialpulse_"+name] = true
			}
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if n := f.GetName(); strings.HasPrefix(n, "socialpulse_") && !documented[n] {
			t.Errorf("metric %s is not in the README's metrics table", n)
		}
	}
	for name := range documented {
		if !isRegistered(reg, name) {
			t.Errorf("the README's metrics table lists %s, which the processor does not export", name)
		}
	}
}

func TestReadmeAndOpenAPIDocumentTheSameRoutes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the processor")
	}
	verifyNoLeaks(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(spikes.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	openapi := map[string]bool{}
	for p, ops := range doc.Paths {
		for method := range ops {
			openapi[strings.ToUpper(method)+" "+p] = true
		}
	}
	route := regexp.MustCompile(`^(GET|POST|PUT|DELETE|PATCH) (/[^ ?]*)`)
	documented := map[string]bool{}
	for _, c := range tableFirstCells(section(t, readme(t), "HTTP API")) {
		for _, m := range backticked.FindAllStringSubmatch(c, -1) {
			if r := route.FindStringSubmatch(m[1]); r != nil {
				documented[r[1]+" "+r[2]] = true
			}
		}
	}
	a, _ := inProcessApp(t)
	probe := map[string]bool{}
	for r := range documented {
		probe[r] = true
		if p := strings.Fields(r)[1]; strings.HasPrefix(p, "/api/v1/") && !openapi[r] {
			t.Errorf("the README documents %s, which the OpenAPI document lacks", r)
		}
	}
	for r := range openapi {
		probe[r] = true
		if !documented[r] {
			t.Errorf("the OpenAPI document has %s, which the README's API table lacks", r)
		}
	}
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for r := range probe {
		method, path, _ := strings.Cut(r, " ")
		path = strings.NewReplacer("{id}", "does-not-exist", "{ID}", "does-not-exist").Replace(path)
		req, _ := http.NewRequest(method, "http://"+a.Addr()+path, strings.NewReader("{}"))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// A route that exists answers something other than "no such route":
		// an unknown id is a 404 with a JSON error, not the mux's text.
		if resp.StatusCode == http.StatusMethodNotAllowed || (resp.StatusCode == http.StatusNotFound && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")) {
			t.Errorf("%s is documented but the processor answers %d (%s)", r, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// TestReadmeAPITableMatchesTheRoutingTable checks the README's HTTP API
// table against api.Table, the one routing table, both ways, and that each
// route that needs the write role says so in its row (and no other does).
func TestReadmeAPITableMatchesTheRoutingTable(t *testing.T) {
	route := regexp.MustCompile(`^(GET|POST|PUT|DELETE|PATCH) (/[^ ?\[]*)`)
	rows := map[string]string{} // "GET /api/v1/spikes" -> the row's text
	for _, l := range strings.Split(section(t, readme(t), "HTTP API"), "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "| `") {
			continue
		}
		first, _, _ := strings.Cut(strings.Trim(l, "|"), "|")
		for _, m := range backticked.FindAllStringSubmatch(first, -1) {
			if r := route.FindStringSubmatch(m[1]); r != nil {
				rows[r[1]+" "+r[2]] = l
			} else if strings.HasPrefix(m[1], "/") {
				rows["GET "+m[1]] = l // a bare path ("/ui/") is another GET path of that row
			}
		}
	}
	inTable := map[string]bool{}
	for _, r := range api.Table() {
		// "/{$}" is the exact path "/"; the README writes it as "GET /".
		key := r.Method + " " + strings.TrimSuffix(r.Pattern, "{$}")
		inTable[key] = true
		row, ok := rows[key]
		if !ok {
			t.Errorf("route %s is not in the README's HTTP API table", r.MuxPattern())
			continue
		}
		if says := strings.Contains(row, "`write` role"); says != (r.Role == auth.RoleWrite) {
			t.Errorf("route %s needs role %s, but its README row says %q about the write role", r.MuxPattern(), r.Role, row)
		}
	}
	for key := range rows {
		if !inTable[key] {
			t.Errorf("the README's HTTP API table lists %s, which is not in the routing table (api.Table)", key)
		}
	}
}
