package dashboards_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/dashboards"
)

// The dashboards the issue asks for, by uid.
var wantDashboards = []string{"socialpulse-brand-health", "socialpulse-it-priorities", "socialpulse-pipeline-health"}

func TestDashboardsAreWellFormed(t *testing.T) {
	all, err := dashboards.All()
	if err != nil {
		t.Fatal(err)
	}
	var uids []string
	for _, d := range all {
		uids = append(uids, d.UID)
	}
	if !slices.Equal(uids, wantDashboards) {
		t.Fatalf("dashboards = %v, want %v", uids, wantDashboards)
	}
	uidRule := regexp.MustCompile(`^[a-zA-Z0-9\-_]{1,40}$`)
	for _, d := range all {
		t.Run(d.File, func(t *testing.T) {
			m, err := d.Model()
			if err != nil {
				t.Fatal(err)
			}
			if !uidRule.MatchString(d.UID) {
				t.Errorf("uid %q breaks Grafana's uid rule", d.UID)
			}
			if id, ok := m["id"]; ok && id != nil {
				t.Errorf("dashboard id = %v, want null: ids are per Grafana instance", id)
			}
			if _, ok := m["version"]; ok {
				t.Error("dashboard has a version: Grafana sets it on save")
			}
			if tags, _ := m["tags"].([]any); !slices.Contains(tags, any(dashboards.Tag)) {
				t.Errorf("tags %v lack %q", tags, dashboards.Tag)
			}
			checkVariables(t, d)
			checkPanels(t, m)
			if d.UID != "socialpulse-pipeline-health" {
				checkAnnotationQueries(t, m)
			}
		})
	}
}

func checkVariables(t *testing.T, d dashboards.Dashboard) {
	t.Helper()
	vars, err := d.Variables()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, v := range vars {
		names[v.Name] = true
		if v.Type == "datasource" && (v.Name != "datasource" || v.Query != "prometheus") {
			t.Errorf("data source variable %s of type %s; want datasource over prometheus", v.Name, v.Query)
		}
	}
	if !names["datasource"] {
		t.Error("no datasource variable")
	}
	ts, err := d.Targets()
	if err != nil {
		t.Fatal(err)
	}
	// Every variable a query uses must be a Grafana built-in or defined here.
	builtin := map[string]bool{"__rate_interval": true, "__interval": true, "__range": true}
	ref := regexp.MustCompile(`\$\{?(\w+)`)
	for _, tg := range ts {
		if strings.TrimSpace(tg.Expr) == "" {
			t.Errorf("panel %q target %s has no expression", tg.Panel, tg.RefID)
		}
		for _, m := range ref.FindAllStringSubmatch(tg.Expr, -1) {
			if !builtin[m[1]] && !names[m[1]] {
				t.Errorf("panel %q uses undefined variable $%s", tg.Panel, m[1])
			}
		}
	}
}

func checkPanels(t *testing.T, m map[string]any) {
	t.Helper()
	panels, _ := m["panels"].([]any)
	if len(panels) == 0 {
		t.Fatal("no panels")
	}
	ids := map[float64]bool{}
	allowed := map[string]bool{"row": true, "timeseries": true, "stat": true, "bargauge": true, "state-timeline": true,
		"table": true, "piechart": true, "heatmap": true, "status-history": true, "gauge": true}
	for _, p := range panels {
		p := p.(map[string]any)
		title, _ := p["title"].(string)
		typ, _ := p["type"].(string)
		if !allowed[typ] {
			t.Errorf("panel %q: type %q", title, typ)
		}
		id, _ := p["id"].(float64)
		if id == 0 || ids[id] {
			t.Errorf("panel %q: id %v missing or repeated", title, p["id"])
		}
		ids[id] = true
		gp, _ := p["gridPos"].(map[string]any)
		if gp == nil || gp["w"] == nil || gp["h"] == nil {
			t.Errorf("panel %q has no gridPos", title)
		}
		if typ == "row" {
			continue
		}
		if d, _ := p["description"].(string); d == "" {
			t.Errorf("panel %q has no description", title)
		}
		checkDatasource(t, title, p["datasource"])
		targets, _ := p["targets"].([]any)
		if len(targets) == 0 {
			t.Errorf("panel %q has no queries", title)
		}
		for _, tg := range targets {
			checkDatasource(t, title, tg.(map[string]any)["datasource"])
		}
	}
}

func checkDatasource(t *testing.T, panel string, ds any) {
	t.Helper()
	m, _ := ds.(map[string]any)
	if m["type"] != "prometheus" || m["uid"] != "${datasource}" {
		b, _ := json.Marshal(ds)
		t.Errorf("panel %q: datasource %s, want {type: prometheus, uid: ${datasource}}", panel, b)
	}
}

// checkAnnotationQueries checks that spikes, milestones and incidents each
// have an enabled annotation query on Grafana's annotations by the tag
// socialpulse's alerting puts on them, each in a colour of its own.
func checkAnnotationQueries(t *testing.T, m map[string]any) {
	t.Helper()
	ann, _ := m["annotations"].(map[string]any)
	list, _ := ann["list"].([]any)
	colours := map[any]string{}
	for _, tag := range []string{dashboards.Tag, alert.MilestoneTag, alert.IncidentTag} {
		found := false
		for _, a := range list {
			a := a.(map[string]any)
			ds, _ := a["datasource"].(map[string]any)
			target, _ := a["target"].(map[string]any)
			tags, _ := target["tags"].([]any)
			if ds["type"] == "grafana" && target["type"] == "tags" && slices.Equal(tags, []any{tag}) && a["enable"] == true {
				found = true
				if other, dup := colours[a["iconColor"]]; dup {
					t.Errorf("annotations tagged %q and %q share the colour %v", other, tag, a["iconColor"])
				}
				colours[a["iconColor"]] = tag
			}
		}
		if !found {
			t.Errorf("no enabled annotation query on Grafana's annotations by tag %q", tag)
		}
	}
}

func TestMetricNames(t *testing.T) {
	names, err := dashboards.MetricNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"socialpulse_pipeline_posts_total", "socialpulse_consumer_lag_records",
		"socialpulse_matrix_redis_write_duration_seconds_bucket"} {
		if !slices.Contains(names, want) {
			t.Errorf("MetricNames lacks %s: %v", want, names)
		}
	}
	if got := dashboards.FindMetricNames(`rate(socialpulse_a_total{x="socialpulse"}[1m]) / my_socialpulse_b`); !slices.Equal(got, []string{"socialpulse_a_total"}) {
		t.Errorf("FindMetricNames = %v", got)
	}
}
