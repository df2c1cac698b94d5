package dashboards

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	gapi "github.com/grafana/grafana-api-golang-client"
)

// PushOptions configure Push.
type PushOptions struct {
	// GrafanaURL is the server's base URL, e.g. http://grafana:3000.
	GrafanaURL string
	// Token is a Grafana service account token (or API key), sent as a
	// bearer token. It is never logged or printed. Empty sends none (for
	// basic auth in the URL, or an anonymous admin).
	Token string
	// FolderUID and FolderTitle name the folder the dashboards go in.
	// Defaults: FolderUID and FolderTitle.
	FolderUID   string
	FolderTitle string
	// PrometheusURL, when set, creates the Prometheus data source
	// (DatasourceUID) if Grafana does not have it. An existing data source
	// with that uid is left as it is. Empty: no data source is created.
	PrometheusURL string
	// DryRun reads from Grafana to compare, but sends no write: each write
	// is printed to DryRunOut instead, as "METHOD PATH BODY" on one line.
	DryRun    bool
	DryRunOut io.Writer
	// HTTPClient is the client to send requests with. Default: a client
	// with a 30s timeout.
	HTTPClient *http.Client
	// Dashboards to push. Default: All().
	Dashboards []Dashboard
}

// Change is what Push did (or, in a dry run, would do) to one object.
type Change string

// Changes.
const (
	Created   Change = "created"
	Updated   Change = "updated"
	Unchanged Change = "unchanged"
	Skipped   Change = "skipped"
)

// Action is one line of Push's report.
type Action struct {
	Kind   string // folder, datasource or dashboard
	UID    string
	Title  string
	Change Change
	Note   string // why, when the change needs explaining
}

func (a Action) String() string {
	s := fmt.Sprintf("%-10s %-28s %s", a.Kind, a.UID, a.Change)
	if a.Note != "" {
		s += " (" + a.Note + ")"
	}
	return s
}

// Push makes Grafana hold the folder, the data source (when
// PrometheusURL is set) and the dashboards, and reports what it changed.
// It compares with what Grafana has and writes only what differs, so a
// second run sends no write. Dashboards tagged Tag in Grafana that are not
// being pushed are reported, not deleted.
//
// Push is not atomic: it stops at the first failed request, and running it
// again continues where it stopped.
func Push(ctx context.Context, o PushOptions) ([]Action, error) {
	if o.GrafanaURL == "" {
		return nil, errors.New("grafana url is required")
	}
	u, err := url.Parse(o.GrafanaURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("grafana url %q: want http(s)://host[:port][/path]", o.GrafanaURL)
	}
	if o.FolderUID == "" {
		o.FolderUID = FolderUID
	}
	if o.FolderTitle == "" {
		o.FolderTitle = FolderTitle
	}
	if o.Dashboards == nil {
		if o.Dashboards, err = All(); err != nil {
			return nil, err
		}
	}
	base := o.HTTPClient
	if base == nil {
		base = &http.Client{Timeout: 30 * time.Second}
	}
	hc := *base
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	tr := &transport{ctx: ctx, next: rt}
	if o.DryRun {
		tr.dryRun = o.DryRunOut
		if tr.dryRun == nil {
			tr.dryRun = io.Discard
		}
	}
	hc.Transport = tr
	c, err := gapi.New(o.GrafanaURL, gapi.Config{APIKey: o.Token, Client: &hc})
	if err != nil {
		return nil, fmt.Errorf("grafana url: %w", err)
	}
	p := pusher{c: c, o: o}
	var actions []Action
	steps := []func() ([]Action, error){p.folder, p.datasource, p.dashboards}
	for _, step := range steps {
		a, err := step()
		actions = append(actions, a...)
		if err != nil {
			return actions, err
		}
	}
	return actions, nil
}

type pusher struct {
	c *gapi.Client
	o PushOptions
}

func (p pusher) folder() ([]Action, error) {
	a := Action{Kind: "folder", UID: p.o.FolderUID, Title: p.o.FolderTitle}
	f, err := p.c.FolderByUID(p.o.FolderUID)
	switch {
	case isNotFound(err):
		if _, err := p.c.NewFolder(p.o.FolderTitle, p.o.FolderUID); err != nil {
			return nil, fmt.Errorf("create folder %s: %w", p.o.FolderUID, err)
		}
		a.Change = Created
	case err != nil:
		return nil, fmt.Errorf("get folder %s: %w", p.o.FolderUID, err)
	case f.Title != p.o.FolderTitle:
		if err := p.c.UpdateFolder(p.o.FolderUID, p.o.FolderTitle); err != nil {
			return nil, fmt.Errorf("update folder %s: %w", p.o.FolderUID, err)
		}
		a.Change, a.Note = Updated, fmt.Sprintf("title was %q", f.Title)
	default:
		a.Change = Unchanged
	}
	return []Action{a}, nil
}

