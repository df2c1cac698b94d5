package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/internal/apiclient"
	"github.com/socialpulse/socialpulse/internal/term"
)

// Environment variables of the spikes command (not config options).
const (
	envAPIURL   = "SOCIALPULSE_API_URL"
	envAPIToken = "SOCIALPULSE_API_TOKEN"
)

const defaultAPIURL = "http://127.0.0.1:8080"

// runSpikes is "socialpulse spikes list|show|export|note": the spike
// history through the processor's API.
func runSpikes(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, "Usage: socialpulse spikes <list|show|export|note> [flags]")
		fmt.Fprintln(stderr, "  list                 spikes, newest first (filters: --feature --priority --state --from --to --since -q)")
		fmt.Fprintln(stderr, "  show ID              one spike: evidence, sample posts, lifecycle, deliveries, notes, timeline")
		fmt.Fprintln(stderr, "  export [--out FILE]  the filtered spikes as CSV")
		fmt.Fprintln(stderr, "  note ID TEXT...      add a note to a spike (needs a write token)")
		fmt.Fprintln(stderr, "The API is --api (default env "+envAPIURL+" or "+defaultAPIURL+"); the token is read from")
		fmt.Fprintln(stderr, "--token-file or env "+envAPIToken+" and never printed.")
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		usage()
		if len(args) == 0 {
			return usageErrorf("want a subcommand: list, show, export or note")
		}
		return flag.ErrHelp
	}
	// Spikes quote customers' posts: every text mode output is filtered,
	// terminal or not (stdout is filtered already when it is a terminal).
	stderr = term.NewWriter(stderr)
	switch args[0] {
	case "list":
		return spikesList(ctx, args[1:], stdout, stderr)
	case "show":
		return spikesShow(ctx, args[1:], stdout, stderr)
	case "export":
		return spikesExport(ctx, args[1:], stdout, stderr)
	case "note":
		return spikesNote(ctx, args[1:], stdin, stdout, stderr)
	}
	usage()
	return usageErrorf("unknown subcommand %q (want list, show, export or note)", args[0])
}

// clientFlags are the connection flags of every spikes subcommand.
type clientFlags struct {
	api, tokenFile string
	timeout        time.Duration
}

func (c *clientFlags) register(fs *flag.FlagSet) {
	def := os.Getenv(envAPIURL)
	if def == "" {
		def = defaultAPIURL
	}
	fs.StringVar(&c.api, "api", def, "API base `URL` (env "+envAPIURL+")")
	fs.StringVar(&c.tokenFile, "token-file", "", "read the API token from `FILE` (default: env "+envAPIToken+")")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "bound on each request")
}

// client returns the API client of the flags, with the token of the
// environment or --token-file.
func (c *clientFlags) client() (*apiclient.Client, error) {
	u, err := url.Parse(c.api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageErrorf("--api: want http(s)://host[:port], got %q", c.api)
	}
	token := strings.TrimSpace(os.Getenv(envAPIToken))
	if c.tokenFile != "" {
		b, err := os.ReadFile(c.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("token file: %w", err) // *PathError names the file, not its content
		}
		if token = strings.TrimSpace(string(b)); token == "" {
			return nil, fmt.Errorf("token file %s is empty", c.tokenFile)
		}
	}
	return apiclient.New(apiclient.Options{Base: u, Token: token, Timeout: c.timeout,
		NoTokenHint: "set " + envAPIToken + " or --token-file"}), nil
}

// filterFlags are the list and export filters.
type filterFlags struct {
	feature, priority, state, from, to, text, order string
	since                                           time.Duration
}

