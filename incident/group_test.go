package incident

import (
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func spike(id, feature string, start, end, priority int, words ...string) Spike {
	s := Spike{ID: id, Feature: feature, Start: at(start), Priority: priority, Words: words}
	if end >= 0 {
		s.End = at(end)
	}
	return s
}

func ids(ins []Incident) [][]string {
	var out [][]string
	for _, in := range ins {
		var g []string
		for _, s := range in.Spikes {
			g = append(g, s.ID)
		}
		out = append(out, g)
	}
	return out
}

func TestGroupJoinsSpikesByTime(t *testing.T) {
	cases := []struct {
		name   string
		spikes []Spike
		o      GroupOptions
		want   [][]string
	}{
		{"overlapping episodes join",
			[]Spike{spike("a", "checkout", 0, 30, 1), spike("b", "availability", 5, 40, 2)}, GroupOptions{},
			[][]string{{"a", "b"}}},
		{"a start within the default gap joins",
			[]Spike{spike("a", "checkout", 0, 30, 1), spike("b", "login", 44, 50, 2)}, GroupOptions{},
			[][]string{{"a", "b"}}},
		{"a start past the default gap opens a new incident",
			[]Spike{spike("a", "checkout", 0, 30, 1), spike("b", "login", 46, 50, 2)}, GroupOptions{},
			[][]string{{"a"}, {"b"}}},
		{"a wider gap joins them",
			[]Spike{spike("a", "checkout", 0, 30, 1), spike("b", "login", 46, 50, 2)}, GroupOptions{JoinGap: 30 * time.Minute},
			[][]string{{"a", "b"}}},
		{"a negative gap needs overlap",
			[]Spike{spike("a", "checkout", 0, 30, 1), spike("b", "login", 31, 50, 2)}, GroupOptions{JoinGap: -1},
			[][]string{{"a"}, {"b"}}},
		{"an ongoing spike takes every later one",
			[]Spike{spike("a", "checkout", 0, -1, 1), spike("b", "login", 300, 310, 2)}, GroupOptions{},
			[][]string{{"a", "b"}}},
		{"a chain joins through its middle",
			[]Spike{spike("c", "search", 50, 60, 3), spike("a", "checkout", 0, 30, 1), spike("b", "login", 25, 55, 2)}, GroupOptions{},
			[][]string{{"a", "b", "c"}}},
		{"a repeated spike counts once",
			[]Spike{spike("a", "checkout", 0, 30, 1), spike("a", "checkout", 0, 35, 1)}, GroupOptions{},
			[][]string{{"a"}}},
		{"a long spike keeps the incident open past a short one",
			[]Spike{spike("a", "checkout", 0, 120, 1), spike("b", "login", 10, 20, 2), spike("c", "search", 100, 110, 3)}, GroupOptions{},
			[][]string{{"a", "b", "c"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ids(Group(c.spikes, c.o))
			if !slices.EqualFunc(got, c.want, slices.Equal) {
				t.Fatalf("groups %v, want %v", got, c.want)
			}
			rev := slices.Clone(c.spikes)
			slices.Reverse(rev)
			if c.name != "a repeated spike counts once" {
				if got := ids(Group(rev, c.o)); !slices.EqualFunc(got, c.want, slices.Equal) {
					t.Fatalf("reversed input: groups %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestGroupDescribesTheIncident(t *testing.T) {
	a := spike("a", "checkout", 0, 30, 2, "payment", "error")
	a.Name = "Checkout"
	b := spike("b", "availability", 5, 40, 1, "down", "Error")
	b.Name = "Availability"
	ins := Group([]Spike{b, a}, GroupOptions{})
	if len(ins) != 1 {
		t.Fatalf("%d incidents", len(ins))
	}
	in := ins[0]
	if in.ID != "a" || in.Priority != 1 || !in.Start.Equal(at(0)) || !in.End.Equal(at(40)) || in.Ongoing() {
		t.Fatalf("incident %+v", in)
	}
	if !slices.Equal(in.Features, []string{"checkout", "availability"}) || !slices.Equal(in.Words, []string{"error"}) {
		t.Fatalf("features %v words %v", in.Features, in.Words)
	}
	if in.Title != "Checkout + Availability: negative surge (P1)" {
		t.Fatalf("title %q", in.Title)
	}

	// A spike that joins later updates the incident without changing its id.
	c := spike("c", "login", 35, -1, 1)
	in2 := Group([]Spike{a, b, c}, GroupOptions{})[0]
	if in2.ID != "a" || !in2.Ongoing() || len(in2.Features) != 3 || in2.Title != "Checkout + Availability + login: negative surge (P1)" {
		t.Fatalf("after a late spike: %+v", in2)
	}
	if f, ok := Find([]Incident{in2}, "c"); !ok || f.ID != "a" {
		t.Fatalf("Find by member spike: %v %v", f.ID, ok)
	}
	if _, ok := Find([]Incident{in2}, "zz"); ok {
		t.Fatal("Find found an unknown spike")
	}

	many := Group([]Spike{spike("a", "f1", 0, 10, 3), spike("b", "f2", 1, 10, 3), spike("c", "f3", 2, 10, 3),
		spike("d", "f4", 3, 10, 3), spike("e", "f5", 4, 10, 4)}, GroupOptions{})[0]
	if many.Title != "f1 + f2 + f3 + 2 more: negative surge (P3)" {
		t.Fatalf("title %q", many.Title)
	}
}

func TestCombineMakesOneIncidentOfTheGivenSpikes(t *testing.T) {
	cases := []struct {
		name       string
		spikes     []Spike
		wantSpikes []string
		wantEnd    time.Time
		wantTitle  string
	}{
		{"spikes apart beyond the join gap stay one incident",
			[]Spike{spike("b", "login", 120, 150, 2), spike("a", "checkout", 0, 10, 3)},
			[]string{"a", "b"}, at(150), "checkout + login: negative surge (P2)"},
		{"an ongoing spike keeps the incident open",
			[]Spike{spike("a", "checkout", 0, 10, 3), spike("b", "checkout", 60, -1, 1)},
			[]string{"a", "b"}, time.Time{}, "checkout: negative surge (P1)"},
		{"a spike given twice counts once, the later winning",
			[]Spike{spike("a", "checkout", 0, -1, 3), spike("a", "checkout", 0, 20, 2)},
			[]string{"a"}, at(20), "checkout: negative surge (P2)"},
		{"no spikes give the zero incident", nil, nil, time.Time{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := Combine(c.spikes)
			if got := ids([]Incident{in})[0]; !slices.Equal(got, c.wantSpikes) || !in.End.Equal(c.wantEnd) || in.Title != c.wantTitle {
				t.Fatalf("Combine = spikes %v end %v title %q, want %v %v %q", got, in.End, in.Title, c.wantSpikes, c.wantEnd, c.wantTitle)
			}
		})
	}
}

func TestAssignLabelsAJoiningSpikeWithTheOpenIncident(t *testing.T) {
	cases := []struct {
		name   string
		raised []Spike
		labels map[string]string
		s      Spike
		want   string
	}{
		{"the first spike carries its own id",
			nil, nil, spike("a", "checkout", 0, -1, 1), "a"},
		{"a spike overlapping a firing one joins its incident",
			[]Spike{spike("a", "checkout", 0, -1, 1)}, map[string]string{"a": "a"}, spike("b", "availability", 5, -1, 2), "a"},
		{"a spike starting within the gap after a resolved one joins it",
			[]Spike{spike("a", "checkout", 0, 30, 1)}, map[string]string{"a": "a"}, spike("b", "login", 44, -1, 2), "a"},
		{"a spike starting past the gap opens its own incident",
			[]Spike{spike("a", "checkout", 0, 30, 1)}, map[string]string{"a": "a"}, spike("b", "login", 46, -1, 2), "b"},
		{"the label already paged is kept when the new onset is earlier",
			[]Spike{spike("a", "checkout", 10, -1, 1)}, map[string]string{"a": "a"}, spike("b", "availability", 5, -1, 2), "a"},
		{"a third spike takes the label the incident carries, not its first spike's id",
			[]Spike{spike("a", "checkout", 10, -1, 1), spike("b", "availability", 5, -1, 2)}, map[string]string{"a": "a", "b": "a"},
			spike("c", "payment", 20, -1, 2), "a"},
		{"a spike raised before labels counts as carrying its own id",
			[]Spike{spike("a", "checkout", 0, -1, 1)}, nil, spike("b", "availability", 5, -1, 2), "a"},
		{"a bridging spike takes the earlier incident's label",
			[]Spike{spike("a", "checkout", 0, 30, 1), spike("c", "search", 60, -1, 3)}, map[string]string{"a": "a", "c": "c"},
			spike("b", "login", 40, 55, 2), "a"},
		{"a new version of the same spike is not its own incident",
			[]Spike{spike("a", "checkout", 0, -1, 1)}, map[string]string{"a": "a"}, spike("a", "checkout", 0, -1, 1), "a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Assign(c.raised, c.labels, c.s, GroupOptions{}); got != c.want {
				t.Errorf("Assign = %q, want %q", got, c.want)
			}
		})
	}
}

func TestOpenAtFindsTheIncidentGoingOnAtATime(t *testing.T) {
	ins := Group([]Spike{spike("a", "checkout", 0, 30, 1), spike("b", "search", 100, -1, 2), spike("c", "login", 110, 130, 3)},
		GroupOptions{JoinGap: -1})
	// Incidents of one Group never overlap; from two groupings they may.
	ins = append(ins, Group([]Spike{spike("d", "payment", 10, 25, 2)}, GroupOptions{})...)
	cases := []struct {
		name string
		at   int
		want string // "" for none
	}{
		{"before any incident", -5, ""},
		{"at the start", 0, "a"},
		{"during a resolved incident", 5, "a"},
		{"two open: the later start wins", 20, "d"},
		{"at its end", 30, "a"},
		{"between incidents", 60, ""},
		{"during an ongoing incident", 500, "b"},
		{"a spike that joined an ongoing incident finds that incident", 120, "b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, ok := OpenAt(ins, at(c.at))
			if got := map[bool]string{true: in.ID, false: ""}[ok]; got != c.want {
				t.Errorf("OpenAt = %q, want %q", got, c.want)
			}
		})
	}
}
