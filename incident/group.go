package incident

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultJoinGap is how far apart two spike episodes may be and still join
// one incident when GroupOptions.JoinGap is zero: a spike that starts
// within 15 minutes of the end of another (or while it is still going) is
// the same incident.
const DefaultJoinGap = 15 * time.Minute

// Spike is one spike episode, as the grouping sees it.
type Spike struct {
	ID string
	// Feature is the feature's id; Name its display name ("" uses ID).
	Feature string
	Name    string
	// Start is the episode's onset; End is zero while it is ongoing.
	Start, End time.Time
	// Priority runs from 1 (most urgent) to 4.
	Priority int
	// Words are the evidence words of the spike (its top words).
	Words []string
}

// Ongoing reports whether the spike has not ended.
func (s Spike) Ongoing() bool { return s.End.IsZero() }

// GroupOptions configure Group.
type GroupOptions struct {
	// JoinGap is the longest time between the end of one episode and the
	// start of the next for both to join one incident. Default:
	// DefaultJoinGap. Negative: episodes must overlap.
	JoinGap time.Duration
}

// Incident is a group of spikes whose episodes overlap in time.
type Incident struct {
	// ID is the ID of the incident's first spike (earliest Start, then
	// smallest ID), so it stays the same as later spikes join.
	ID    string
	Title string
	// Features are the affected features' ids, in order of their first
	// spike.
	Features []string
	// Priority is the most urgent (lowest) priority of the spikes.
	Priority int
	// Start is the earliest spike start; End the latest spike end, zero
	// while any spike is ongoing.
	Start, End time.Time
	// Spikes are ordered by Start, then ID.
	Spikes []Spike
	// Words are the evidence words shared by two or more of the spikes'
	// features, in order of first appearance.
	Words []string
}

// Ongoing reports whether any spike of the incident is still going.
func (in Incident) Ongoing() bool { return in.End.IsZero() }

// Contains reports whether spike id belongs to the incident.
func (in Incident) Contains(id string) bool {
	return slices.ContainsFunc(in.Spikes, func(s Spike) bool { return s.ID == id })
}

// Group joins spikes into incidents: sorted by start, a spike joins the
// current incident when it starts no later than JoinGap after the latest
// end of the incident's spikes so far (an ongoing spike never ends), and
// opens a new incident otherwise. The result depends only on the set of
// spikes, not their order, and is ordered by Start (then ID). A spike
// given twice (same ID) counts once, the later in the input winning.
func Group(spikes []Spike, o GroupOptions) []Incident {
	gap := o.JoinGap
	if gap == 0 {
		gap = DefaultJoinGap
	}
	if gap < 0 {
		gap = 0
	}
	ss := uniqueByStart(spikes)
	var out []Incident
	var cur []Spike
	var end time.Time // latest end of cur; zero: ongoing
	flush := func() {
		if len(cur) > 0 {
			out = append(out, build(cur))
		}
		cur = nil
	}
	for _, s := range ss {
		if len(cur) > 0 && !end.IsZero() && s.Start.After(end.Add(gap)) {
			flush()
		}
		if len(cur) == 0 {
			end = s.End
		} else if !end.IsZero() && (s.Ongoing() || s.End.After(end)) {
			end = s.End
		}
		cur = append(cur, s)
	}
	flush()
	return out
}

// Combine returns the one incident made of spikes, however far apart they
// are: for example the spikes that carry one incident label
// (alert.Alert.Incident), which Group could split once a bridging spike has
// taken the earlier incident's label. Its ID is the earliest spike's, which
// need not be that label. A spike given twice (same ID) counts once, the
// later in the input winning. No spikes give the zero Incident.
func Combine(spikes []Spike) Incident {
	if len(spikes) == 0 {
		return Incident{}
	}
	return build(uniqueByStart(spikes))
}