func (f *filterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.feature, "feature", "", "only this feature `id`, e.g. checkout")
	fs.StringVar(&f.priority, "priority", "", "only this `priority`: 1..4 or P1..P4")
	fs.StringVar(&f.state, "state", "", "only `firing` or resolved spikes")
	fs.StringVar(&f.from, "from", "", "spikes started at or after this RFC 3339 `time`")
	fs.StringVar(&f.to, "to", "", "spikes started before this RFC 3339 `time`")
	fs.Var(longDuration{&f.since}, "since", "spikes started in this last `duration`, e.g. 24h, 2d or 1w (instead of --from)")
	fs.StringVar(&f.text, "q", "", "text search in the evidence (summary, feature, top words, sample posts)")
	fs.StringVar(&f.order, "order", "desc", "by start time: desc (newest first) or asc")
}

func (f *filterFlags) values() (url.Values, error) {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.since < 0 || (f.since > 0 && f.from != "") {
		return nil, usageErrorf("--since must be positive and not combined with --from")
	}
	if f.since > 0 {
		f.from = time.Now().Add(-f.since).UTC().Format(time.RFC3339)
	}
	set("feature", f.feature)
	set("priority", f.priority)
	set("state", f.state)
	set("from", f.from)
	set("to", f.to)
	set("q", f.text)
	if f.order != "desc" {
		set("order", f.order)
	}
	return q, nil
}

func spikesList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("spikes list", "[flags]", "Lists spikes, newest first, as a table (--json for the API's JSON).", stderr)
	var cf clientFlags
	var ff filterFlags
	cf.register(fs)
	ff.register(fs)
	limit := fs.Int("limit", 50, "spikes per page (1..500)")
	all := fs.Bool("all", false, "follow the pages to the end")
	cursor := fs.String("cursor", "", "continue after a previous page (printed on stderr)")
	asJSON := fs.Bool("json", false, "print the API's JSON (one object per page) instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	q, err := ff.values()
	if err != nil {
		return err
	}
	q.Set("limit", fmt.Sprint(*limit))
	if *cursor != "" {
		q.Set("cursor", *cursor)
	}
	var tw *tabwriter.Writer
	if !*asJSON {
		tw = tabwriter.NewWriter(term.NewWriter(stdout), 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STARTED\tFEATURE\tPRIORITY\tSTATE\tCHANGE\tSUMMARY\tID")
	}
	n := 0
	for {
		var page spikes.SpikeList
		if err := c.GetJSON(ctx, "/api/v1/spikes", q, &page); err != nil {
			return err
		}
		n += len(page.Spikes)
		if *asJSON {
			enc := json.NewEncoder(stdout)
			if err := enc.Encode(page); err != nil {
				return err
			}
		} else {
			for _, s := range page.Spikes {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.StartsAt.Local().Format("2006-01-02 15:04"),
					term.Text(s.Feature), s.PriorityLabel, s.State, formatChange(s.ChangePct), oneLine(s.Summary, 72), term.Text(s.ID))
			}
		}
		if page.NextCursor == "" {
			break
		}
		if !*all {
			if tw != nil {
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			fmt.Fprintf(stderr, "more: add --cursor %s (or --all)\n", page.NextCursor)
			return nil
		}
		q.Set("cursor", page.NextCursor)
	}
	if tw != nil {
		if err := tw.Flush(); err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintln(stderr, "no spikes match")
		}
	}
	return nil
}

func spikesShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("spikes show", "[flags] ID", "Shows one spike: its evidence, the customers' posts, its lifecycle, deliveries and notes.", stderr)
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
		return usageErrorf("want one spike id: socialpulse spikes show [flags] ID")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	resp, err := c.Do(ctx, http.MethodGet, "/api/v1/spikes/"+url.PathEscape(id), nil, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if *asJSON {
		_, err := io.Copy(stdout, resp.Body)
		return err
	}
	var d spikes.Detail
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		return fmt.Errorf("api: bad response: %w", err)
	}
	printDetail(term.NewWriter(stdout), d)
	return nil
}

