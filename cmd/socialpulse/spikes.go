package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/cliout"
	"github.com/socialpulse/socialpulse/internal/term"
)

// runSpikes is "socialpulse spikes list|show|export|note": the spike
// history through the processor's API.
func runSpikes(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	// Spikes quote customers' posts: every text mode output is filtered,
	// terminal or not (stdout is filtered already when it is a terminal).
	msgs := term.NewWriter(stderr)
	return cli.Dispatch(args, usageText("spikes"), stderr,
		cli.Sub{Name: "list", Run: func(a []string) error { return spikesList(ctx, a, stdout, msgs) }},
		cli.Sub{Name: "show", Run: func(a []string) error { return spikesShow(ctx, a, stdout, msgs) }},
		cli.Sub{Name: "export", Run: func(a []string) error { return spikesExport(ctx, a, stdout, msgs) }},
		cli.Sub{Name: "note", Run: func(a []string) error { return spikesNote(ctx, a, stdin, stdout, msgs) }})
}

func spikesList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("spikes list", stderr)
	var cf cli.APIFlags
	var f cli.SpikeFilterFlags
	cf.Register(fs)
	f.Register(fs)
	limit := fs.Int("limit", 50, "spikes per page (1..500)")
	all := fs.Bool("all", false, "follow the pages to the end")
	cursor := fs.String("cursor", "", "continue after a previous page (printed on stderr)")
	asJSON := fs.Bool("json", false, "print the API's JSON (one object per page) instead of a table")
	if err := cli.ParseNoArgs(fs, args); err != nil {
		return err
	}
	c, err := cf.Client()
	if err != nil {
		return err
	}
	q, err := f.Query(time.Now())
	if err != nil {
		return err
	}
	q.Set("limit", fmt.Sprint(*limit))
	if *cursor != "" {
		q.Set("cursor", *cursor)
	}
	l := cliout.NewSpikeList(stdout, stderr, *asJSON)
	next, err := c.SpikePages(ctx, q, *all, l.Page)
	if err != nil {
		return err
	}
	return l.Close(next)
}

func spikesShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("spikes show", stderr)
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
	d, raw, err := c.Spike(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := stdout.Write(raw)
		return err
	}
	cliout.SpikeDetail(term.NewWriter(stdout), d)
	return nil
}

func spikesExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("spikes export", stderr)
	var cf cli.APIFlags
	var f cli.SpikeFilterFlags
	cf.Register(fs)
	f.Register(fs)
	limit := fs.Int("limit", spikes.MaxExportRows, "most rows")
	out := fs.String("out", "", "write the CSV to `FILE` instead of stdout")
	if err := cli.ParseNoArgs(fs, args); err != nil {
		return err
	}
	c, err := cf.Client()
	if err != nil {
		return err
	}
	q, err := f.Query(time.Now())
	if err != nil {
		return err
	}
	q.Set("limit", fmt.Sprint(*limit))
	body, err := c.SpikesCSV(ctx, q)
	if err != nil {
		return err
	}
	defer body.Close()
	if *out == "" {
		_, err := io.Copy(stdout, body)
		return err
	}
	// Written whole or not at all: a failed export leaves no half file
	// under the name asked for.
	n, err := cliout.WriteFile(*out, ".spikes-*.csv", "export", func(w io.Writer) error {
		_, err := io.Copy(w, body)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%d bytes)\n", *out, n)
	return nil
}

func spikesNote(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("spikes note", stderr)
	var cf cli.APIFlags
	cf.Register(fs)
	author := fs.String("author", "", "the note's author (default: the token's name)")
	asJSON := fs.Bool("json", false, "print the stored note as JSON")
	id, words, err := cli.ParseIDAndWords(fs, args)
	if err != nil {
		return err
	}
	if id == "" || len(words) == 0 {
		return cli.Usagef("want a spike id and the note's text: socialpulse spikes note ID TEXT...")
	}
	text, err := cli.Text(strings.Join(words, " "), stdin, 64<<10)
	if err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return cli.Usagef("the note's text is empty")
	}
	c, err := cf.Client()
	if err != nil {
		return err
	}
	n, err := c.AddNote(ctx, id, spikes.NoteInput{Text: text, Author: *author})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(n)
	}
	cliout.NoteAdded(stdout, id, n.Author, n.Time)
	return nil
}
