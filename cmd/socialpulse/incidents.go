package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/api/incidents/report"
	"github.com/socialpulse/socialpulse/incident"
	"github.com/socialpulse/socialpulse/internal/apiclient"
	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/cliout"
)

// runIncidents is "socialpulse incidents list|show|milestone|report":
// incidents through the processor's API.
func runIncidents(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return cli.Dispatch(args, usageText("incidents"), stderr,
		cli.Sub{Name: "list", Run: func(a []string) error { return incidentsList(ctx, a, stdout, stderr) }},
		cli.Sub{Name: "show", Run: func(a []string) error { return incidentsShow(ctx, a, stdout, stderr) }},
		cli.Sub{Name: "milestone", Run: func(a []string) error { return incidentsMilestone(ctx, a, stdin, stdout, stderr) }},
		cli.Sub{Name: "report", Run: func(a []string) error { return incidentsReport(ctx, a, stdout, stderr) }})
}

func incidentsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("incidents list", stderr)
	var cf cli.APIFlags
	var f apiclient.IncidentFilter
	cf.Register(fs)
	fs.StringVar(&f.From, "from", "", "incidents ending at or after this RFC 3339 `time` (default: 7 days ago)")
	fs.StringVar(&f.To, "to", "", "incidents starting before this RFC 3339 `time` (default: now)")
	fs.Var(cli.LongDuration{D: &f.Since}, "since", "incidents in this last `duration`, e.g. 24h or 2d (instead of --from)")
	fs.StringVar(&f.State, "state", "", "only `open` or resolved incidents")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	if err := cli.ParseNoArgs(fs, args); err != nil {
		return err
	}
	q, err := f.Query(time.Now())
	if err != nil {
		return cli.Usagef("%v", err)
	}
	c, err := cf.Client()
	if err != nil {
		return err
	}
	l, err := c.Incidents(ctx, q)
	if err != nil {
		return err
	}
	return cliout.IncidentList(stdout, stderr, l, *asJSON)
}

func incidentsShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("incidents show", stderr)
	var cf cli.APIFlags
	cf.Register(fs)
	asJSON := fs.Bool("json", false, "print the API's JSON")
	id, err := cli.ParseID(fs, args)
	if err != nil {
		return err
	}
	c, err := cf.Client()
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
	fs := newFlags("incidents milestone", stderr)
	var cf cli.APIFlags
	cf.Register(fs)
	author := fs.String("author", "", "the milestone's author (default: the token's name)")
	at := fs.String("time", "", "when it happened, RFC 3339 (default: now), e.g. when the statement was posted")
	asJSON := fs.Bool("json", false, "print the stored milestone as JSON")
	id, words, err := cli.ParseIDAndWords(fs, args)
	if err != nil {
		return err
	}
	if id == "" || len(words) == 0 {
		return cli.Usagef("want an incident id and a milestone type: socialpulse incidents milestone ID TYPE [TEXT...]")
	}
	typ := words[0]
	if !incident.MilestoneType(typ).Valid() {
		return cli.Usagef("milestone type %q: want acknowledged, statement, status_page, fix_deployed, resolved or note", typ)
	}
	text, err := cli.Text(strings.Join(words[1:], " "), stdin, 64<<10)
	if err != nil {
		return err
	}
	c, err := cf.Client()
	if err != nil {
		return err
	}
	m, err := c.AddMilestone(ctx, id, incidents.MilestoneInput{Type: typ, Text: text, Author: *author, Time: *at})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(m)
	}
	cliout.MilestoneRecorded(stdout, m.Type, id, m.Author, m.Time)
	return nil
}

func incidentsReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("incidents report", stderr)
	var cf cli.APIFlags
	cf.Register(fs)
	out := fs.String("out", "", "write the report to `FILE` instead of stdout")
	markdown := fs.Bool("markdown", false, "write Markdown instead of HTML")
	id, err := cli.ParseID(fs, args)
	if err != nil {
		return err
	}
	c, err := cf.Client()
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