// splitID takes a leading non-flag argument as the id, so that both
// "show ID --json" and "show --json ID" work.
func splitID(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

// printDetail prints d for a person. Every string from the API passes
// through termText (customers wrote the posts, anyone with a write token
// the notes); w should be a termWriter as well.
func printDetail(w io.Writer, d spikes.Detail) {
	cleanDetail(&d)
	ts := func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05 MST") }
	fmt.Fprintf(w, "%s\n", d.Summary)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "id\t%s\n", d.ID)
	fmt.Fprintf(tw, "feature\t%s (%s), owner %s, criticality %d\n", d.FeatureName, d.Feature, orDash(d.Owner), d.Criticality)
	fmt.Fprintf(tw, "priority\t%s\n", d.PriorityLabel)
	state := string(d.State)
	if !d.EndsAt.IsZero() {
		state += " at " + ts(d.EndsAt)
	}
	fmt.Fprintf(tw, "state\t%s\n", state)
	fmt.Fprintf(tw, "started\t%s\n", ts(d.StartsAt))
	fmt.Fprintf(tw, "change\t%s: %.0f negative posts in %s vs %.1f expected\n", formatChange(d.ChangePct), d.Current, d.Window, d.Baseline)
	fmt.Fprintf(tw, "evidence\tnegative share %.0f%%, %d distinct authors, reach %.0f, p-value %.2g, score %.2f\n", 100*d.NegativeShare, d.DistinctAuthors, d.Reach, d.PValue, d.Score)
	if len(d.TopWords) > 0 {
		fmt.Fprintf(tw, "top words\t%s\n", strings.Join(d.TopWords, ", "))
	}
	if d.DashboardURL != "" {
		fmt.Fprintf(tw, "dashboard\t%s\n", d.DashboardURL)
	}
	_ = tw.Flush() // w's errors show when the caller writes next

	fmt.Fprintf(w, "\nSample posts (%d)\n", len(d.Samples))
	for _, s := range d.Samples {
		who := s.Author
		if who == "" {
			who = "?"
		}
		fmt.Fprintf(w, "  %s  %s: %s\n", s.Time.Local().Format("15:04"), who, oneLine(s.Text, 120))
	}
	if tl := d.Timeline; tl != nil && len(tl.Points) > 0 {
		var peak int64
		for _, p := range tl.Points {
			peak = max(peak, p.Negative)
		}
		line := sparkline(tl.Points, peak)
		if peak == 0 {
			line = "(none in the matrix: it may have expired)"
		}
		fmt.Fprintf(w, "\nNegative posts per %s, %s to %s (peak %d)\n  %s\n", tl.Step, tl.From.Local().Format("15:04"),
			tl.To.Local().Format("15:04"), peak, line)
	}
	fmt.Fprintf(w, "\nLifecycle\n")
	for _, v := range d.Versions {
		fmt.Fprintf(w, "  #%d  %s  %-8s %s  %s\n", v.Sequence, v.UpdatedAt.Local().Format("2006-01-02 15:04"), v.State, v.PriorityLabel, oneLine(v.Summary, 80))
	}
	if len(d.Deliveries) > 0 {
		fmt.Fprintf(w, "\nDeliveries\n")
		for _, dl := range d.Deliveries {
			line := fmt.Sprintf("  #%d  %-14s %s after %d attempt(s)", dl.Sequence, dl.Receiver, dl.State, dl.Attempts)
			if dl.LastError != "" {
				line += ": " + oneLine(dl.LastError, 80)
			}
			fmt.Fprintln(w, line)
		}
	}
	fmt.Fprintf(w, "\nNotes (%d)\n", len(d.Notes))
	for _, n := range d.Notes {
		fmt.Fprintf(w, "  %s  %s: %s\n", n.Time.Local().Format("2006-01-02 15:04"), n.Author, n.Text)
	}
	for _, warn := range d.Warnings {
		fmt.Fprintf(w, "\nwarning: %s\n", warn)
	}
}

func spikesExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("spikes export", "[flags]", "Writes the filtered spike list as CSV, for a spreadsheet.", stderr)
	var cf clientFlags
	var ff filterFlags
	cf.register(fs)
	ff.register(fs)
	limit := fs.Int("limit", spikes.MaxExportRows, "most rows")
	out := fs.String("out", "", "write the CSV to `FILE` instead of stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	q, err := ff.values()
	if err != nil {
		return err
	}
	q.Set("limit", fmt.Sprint(*limit))
	resp, err := c.Do(ctx, http.MethodGet, "/api/v1/spikes.csv", q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if *out == "" {
		_, err := io.Copy(stdout, resp.Body)
		return err
	}
	// Write beside the target and rename, so a failed export leaves no
	// half file under the name asked for.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".spikes-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing to remove
	n, err := io.Copy(tmp, resp.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%d bytes)\n", *out, n)
	return nil
}

func spikesNote(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("spikes note", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: socialpulse spikes note [flags] ID TEXT...   (TEXT \"-\" reads it from stdin)")
		fs.PrintDefaults()
	}
	var cf clientFlags
	cf.register(fs)
	author := fs.String("author", "", "the note's author (default: the token's name)")
	asJSON := fs.Bool("json", false, "print the stored note as JSON")
	id, rest := splitID(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	words := fs.Args()
	if id == "" && len(words) > 0 {
		id, words = words[0], words[1:]
	}
	if id == "" || len(words) == 0 {
		return usageErrorf("want a spike id and the note's text: socialpulse spikes note ID TEXT...")
	}
	text := strings.Join(words, " ")
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 64<<10))
		if err != nil {
			return err
		}
		text = string(b)
	}
	if strings.TrimSpace(text) == "" {
		return usageErrorf("the note's text is empty")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	var created struct {
		Note struct {
			Author string    `json:"author"`
			Text   string    `json:"text"`
			Time   time.Time `json:"time"`
		} `json:"note"`
	}
	if err := c.PostJSON(ctx, "/api/v1/spikes/"+url.PathEscape(id)+"/notes", spikes.NoteInput{Text: text, Author: *author}, &created); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(created.Note)
	}
	fmt.Fprintf(term.NewWriter(stdout), "note added to %s by %s at %s\n", term.Text(id), term.Text(created.Note.Author), created.Note.Time.Local().Format("2006-01-02 15:04:05"))
	return nil
}

// formatChange prints a change over baseline: +310%.
func formatChange(pct float64) string { return fmt.Sprintf("%+.0f%%", pct) }

// oneLine flattens s to one line of at most n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(term.Text(s)), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// cleanDetail makes every string of d safe to print on a terminal, on one
// line.
func cleanDetail(d *spikes.Detail) {
	for _, p := range []*string{&d.ID, &d.Summary, &d.Feature, &d.FeatureName, &d.Owner, &d.DashboardURL} {
		*p = term.Text(*p)
	}
	for i := range d.TopWords {
		d.TopWords[i] = term.Text(d.TopWords[i])
	}
	for i := range d.Samples {
		d.Samples[i].Author, d.Samples[i].Text = term.Text(d.Samples[i].Author), term.Text(d.Samples[i].Text)
	}
	for i := range d.Versions {
		d.Versions[i].Summary = term.Text(d.Versions[i].Summary)
	}
	for i := range d.Deliveries {
		d.Deliveries[i].Receiver, d.Deliveries[i].LastError = term.Text(d.Deliveries[i].Receiver), term.Text(d.Deliveries[i].LastError)
	}
	for i := range d.Notes {
		d.Notes[i].Author, d.Notes[i].Text = term.Text(d.Notes[i].Author), term.Text(d.Notes[i].Text)
	}
	for i := range d.Warnings {
		d.Warnings[i] = term.Text(d.Warnings[i])
	}
}

// sparkline draws the negative counts with block characters.
func sparkline(ps []spikes.TimelinePoint, peak int64) string {
	const bars = "▁▂▃▄▅▆▇█"
	levels := []rune(bars)
	var b strings.Builder
	for _, p := range ps {
		if peak == 0 || p.Negative == 0 {
			b.WriteRune(' ')
			continue
		}
		i := int(p.Negative * int64(len(levels)-1) / peak)
		b.WriteRune(levels[i])
	}
	return b.String()
}
