package alert

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMilestonesAreKeptOnTheSpikeRecords(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		ob := newOutbox(t, s, nil)
		a, b := testAlert("checkout", t0, 1), testAlert("availability", t0.Add(time.Minute), 1)
		for _, x := range []Alert{a, b} {
			if _, err := ob.Publish(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			name string
			id   string
			m    Milestone
			err  bool
			nf   bool
		}{
			{"a statement on the first spike", a.ID, Milestone{Type: "statement", Author: "pr", Text: "We know", Time: t0.Add(10 * time.Minute)}, false, false},
			{"an acknowledgement on another spike", b.ID, Milestone{Type: "acknowledged", Author: "ops", Time: t0.Add(5 * time.Minute)}, false, false},
			{"an unknown spike", "nope", Milestone{Type: "note", Text: "x"}, true, true},
			{"a malformed type", a.ID, Milestone{Type: "Statement!", Text: "x"}, true, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := ob.AddMilestone(ctx, c.id, c.m)
				if (err != nil) != c.err || errors.Is(err, ErrNotFound) != c.nf {
					t.Fatalf("err %v", err)
				}
			})
		}
		ms, err := ob.Milestones(ctx, a.ID, b.ID, "gone")
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 || ms[0].Type != "acknowledged" || ms[0].Spike != b.ID || ms[1].Type != "statement" ||
			ms[1].Spike != a.ID || ms[1].Text != "We know" || !ms[1].Time.Equal(t0.Add(10*time.Minute)) {
			t.Fatalf("milestones %+v", ms)
		}
		// The record's other readers ignore milestones.
		rec, err := ob.Get(ctx, a.ID)
		if err != nil || len(rec.Notes) != 0 || len(rec.Versions) != 1 {
			t.Fatalf("record %+v %v", rec, err)
		}
		if none, err := ob.Milestones(ctx); err != nil || len(none) != 0 {
			t.Fatalf("no ids: %v %v", none, err)
		}
	})
}

func TestAddMilestoneOnceRecordsAKeyOnlyOnce(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		ob := newOutbox(t, s, nil)
		a, b := testAlert("checkout", t0, 1), testAlert("availability", t0.Add(time.Minute), 1)
		for _, x := range []Alert{a, b} {
			if _, err := ob.Publish(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		m := Milestone{Type: "statement", Author: "shop", Text: "We are on it", Time: t0.Add(4 * time.Minute),
			Source: SourceBrandPost, Post: "post-1"}
		cases := []struct {
			name  string
			id    string
			key   string
			added bool
			nf    bool
		}{
			{"the first time", a.ID, "post-1", true, false},
			{"the same post redelivered", a.ID, "post-1", false, false},
			{"the same post offered to another spike", b.ID, "post-1", false, false},
			{"another post", a.ID, "post-2", true, false},
			{"an unknown spike", "nope", "post-3", false, true},
			{"a post first refused for an unknown spike can still be added", a.ID, "post-3", true, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				added, err := ob.AddMilestoneOnce(ctx, c.id, m, c.key)
				if added != c.added || errors.Is(err, ErrNotFound) != c.nf || (err != nil) != c.nf {
					t.Fatalf("added %v err %v, want added %v not found %v", added, err, c.added, c.nf)
				}
			})
		}
		ms, err := ob.Milestones(ctx, a.ID, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 3 || ms[0].Source != SourceBrandPost || ms[0].Post != "post-1" || ms[0].Spike != a.ID {
			t.Fatalf("milestones %+v, want three on the first spike, marked as brand posts", ms)
		}
	})
}
