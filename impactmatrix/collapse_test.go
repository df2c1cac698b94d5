package impactmatrix

import (
	"slices"
	"testing"
)

func TestCollapse(t *testing.T) {
	s := func(id, text string) Sample { return Sample{ID: id, Text: text} }
	tests := []struct {
		name       string
		in         []Sample
		wantIDs    []string
		wantCounts []int
	}{
		{"distinct complaints stay apart",
			[]Sample{s("1", "checkout fails with an error"), s("2", "my card was declined at checkout"), s("3", "the page hangs after I pay")},
			[]string{"1", "2", "3"}, []int{1, 1, 1}},
		{"coordinated copies with other handles and links become one sample",
			[]Sample{s("1", "@shop your checkout is broken, fix it now! https://t.co/a"), s("2", "RT @bob: @shop your checkout is broken, fix it now! https://t.co/b"),
				s("3", "the page hangs after I pay"), s("4", "@store Your checkout is BROKEN, fix it now!!")},
			[]string{"1", "3"}, []int{3, 1}},
		{"one template with other numbers is one sample",
			[]Sample{s("1", "stuck on the checkout page for 12 minutes, nothing happens"), s("2", "stuck on the checkout page for 40 minutes, nothing happens")},
			[]string{"1"}, []int{2}},
		{"a small edit of a long text is a near-duplicate",
			[]Sample{s("1", "charged twice for the same order and still waiting for a reply from support"), s("2", "charged twice for the same order and still waiting for any reply from support")},
			[]string{"1"}, []int{2}},
		{"posts sharing a few words are not", []Sample{s("1", "checkout is broken"), s("2", "checkout is slow but works")}, []string{"1", "2"}, []int{1, 1}},
		{"copies differing in emoji and order numbers are one sample",
			[]Sample{s("1", "refund still missing for order #4411 😡 fix it"), s("2", "Refund still missing for order #9862 🙄 fix it")},
			[]string{"1"}, []int{2}},
		{"hashtags read as their words",
			[]Sample{s("1", "#CheckoutBroken again, cannot pay"), s("2", "checkout broken again, cannot pay")},
			[]string{"1"}, []int{2}},
		{"empty input", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Collapse(tt.in)
			var ids []string
			var counts []int
			for _, g := range got {
				ids = append(ids, g.ID)
				counts = append(counts, g.Count)
			}
			if !slices.Equal(ids, tt.wantIDs) || !slices.Equal(counts, tt.wantCounts) {
				t.Errorf("Collapse = ids %v counts %v, want %v %v", ids, counts, tt.wantIDs, tt.wantCounts)
			}
		})
	}
}
