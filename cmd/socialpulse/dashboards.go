package main

import (
	"context"
	"fmt"
	"io"

	"github.com/socialpulse/socialpulse/dashboards"
	"github.com/socialpulse/socialpulse/internal/cli"
)

// envGrafanaToken holds the Grafana token when --token-file is not given.
const envGrafanaToken = "SOCIALPULSE_GRAFANA_TOKEN"

// runDashboards is "socialpulse dashboards push": provision the Grafana
// folder, data source and dashboards.
func runDashboards(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	return cli.Dispatch(args, usageText("dashboards"), stderr,
		cli.Sub{Name: "push", Run: func(a []string) error { return runDashboardsPush(ctx, a, stdout, stderr) }},
	)
}

func runDashboardsPush(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dashboards push", stderr)
	o := dashboards.PushOptions{DryRunOut: stdout}
	fs.StringVar(&o.GrafanaURL, "grafana-url", "", "Grafana base `URL`, e.g. http://localhost:3000 (required)")
	tokenFile := fs.String("token-file", "", "read the Grafana service account token from `FILE` (default: env "+envGrafanaToken+")")
	fs.StringVar(&o.FolderTitle, "folder", dashboards.FolderTitle, "Grafana folder `title` for the dashboards")
	fs.StringVar(&o.FolderUID, "folder-uid", dashboards.FolderUID, "the folder's `uid`")
	fs.StringVar(&o.PrometheusURL, "prometheus-url", "", "create the Prometheus data source with this `URL` (as Grafana reaches it) if it is missing")
	fs.BoolVar(&o.DryRun, "dry-run", false, "read from Grafana and print the writes (method, path, body) instead of sending them")
	if err := cli.ParseNoArgs(fs, args); err != nil {
		return err
	}
	if o.GrafanaURL == "" {
		return cli.Usagef("--grafana-url is required")
	}
	u, err := cli.HTTPURL(o.GrafanaURL)
	if err != nil {
		return cli.Usagef("--grafana-url: want http(s)://host[:port][/path]")
	}
	if o.Token, err = cli.Token(*tokenFile, envGrafanaToken); err != nil {
		return err
	}
	// The report goes to stdout, except in a dry run, whose stdout is the
	// list of writes.
	report, mode := stdout, "pushed to"
	if o.DryRun {
		report, mode = stderr, "dry run against"
	}
	actions, err := dashboards.Push(ctx, o)
	for _, a := range actions {
		fmt.Fprintln(report, a)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(report, "%s %s: %s\n", mode, u.Redacted(), dashboards.Summary(actions))
	return nil
}
