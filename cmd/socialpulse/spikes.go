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
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/internal/apiclient"
	"github.com/socialpulse/socialpulse/internal/cliout"
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
	var table *cliout.SpikeTable
	if !*asJSON {
		table = cliout.NewSpikeTable(stdout)
	}
	n := 0
	next, err := c.SpikePages(ctx, q, *all, func(page spikes.SpikeList) error {
		n += len(page.Spikes)
		if *asJSON {
			return json.NewEncoder(stdout).Encode(page)
		}
		table.Add(page.Spikes)
		return nil
	})
	if err != nil {
		return err
	}
	if table != nil {
		if err := table.Flush(); err != nil {
			return err
		}
	}
	if next != "" {
		fmt.Fprintf(stderr, "more: add --cursor %s (or --all)\n", next)
		return nil
	}
	if table != nil && n == 0 {
		fmt.Fprintln(stderr, "no spikes match")
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
	cliout.SpikeDetail(term.NewWriter(stdout), d)
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
	// Written whole or not at all: a failed export leaves no half file
	// under the name asked for.
	n, err := cliout.WriteFile(*out, ".spikes-*.csv", "export", func(w io.Writer) error {
		_, err := io.Copy(w, resp.Body)
		return err
	})
	if err != nil {
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
	cliout.NoteAdded(stdout, id, created.Note.Author, created.Note.Time)
	return nil
}