// uniqueByStart returns spikes without repeated IDs (the later wins), sorted
// by Start, then ID.
func uniqueByStart(spikes []Spike) []Spike {
	byID := make(map[string]int, len(spikes))
	var ss []Spike
	for _, s := range spikes {
		if i, ok := byID[s.ID]; ok {
			ss[i] = s
			continue
		}
		byID[s.ID] = len(ss)
		ss = append(ss, s)
	}
	slices.SortFunc(ss, func(a, b Spike) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return ss
}

// build makes the incident of spikes, which are sorted by start.
func build(spikes []Spike) Incident {
	in := Incident{ID: spikes[0].ID, Start: spikes[0].Start, Spikes: spikes, Priority: spikes[0].Priority}
	names := map[string]string{}
	wordFeatures := map[string]map[string]bool{}
	var wordOrder []string
	ongoing := false
	for _, s := range spikes {
		if _, ok := names[s.Feature]; !ok {
			in.Features = append(in.Features, s.Feature)
			names[s.Feature] = cmp.Or(s.Name, s.Feature)
		}
		if s.Priority > 0 && (in.Priority <= 0 || s.Priority < in.Priority) {
			in.Priority = s.Priority
		}
		if s.Ongoing() {
			ongoing = true
		} else if s.End.After(in.End) {
			in.End = s.End
		}
		for _, w := range s.Words {
			w = strings.ToLower(w)
			if wordFeatures[w] == nil {
				wordFeatures[w] = map[string]bool{}
				wordOrder = append(wordOrder, w)
			}
			wordFeatures[w][s.Feature] = true
		}
	}
	if ongoing {
		in.End = time.Time{}
	}
	for _, w := range wordOrder {
		if len(wordFeatures[w]) > 1 {
			in.Words = append(in.Words, w)
		}
	}
	in.Title = title(in, names)
	return in
}

// title is, for example, "Checkout + Availability: negative surge (P1)";
// past three features it ends "+ 2 more".
func title(in Incident, names map[string]string) string {
	var parts []string
	for i, f := range in.Features {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("%d more", len(in.Features)-3))
			break
		}
		parts = append(parts, names[f])
	}
	t := strings.Join(parts, " + ") + ": negative surge"
	if in.Priority > 0 {
		t += fmt.Sprintf(" (P%d)", in.Priority)
	}
	return t
}

// Find returns the incident containing spike id among incidents.
func Find(incidents []Incident, id string) (Incident, bool) {
	for _, in := range incidents {
		if in.ID == id || in.Contains(id) {
			return in, true
		}
	}
	return Incident{}, false
}

// Assign returns the incident id that a newly raised spike s carries (the
// alert's incident label, which Alertmanager groups pages by). raised are
// the spikes raised before s, and labels the incident id each of them
// carries, by spike id (a spike without one counts as carrying its own id).
// s joins the incident that Group forms of raised and s; it carries the
// label of that incident's earliest other spike, so the id already paged
// never changes, even when s's onset is earlier than the incident's start.
// A spike that joins no incident carries its own id. When s bridges two
// incidents that were apart, it takes the earlier one's label; the later
// one's spikes keep theirs.
func Assign(raised []Spike, labels map[string]string, s Spike, o GroupOptions) string {
	all := make([]Spike, 0, len(raised)+1)
	for _, r := range raised {
		if r.ID != s.ID {
			all = append(all, r)
		}
	}
	all = append(all, s)
	in, ok := Find(Group(all, o), s.ID)
	if !ok {
		return s.ID
	}
	for _, sp := range in.Spikes {
		if sp.ID == s.ID {
			continue
		}
		if l := labels[sp.ID]; l != "" {
			return l
		}
		return sp.ID
	}
	return s.ID
}

// OpenAt returns the incident open at t among incidents: one that started
// at or before t and had not ended before t (an ongoing one has not). When
// several are, the one that started last wins (then the larger ID).
func OpenAt(incidents []Incident, t time.Time) (Incident, bool) {
	var best Incident
	found := false
	for _, in := range incidents {
		if in.Start.After(t) || (!in.Ongoing() && in.End.Before(t)) {
			continue
		}
		if !found || in.Start.After(best.Start) || (in.Start.Equal(best.Start) && in.ID > best.ID) {
			best, found = in, true
		}
	}
	return best, found
}
