package dashboards_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/dashboards"
	"github.com/socialpulse/socialpulse/dashboards/grafanatest"
)

const token = "glsa_test_token_do_not_print"

func push(t *testing.T, g *grafanatest.Server, mutate ...func(*dashboards.PushOptions)) []dashboards.Action {
	t.Helper()
	o := dashboards.PushOptions{GrafanaURL: g.URL, Token: token, PrometheusURL: "http://prometheus:9090"}
	for _, m := range mutate {
		m(&o)
	}
	actions, err := dashboards.Push(context.Background(), o)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	return actions
}

func changes(actions []dashboards.Action) map[string]dashboards.Change {
	out := map[string]dashboards.Change{}
	for _, a := range actions {
		out[a.Kind+"/"+a.UID] = a.Change
	}
	return out
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
	return m
}

func TestPushCreatesFolderDatasourceAndDashboards(t *testing.T) {
	g := grafanatest.New(token)
	defer g.Close()
	all, err := dashboards.All()
	if err != nil {
		t.Fatal(err)
	}

	actions := push(t, g)
	for _, r := range g.Requests() {
		if !r.Authorized {
			t.Errorf("%s %s was sent without the bearer token", r.Method, r.Path)
		}
	}
	writes := g.Writes()
	if len(writes) != 2+len(all) {
		t.Fatalf("first push sent %d writes, want %d (folder, data source, %d dashboards): %v", len(writes), 2+len(all), len(all), writes)
	}

	// Folder: POST /api/folders {"uid", "title"}.
	if w := writes[0]; w.Method != http.MethodPost || w.Path != "/api/folders" {
		t.Errorf("write 1 = %s %s, want POST /api/folders", w.Method, w.Path)
	} else if b := decode(t, w.Body); b["uid"] != dashboards.FolderUID || b["title"] != dashboards.FolderTitle {
		t.Errorf("folder body = %s", w.Body)
	}

	// Data source: POST /api/datasources with name, type, url, access, uid.
	if w := writes[1]; w.Method != http.MethodPost || w.Path != "/api/datasources" {
		t.Errorf("write 2 = %s %s, want POST /api/datasources", w.Method, w.Path)
	} else {
		b := decode(t, w.Body)
		want := map[string]any{"uid": dashboards.DatasourceUID, "name": dashboards.DatasourceName, "type": "prometheus",
			"url": "http://prometheus:9090", "access": "proxy"}
		for k, v := range want {
			if b[k] != v {
				t.Errorf("data source %s = %v, want %v", k, b[k], v)
			}
		}
	}

	// Dashboards: POST /api/dashboards/db {"dashboard": {..., "id": null, "uid"}, "folderUid", "overwrite": true}.
	for i, d := range all {
		w := writes[2+i]
		if w.Method != http.MethodPost || w.Path != "/api/dashboards/db" {
			t.Errorf("write %d = %s %s, want POST /api/dashboards/db", 3+i, w.Method, w.Path)
			continue
		}
		b := decode(t, w.Body)
		model, _ := b["dashboard"].(map[string]any)
		if model == nil || model["uid"] != d.UID || model["title"] != d.Title {
			t.Errorf("dashboard body for %s lacks its uid or title", d.UID)
			continue
		}
		if id, ok := model["id"]; !ok || id != nil {
			t.Errorf("dashboard %s: id = %v, want null (Grafana assigns ids)", d.UID, id)
		}
		if b["folderUid"] != dashboards.FolderUID || b["overwrite"] != true {
			t.Errorf("dashboard %s: folderUid = %v, overwrite = %v", d.UID, b["folderUid"], b["overwrite"])
		}
		stored, ok := g.Dashboard(d.UID)
		if !ok || stored.FolderUID != dashboards.FolderUID {
			t.Errorf("dashboard %s not stored in folder %s", d.UID, dashboards.FolderUID)
		}
	}
	for k, c := range changes(actions) {
		if c != dashboards.Created {
			t.Errorf("%s: %s, want created", k, c)
		}
	}

	// Reads use the documented endpoints.
	var reads []string
	for _, r := range g.Requests() {
		if !r.IsWrite() {
			reads = append(reads, r.Method+" "+r.Path)
		}
	}
	wantReads := []string{"GET /api/folders/" + dashboards.FolderUID, "GET /api/datasources/uid/" + dashboards.DatasourceUID, "GET /api/search"}
	for _, d := range all {
		wantReads = append(wantReads, "GET /api/dashboards/uid/"+d.UID)
	}
	if strings.Join(reads, "\n") != strings.Join(wantReads, "\n") {
		t.Errorf("reads:\n%s\nwant:\n%s", strings.Join(reads, "\n"), strings.Join(wantReads, "\n"))
	}
}