func (p pusher) datasource() ([]Action, error) {
	a := Action{Kind: "datasource", UID: DatasourceUID, Title: DatasourceName}
	_, err := p.c.DataSourceByUID(DatasourceUID)
	switch {
	case err == nil:
		a.Change = Unchanged
		if p.o.PrometheusURL != "" {
			a.Note = "exists; left as it is"
		}
		return []Action{a}, nil
	case !isNotFound(err):
		return nil, fmt.Errorf("get data source %s: %w", DatasourceUID, err)
	case p.o.PrometheusURL == "":
		a.Change, a.Note = Skipped, "missing; pass --prometheus-url to create it, or pick another Prometheus in the datasource variable"
		return []Action{a}, nil
	}
	if _, err := p.c.NewDataSource(PrometheusDatasource(p.o.PrometheusURL)); err != nil {
		return nil, fmt.Errorf("create data source %s: %w", DatasourceUID, err)
	}
	a.Change = Created
	return []Action{a}, nil
}

// PrometheusDatasource is the data source Push creates.
func PrometheusDatasource(prometheusURL string) *gapi.DataSource {
	return &gapi.DataSource{
		UID: DatasourceUID, Name: DatasourceName, Type: "prometheus", URL: prometheusURL, Access: "proxy",
		JSONData: map[string]any{"httpMethod": "POST", "timeInterval": "15s"},
	}
}

func (p pusher) dashboards() ([]Action, error) {
	// The search lists what Grafana has under our tag, so a dashboard this
	// version no longer ships can be reported.
	found, err := p.c.FolderDashboardSearch(url.Values{"type": {"dash-db"}, "tag": {Tag}})
	if err != nil {
		return nil, fmt.Errorf("search dashboards: %w", err)
	}
	var actions []Action
	pushing := map[string]bool{}
	for _, d := range p.o.Dashboards {
		pushing[d.UID] = true
		a, err := p.dashboard(d)
		if err != nil {
			return actions, err
		}
		actions = append(actions, a)
	}
	for _, f := range found {
		if !pushing[f.UID] {
			actions = append(actions, Action{Kind: "dashboard", UID: f.UID, Title: f.Title, Change: Skipped,
				Note: "tagged " + Tag + " but not shipped by this version; delete it in Grafana if it is obsolete"})
		}
	}
	return actions, nil
}

func (p pusher) dashboard(d Dashboard) (Action, error) {
	a := Action{Kind: "dashboard", UID: d.UID, Title: d.Title}
	want, err := d.Model()
	if err != nil {
		return a, err
	}
	want["id"] = nil
	delete(want, "version")
	a.Change = Created
	// Look the dashboard up by uid: the search misses it if its tags were
	// edited in Grafana.
	have, err := p.c.DashboardByUID(d.UID)
	switch {
	case isNotFound(err):
	case err != nil:
		return a, fmt.Errorf("get dashboard %s: %w", d.UID, err)
	default:
		if have.Meta.FolderUID == p.o.FolderUID && sameModel(have.Model, want) {
			a.Change = Unchanged
			return a, nil
		}
		a.Change = Updated
		if have.Meta.FolderUID != p.o.FolderUID {
			a.Note = fmt.Sprintf("moved from folder %q", have.Meta.FolderUID)
		}
	}
	_, err = p.c.NewDashboard(gapi.Dashboard{
		Model: want, FolderUID: p.o.FolderUID, Overwrite: true,
		Message: "socialpulse dashboards push",
	})
	if err != nil {
		return a, fmt.Errorf("save dashboard %s: %w", d.UID, err)
	}
	return a, nil
}

// sameModel compares a stored dashboard with the one to push, ignoring
// the fields Grafana sets on save (id and version).
func sameModel(have, want map[string]any) bool {
	norm := func(m map[string]any) map[string]any {
		b, err := json.Marshal(m)
		if err != nil {
			return nil
		}
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			return nil
		}
		delete(out, "id")
		delete(out, "version")
		return out
	}
	h, w := norm(have), norm(want)
	return h != nil && reflect.DeepEqual(h, w)
}

func isNotFound(err error) bool {
	var nf gapi.ErrNotFound
	return errors.As(err, &nf)
}

// transport binds requests to ctx and, in a dry run, prints each write and
// answers it without sending it. Reads always go to Grafana.
type transport struct {
	ctx    context.Context
	next   http.RoundTripper
	dryRun io.Writer // nil: send everything
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.WithContext(t.ctx)
	if t.dryRun == nil || req.Method == http.MethodGet || req.Method == http.MethodHead {
		return t.next.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	line := req.Method + " " + req.URL.EscapedPath()
	if q := req.URL.RawQuery; q != "" {
		line += "?" + q
	}
	if len(body) > 0 {
		line += " " + string(bytes.TrimSpace(body))
	}
	if _, err := fmt.Fprintln(t.dryRun, line); err != nil {
		return nil, err
	}
	// An empty object decodes into every response type the client uses.
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK (dry run)", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    io.NopCloser(strings.NewReader("{}")),
		Request: req, ContentLength: 2,
	}, nil
}

// Summary counts the actions by change, e.g. "1 created, 3 unchanged".
func Summary(actions []Action) string {
	counts := map[Change]int{}
	for _, a := range actions {
		counts[a.Change]++
	}
	var parts []string
	for _, c := range []Change{Created, Updated, Unchanged, Skipped} {
		if counts[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[c], c))
		}
	}
	if len(parts) == 0 {
		return "nothing to do"
	}
	return strings.Join(parts, ", ")
}
