package cliout

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/internal/term"
)

// SpikeTable prints pages of a spike list as one aligned table. Its output
// passes through a term.Writer.
type SpikeTable struct {
	tw *tabwriter.Writer
}

// NewSpikeTable starts a table on w with its header line.
func NewSpikeTable(w io.Writer) *SpikeTable {
	tw := tabwriter.NewWriter(term.NewWriter(w), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STARTED\tFEATURE\tPRIORITY\tSTATE\tCHANGE\tSUMMARY\tID")
	return &SpikeTable{tw: tw}
}

// Add adds a row for each spike.
func (t *SpikeTable) Add(ss []spikes.Spike) {
	for _, s := range ss {
		fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.StartsAt.Local().Format("2006-01-02 15:04"),
			term.Text(s.Feature), s.PriorityLabel, s.State, FormatChange(s.ChangePct), OneLine(s.Summary, 72), term.Text(s.ID))
	}
}

// Flush writes the rows added so far, aligned.
func (t *SpikeTable) Flush() error { return t.tw.Flush() }

// SpikeList prints the pages of a spike list: the API's JSON, one object
// per page, or one table; then, on msgs, where the list goes on or that
// nothing matched.
type SpikeList struct {
	out, msgs io.Writer
	table     *SpikeTable
	n         int
}

// NewSpikeList prints a spike list on out, as JSON or a table, and its
// messages on msgs.
func NewSpikeList(out, msgs io.Writer, asJSON bool) *SpikeList {
	l := &SpikeList{out: out, msgs: msgs}
	if !asJSON {
		l.table = NewSpikeTable(out)
	}
	return l
}

// Page prints one page.
func (l *SpikeList) Page(p spikes.SpikeList) error {
	l.n += len(p.Spikes)
	if l.table == nil {
		return json.NewEncoder(l.out).Encode(p)
	}
	l.table.Add(p.Spikes)
	return nil
}

// Close ends the list: it flushes the table and says how to read on from
// next, the cursor of the next page ("" when the list ended), or that no
// spike matched.
func (l *SpikeList) Close(next string) error {
	if l.table != nil {
		if err := l.table.Flush(); err != nil {
			return err
		}
	}
	if next != "" {
		fmt.Fprintf(l.msgs, "more: add --cursor %s (or --all)\n", next)
		return nil
	}
	if l.table != nil && l.n == 0 {
		fmt.Fprintln(l.msgs, "no spikes match")
	}
	return nil
}

// SpikeDetail prints d for a person. Every string from the API passes
// through term.Text (customers wrote the posts, anyone with a write token
// the notes); w should be a term.Writer as well.
func SpikeDetail(w io.Writer, d spikes.Detail) {
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
	fmt.Fprintf(tw, "change\t%s: %.0f negative posts in %s vs %.1f expected\n", FormatChange(d.ChangePct), d.Current, d.Window, d.Baseline)
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
		fmt.Fprintf(w, "  %s  %s: %s\n", s.Time.Local().Format("15:04"), who, OneLine(s.Text, 120))
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
		fmt.Fprintf(w, "  #%d  %s  %-8s %s  %s\n", v.Sequence, v.UpdatedAt.Local().Format("2006-01-02 15:04"), v.State, v.PriorityLabel, OneLine(v.Summary, 80))
	}
	if len(d.Deliveries) > 0 {
		fmt.Fprintf(w, "\nDeliveries\n")
		for _, dl := range d.Deliveries {
			line := fmt.Sprintf("  #%d  %-14s %s after %d attempt(s)", dl.Sequence, dl.Receiver, dl.State, dl.Attempts)
			if dl.LastError != "" {
				line += ": " + OneLine(dl.LastError, 80)
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

// NoteAdded confirms a note stored on spike id, through a term.Writer.
func NoteAdded(w io.Writer, id, author string, at time.Time) {
	fmt.Fprintf(term.NewWriter(w), "note added to %s by %s at %s\n", term.Text(id), term.Text(author), at.Local().Format("2006-01-02 15:04:05"))
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
