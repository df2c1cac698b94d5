package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/dashboards"
)

// grafanaVars stands in for Grafana's variable expansion: built-ins get a
// typical value, and the dashboards' own multi-value variables "All".
var grafanaVars = map[string]string{
	"__rate_interval": "1m",
	"__interval":      "15s",
	"__range":         "5m",
	"feature":         ".+",
	"instance":        ".+",
}

var varRef = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)`)

func expandVars(t *testing.T, expr string) string {
	return varRef.ReplaceAllStringFunc(expr, func(m string) string {
		sub := varRef.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		v, ok := grafanaVars[name]
		if !ok {
			t.Errorf("query %q uses variable $%s, which the test does not know how to expand", expr, name)
		}
		return v
	})
}

// The dashboards' queries are checked by TestSurgeRaisesOneAlertDeliveredOnce
// (spike_test.go) while a spike is open, so every panel has data to show.

// checkDashboardQueries evaluates every query of every dashboard panel
// (and every variable query) through Prometheus: each must parse, and each
// not listed in pending must return data.
func checkDashboardQueries(t *testing.T, prom *prometheus, pending map[string]string) {
	t.Helper()
	all, err := dashboards.All()
	if err != nil {
		t.Fatal(err)
	}
	seenPending := map[string]bool{}
	var skipped []string
	checked := 0
	for _, d := range all {
		targets, err := d.Targets()
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range targets {
			key := tg.Dashboard + "/" + tg.Panel + "/" + tg.RefID
			expr := expandVars(t, tg.Expr)
			n, err := prom.query(expr)
			if err != nil {
				t.Errorf("%s: %v\n  query: %s", key, err, expr)
				continue
			}
			checked++
			metric, pending := pending[key]
			if pending {
				seenPending[key] = true
				if !strings.Contains(tg.Expr, metric) {
					t.Errorf("%s is pending on %s, which it does not use", key, metric)
				}
				if n > 0 {
					t.Logf("%s is listed as pending but returns %d series: remove it from pending", key, n)
				} else {
					skipped = append(skipped, key)
				}
				continue
			}
			if n == 0 {
				t.Errorf("%s returned no data\n  query: %s", key, expr)
			}
		}
		vars, err := d.Variables()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vars {
			if v.Type != "query" {
				continue
			}
			key := d.UID + "/$" + v.Name
			values, err := prom.labelValues(v.Query)
			if err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			if len(values) == 0 {
				t.Errorf("%s (%s) has no values", key, v.Query)
			}
			checked++
		}
	}
	for key := range pending {
		if !seenPending[key] {
			t.Errorf("pending lists %s, which no dashboard has", key)
		}
	}
	slices.Sort(skipped)
	t.Logf("evaluated %d queries; %d pending queries parsed but returned no data (their metrics are not exported yet):\n  %s",
		checked, len(skipped), strings.Join(skipped, "\n  "))
}

// prometheus is a Prometheus server started by a test.
type prometheus struct {
	addr string
	job  string
	cmd  *exec.Cmd
	done chan error
}

func startPrometheus(t *testing.T, bin string, targets ...string) *prometheus {
	t.Helper()
	dir := t.TempDir()
	const job = "socialpulse"
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: %s
    static_configs:
      - targets: [%s]
`, job, quoteAll(targets))
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "prometheus.log")
	lf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	p := &prometheus{addr: freeAddr(t), job: job, done: make(chan error, 1)}
	p.cmd = exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+p.addr,
		"--log.level=warn",
	)
	p.cmd.Stdout, p.cmd.Stderr = lf, lf
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		lf.Close()
		if t.Failed() {
			tail(t, logPath)
		}
	})
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get("http://" + p.addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("prometheus exited during start-up: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready on %s after a minute", p.addr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

type apiResponse struct {
	Status    string          `json:"status"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Data      json.RawMessage `json:"data"`
}

func (p *prometheus) get(path string, params url.Values) (json.RawMessage, error) {
	resp, err := http.Get("http://" + p.addr + path + "?" + params.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: HTTP %d: %w", path, resp.StatusCode, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s: %s: %s", path, r.ErrorType, r.Error)
	}
	return r.Data, nil
}

// query evaluates expr at the current time through /api/v1/query and
// returns how many series (or scalars) it returned.
func (p *prometheus) query(expr string) (int, error) {
	data, err := p.get("/api/v1/query", url.Values{"query": {expr}})
	if err != nil {
		return 0, err
	}
	var res struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return 0, err
	}
	switch res.ResultType {
	case "vector", "matrix":
		var series []json.RawMessage
		if err := json.Unmarshal(res.Result, &series); err != nil {
			return 0, err
		}
		return len(series), nil
	case "scalar", "string":
		return 1, nil
	}
	return 0, fmt.Errorf("unknown result type %q", res.ResultType)
}

func (p *prometheus) scalar(expr string) (float64, error) {
	data, err := p.get("/api/v1/query", url.Values{"query": {expr}})
	if err != nil {
		return 0, err
	}
	var res struct {
		Result []struct {
			Value [2]any `json:"value"`
		} `json:"result"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return 0, err
	}
	if len(res.Result) == 0 {
		return 0, fmt.Errorf("%s: no data", expr)
	}
	s, _ := res.Result[0].Value[1].(string)
	var v float64
	_, err = fmt.Sscan(s, &v)
	return v, err
}

var labelValuesQuery = regexp.MustCompile(`^label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)$`)

// labelValues answers a Grafana label_values(selector, label) variable
// query through /api/v1/label/<label>/values, as Grafana's Prometheus data
// source does.
func (p *prometheus) labelValues(q string) ([]string, error) {
	m := labelValuesQuery.FindStringSubmatch(strings.TrimSpace(q))
	if m == nil {
		return nil, fmt.Errorf("variable query %q: only label_values(selector, label) is supported", q)
	}
	data, err := p.get("/api/v1/label/"+m[2]+"/values", url.Values{"match[]": {m[1]}})
	if err != nil {
		return nil, err
	}
	var values []string
	return values, json.Unmarshal(data, &values)
}
