package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/api/incidents/report"
	"github.com/socialpulse/socialpulse/incident"
	"github.com/socialpulse/socialpulse/internal/cliout"
)

// runIncidents is "socialpulse incidents list|show|milestone|report":
// incidents through the processor's API.
func runIncidents(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, "Usage: socialpulse incidents <list|show|milestone|report> [flags]")
		fmt.Fprintln(stderr, "  list                       incidents, newest first (--since --from --to --state)")
		fmt.Fprintln(stderr, "  show ID                    one incident: spikes, milestones, measures, posts")
		fmt.Fprintln(stderr, "  milestone ID TYPE TEXT...  record acknowledged, statement, status_page, fix_deployed, resolved or note (write token)")
		fmt.Fprintln(stderr, "  report ID [--out FILE]     a self-contained HTML report (--markdown for Markdown)")
		fmt.Fprintln(stderr, "ID is an incident's id or any of its spikes' ids. The API is --api (default env "+envAPIURL+" or "+defaultAPIURL+");")
		fmt.Fprintln(stderr, "the token is read from --token-file or env "+envAPIToken+" and never printed.")
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		usage()
		if len(args) == 0 {
			return usageErrorf("want a subcommand: list, show, milestone or report")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "list":
		return incidentsList(ctx, args[1:], stdout, stderr)
	case "show":
		return incidentsShow(ctx, args[1:], stdout, stderr)
	case "milestone":
		return incidentsMilestone(ctx, args[1:], stdin, stdout, stderr)
	case "report":
		return incidentsReport(ctx, args[1:], stdout, stderr)
	}
	usage()
	return usageErrorf("unknown subcommand %q (want list, show, milestone or report)", args[0])
}

func incidentsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("incidents list", "[flags]", "Lists incidents (spikes that overlap in time, grouped), newest first.", stderr)
	var cf clientFlags
	cf.register(fs)
	from := fs.String("from", "", "incidents ending at or after this RFC 3339 `time` (default: 7 days ago)")
	to := fs.String("to", "", "incidents starting before this RFC 3339 `time` (default: now)")
	var since time.Duration
	fs.Var(longDuration{&since}, "since", "incidents in this last `duration`, e.g. 24h or 2d (instead of --from)")
	state := fs.String("state", "", "only `open` or resolved incidents")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	if since < 0 || (since > 0 && *from != "") {
		return usageErrorf("--since must be positive and not combined with --from")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	q := url.Values{}
	if since > 0 {
		*from = time.Now().Add(-since).UTC().Format(time.RFC3339)
	}
	for k, v := range map[string]string{"from": *from, "to": *to, "state": *state} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var l incidents.List
	if err := c.GetJSON(ctx, "/api/v1/incidents", q, &l); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(l)
	}
	if err := cliout.IncidentTable(stdout, l); err != nil {
		return err
	}
	if len(l.Incidents) == 0 {
		fmt.Fprintln(stderr, "no incidents match")
	}
	if l.Truncated {
		fmt.Fprintln(stderr, "warning: the range holds more spikes than one request groups; narrow it with --from and --to")
	}
	return nil
}

func incidentsShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("incidents show", "[flags] ID", "Shows one incident: its spikes, milestones, measures and posts.", stderr)
	var cf clientFlags
	cf.register(fs)
	asJSON := fs.Bool("json", false, "print the API's JSON")
	id, rest := splitID(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if fs.NArg() != 0 || id == "" {
		return usageErrorf("want one incident id: socialpulse incidents show [flags] ID")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	d, raw, err := c.Incident(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := stdout.Write(raw)
		return err
	}
	return report.Markdown(stdout, d)
}

func incidentsMilestone(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("incidents milestone", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: socialpulse incidents milestone [flags] ID TYPE [TEXT...]   (TEXT \"-\" reads it from stdin)")
		fmt.Fprintln(fs.Output(), "TYPE is acknowledged, statement, status_page, fix_deployed, resolved or note (a note needs TEXT).")
		fs.PrintDefaults()
	}
	var cf clientFlags
	cf.register(fs)
	author := fs.String("author", "", "the milestone's author (default: the token's name)")
	at := fs.String("time", "", "when it happened, RFC 3339 (default: now), e.g. when the statement was posted")
	asJSON := fs.Bool("json", false, "print the stored milestone as JSON")
	id, rest := splitID(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	words := fs.Args()
	if id == "" && len(words) > 0 {
		id, words = words[0], words[1:]
	}
	if id == "" || len(words) == 0 {
		return usageErrorf("want an incident id and a milestone type: socialpulse incidents milestone ID TYPE [TEXT...]")
	}
	typ, text := words[0], strings.Join(words[1:], " ")
	if !incident.MilestoneType(typ).Valid() {
		return usageErrorf("milestone type %q: want acknowledged, statement, status_page, fix_deployed, resolved or note", typ)
	}
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 64<<10))
		if err != nil {
			return err
		}
		text = string(b)
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	var created struct {
		Milestone struct {
			Type   string    `json:"type"`
			Author string    `json:"author"`
			Text   string    `json:"text"`
			Time   time.Time `json:"time"`
		} `json:"milestone"`
	}
	in := incidents.MilestoneInput{Type: typ, Text: text, Author: *author, Time: *at}
	if err := c.PostJSON(ctx, "/api/v1/incidents/"+url.PathEscape(id)+"/milestones", in, &created); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(created.Milestone)
	}
	m := created.Milestone
	cliout.MilestoneRecorded(stdout, m.Type, id, m.Author, m.Time)
	return nil
}

func incidentsReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("incidents report", "[flags] ID", "Writes a self-contained post-incident report: HTML (no external requests) or, with --markdown, Markdown.", stderr)
	var cf clientFlags
	cf.register(fs)
	out := fs.String("out", "", "write the report to `FILE` instead of stdout")
	markdown := fs.Bool("markdown", false, "write Markdown instead of HTML")
	id, rest := splitID(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if fs.NArg() != 0 || id == "" {
		return usageErrorf("want one incident id: socialpulse incidents report [flags] ID")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	d, _, err := c.Incident(ctx, id)
	if err != nil {
		return err
	}
	write := report.HTML
	if *markdown {
		write = report.Markdown
	}
	if *out == "" {
		return write(stdout, d)
	}
	// Written whole or not at all: a failure leaves no half file.
	if _, err := cliout.WriteFile(*out, ".incident-*", "report", func(w io.Writer) error { return write(w, d) }); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", *out)
	return nil
}
