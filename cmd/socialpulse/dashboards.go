package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/socialpulse/socialpulse/dashboards"
)

// envGrafanaToken holds the Grafana token when --token-file is not given.
const envGrafanaToken = "SOCIALPULSE_GRAFANA_TOKEN"

// runDashboards is "socialpulse dashboards push": provision the Grafana
// folder, data source and dashboards.
func runDashboards(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprintln(stderr, "Usage: socialpulse dashboards push --grafana-url URL [flags]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "  push   create or update the Grafana folder, the Prometheus data source and the")
		fmt.Fprintln(stderr, "         dashboards (brand health, IT priorities, pipeline health); idempotent,")
		fmt.Fprintln(stderr, "         --dry-run prints what it would send. Token from "+envGrafanaToken+" or --token-file.")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Run 'socialpulse dashboards push --help' for its flags.")
		if len(args) == 0 {
			return usageErrorf("want a subcommand: push")
		}
		return flag.ErrHelp
	}
	if args[0] != "push" {
		return usageErrorf("unknown subcommand %q (want push)", args[0])
	}
	return runDashboardsPush(ctx, args[1:], stdout, stderr)
}

func runDashboardsPush(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dashboards push", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: socialpulse dashboards push --grafana-url URL [flags]")
		fmt.Fprintln(fs.Output(), "Creates or updates the Grafana folder, the Prometheus data source (with --prometheus-url, if missing)")
		fmt.Fprintln(fs.Output(), "and the socialpulse dashboards. Unchanged objects are not written, so running it twice changes nothing.")
		fmt.Fprintln(fs.Output(), "The token comes from --token-file or "+envGrafanaToken+"; it is never printed.")
		fs.PrintDefaults()
	}
	grafanaURL := fs.String("grafana-url", "", "Grafana base `URL`, e.g. http://localhost:3000 (required)")
	tokenFile := fs.String("token-file", "", "read the Grafana service account token from `FILE` (default: env "+envGrafanaToken+")")
	folder := fs.String("folder", dashboards.FolderTitle, "Grafana folder `title` for the dashboards")
	folderUID := fs.String("folder-uid", dashboards.FolderUID, "the folder's `uid`")
	promURL := fs.String("prometheus-url", "", "create the Prometheus data source with this `URL` (as Grafana reaches it) if it is missing")
	dryRun := fs.Bool("dry-run", false, "read from Grafana and print the writes (method, path, body) instead of sending them")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	if *grafanaURL == "" {
		return usageErrorf("--grafana-url is required")
	}
	u, err := url.Parse(*grafanaURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErrorf("--grafana-url: want http(s)://host[:port][/path]")
	}
	token, err := grafanaToken(*tokenFile)
	if err != nil {
		return err
	}

	o := dashboards.PushOptions{
		GrafanaURL: *grafanaURL, Token: token, FolderUID: *folderUID, FolderTitle: *folder,
		PrometheusURL: *promURL, DryRun: *dryRun, DryRunOut: stdout,
	}
	// The report goes to stdout, except in a dry run, whose stdout is the
	// list of writes.
	report, mode := stdout, "pushed to"
	if *dryRun {
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

// grafanaToken reads the token from file, or else from the environment.
func grafanaToken(file string) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv(envGrafanaToken)), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err) // *PathError names the file, not its content
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty", file)
	}
	return tok, nil
}
