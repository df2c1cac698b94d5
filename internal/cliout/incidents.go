package cliout

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/socialpulse/socialpulse/api/incidents"
)

// IncidentTable prints l's incidents as an aligned table. Features and
// titles pass through OneLine (term.Text); the other columns are the
// API's own values.
func IncidentTable(w io.Writer, l incidents.List) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STARTED\tPRIORITY\tSTATE\tSPIKES\tFEATURES\tTITLE\tID")
	for _, in := range l.Incidents {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", in.Start.Local().Format("2006-01-02 15:04"), in.PriorityLabel, in.State,
			in.SpikeCount, OneLine(strings.Join(in.Features, ","), 40), OneLine(in.Title, 60), in.ID)
	}
	return tw.Flush()
}

// IncidentList prints l on out, as the API's JSON or as a table, and, on
// msgs, that nothing matched or that the range held more spikes than the
// API grouped.
func IncidentList(out, msgs io.Writer, l incidents.List, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(out).Encode(l)
	}
	if err := IncidentTable(out, l); err != nil {
		return err
	}
	if len(l.Incidents) == 0 {
		fmt.Fprintln(msgs, "no incidents match")
	}
	if l.Truncated {
		fmt.Fprintln(msgs, "warning: the range holds more spikes than one request groups; narrow it with --from and --to")
	}
	return nil
}

// MilestoneRecorded confirms a milestone of type typ stored on incident id.
func MilestoneRecorded(w io.Writer, typ, id, author string, at time.Time) {
	fmt.Fprintf(w, "%s recorded on %s by %s at %s\n", typ, id, author, at.Local().Format("2006-01-02 15:04:05"))
}