func TestSecondPushChangesNothing(t *testing.T) {
	g := grafanatest.New(token)
	defer g.Close()
	push(t, g)
	g.Reset()

	actions := push(t, g)
	if w := g.Writes(); len(w) != 0 {
		t.Fatalf("second push sent %d writes, want none: %v", len(w), w)
	}
	for k, c := range changes(actions) {
		if c != dashboards.Unchanged {
			t.Errorf("%s: %s, want unchanged", k, c)
		}
	}
	if got := dashboards.Summary(actions); !strings.HasSuffix(got, " unchanged") || strings.Contains(got, ",") {
		t.Errorf("summary = %q, want only unchanged", got)
	}
}

func TestPushRepairsDrift(t *testing.T) {
	g := grafanatest.New(token)
	defer g.Close()
	push(t, g)
	all, _ := dashboards.All()
	edited := all[0].UID
	g.EditDashboard(edited, func(m map[string]any) { m["title"] = "edited in the UI" })
	g.SetFolderTitle(dashboards.FolderUID, "renamed")
	g.Reset()

	actions := push(t, g)
	got := changes(actions)
	if got["folder/"+dashboards.FolderUID] != dashboards.Updated {
		t.Errorf("renamed folder: %s, want updated", got["folder/"+dashboards.FolderUID])
	}
	if got["dashboard/"+edited] != dashboards.Updated {
		t.Errorf("edited dashboard: %s, want updated", got["dashboard/"+edited])
	}
	writes := g.Writes()
	if len(writes) != 2 {
		t.Fatalf("writes = %v, want the folder PUT and one dashboard POST", writes)
	}
	if w := writes[0]; w.Method != http.MethodPut || w.Path != "/api/folders/"+dashboards.FolderUID {
		t.Errorf("folder write = %s %s", w.Method, w.Path)
	} else if b := decode(t, w.Body); b["title"] != dashboards.FolderTitle || b["overwrite"] != true {
		t.Errorf("folder update body = %s", w.Body)
	}
	if w := writes[1]; w.Path != "/api/dashboards/db" {
		t.Errorf("dashboard write = %s %s", w.Method, w.Path)
	}
	stored, _ := g.Dashboard(edited)
	if stored.Model["title"] != all[0].Title || stored.Version != 3 {
		t.Errorf("dashboard after repair: title %v, version %d; want %q, 3", stored.Model["title"], stored.Version, all[0].Title)
	}
}

func TestPushLeavesAnExistingDatasourceAlone(t *testing.T) {
	tests := []struct {
		name      string
		existing  bool
		promURL   string
		want      dashboards.Change
		wantWrite bool
	}{
		{"existing data source is not touched", true, "http://other:9090", dashboards.Unchanged, false},
		{"missing without a Prometheus URL is skipped", false, "", dashboards.Skipped, false},
		{"missing with a Prometheus URL is created", false, "http://prometheus:9090", dashboards.Created, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := grafanatest.New(token)
			defer g.Close()
			if tt.existing {
				g.AddDatasource(dashboards.DatasourceUID, "mine", "prometheus", "http://mine:9090")
			}
			actions := push(t, g, func(o *dashboards.PushOptions) { o.PrometheusURL = tt.promURL })
			if got := changes(actions)["datasource/"+dashboards.DatasourceUID]; got != tt.want {
				t.Errorf("data source: %s, want %s", got, tt.want)
			}
			wrote := false
			for _, w := range g.Writes() {
				wrote = wrote || strings.HasPrefix(w.Path, "/api/datasources")
			}
			if wrote != tt.wantWrite {
				t.Errorf("data source written = %v, want %v", wrote, tt.wantWrite)
			}
			if tt.existing {
				if ds, _ := g.Datasource(dashboards.DatasourceUID); ds["url"] != "http://mine:9090" {
					t.Errorf("existing data source changed: %v", ds)
				}
			}
		})
	}
}

func TestDryRunPrintsTheWritesAPushSends(t *testing.T) {
	g := grafanatest.New(token)
	defer g.Close()

	var out bytes.Buffer
	dry := push(t, g, func(o *dashboards.PushOptions) { o.DryRun, o.DryRunOut = true, &out })
	if w := g.Writes(); len(w) != 0 {
		t.Fatalf("dry run sent %d writes: %v", len(w), w)
	}
	if strings.Contains(out.String(), token) {
		t.Fatal("dry run printed the token")
	}

	real := push(t, g)
	var want strings.Builder
	for _, w := range g.Writes() {
		want.WriteString(w.Method + " " + w.Path + " " + string(bytes.TrimSpace(w.Body)) + "\n")
	}
	if out.String() != want.String() {
		t.Errorf("dry run printed:\n%.2000s\nthe push sent:\n%.2000s", out.String(), want.String())
	}
	if a, b := changes(dry), changes(real); len(a) != len(b) {
		t.Errorf("dry run actions %v, push actions %v", a, b)
	} else {
		for k := range a {
			if a[k] != b[k] {
				t.Errorf("%s: dry run %s, push %s", k, a[k], b[k])
			}
		}
	}

	// Against an up-to-date Grafana the dry run prints nothing.
	out.Reset()
	push(t, g, func(o *dashboards.PushOptions) { o.DryRun, o.DryRunOut = true, &out })
	if out.Len() != 0 {
		t.Errorf("dry run against an up-to-date Grafana printed:\n%s", out.String())
	}
}

func TestPushReportsDashboardsItNoLongerShips(t *testing.T) {
	g := grafanatest.New(token)
	defer g.Close()
	all, _ := dashboards.All()
	push(t, g, func(o *dashboards.PushOptions) { o.Dashboards = all })
	actions := push(t, g, func(o *dashboards.PushOptions) { o.Dashboards = all[1:] })
	if got := changes(actions)["dashboard/"+all[0].UID]; got != dashboards.Skipped {
		t.Errorf("dashboard no longer shipped: %s, want skipped", got)
	}
	if _, ok := g.Dashboard(all[0].UID); !ok {
		t.Error("push deleted a dashboard")
	}
}

func TestPushErrorsNameTheStepNotTheToken(t *testing.T) {
	g := grafanatest.New("another-token")
	defer g.Close()
	_, err := dashboards.Push(context.Background(), dashboards.PushOptions{GrafanaURL: g.URL, Token: token})
	if err == nil {
		t.Fatal("push with a wrong token succeeded")
	}
	if !strings.Contains(err.Error(), "folder") || !strings.Contains(err.Error(), "401") {
		t.Errorf("error = %v, want it to name the folder step and the 401", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("error contains the token: %v", err)
	}
}

func TestPushRejectsABadURL(t *testing.T) {
	for _, u := range []string{"", "grafana:3000", "://x"} {
		if _, err := dashboards.Push(context.Background(), dashboards.PushOptions{GrafanaURL: u}); err == nil {
			t.Errorf("url %q accepted", u)
		}
	}
}
