package statements

import (
	"strings"
	"testing"
)

func TestHandlesMatchTheBrandsAccounts(t *testing.T) {
	h, err := NewHandles([]string{"@ShopHelp", "shop"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		handle string
		want   bool
	}{
		{"exact", "shop", true},
		{"with an at sign", "@shop", true},
		{"another case", "SHOPHELP", true},
		{"configured with an at sign, posted without", "shophelp", true},
		{"a customer", "ann", false},
		{"a prefix of a brand handle", "sho", false},
		{"a brand handle inside a longer one", "shop_fan", false},
		{"empty", "", false},
		{"only an at sign", "@", false},
		{"too long", strings.Repeat("s", MaxHandleBytes+1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := h.Match(c.handle); got != c.want {
				t.Errorf("Match(%q) = %v, want %v", c.handle, got, c.want)
			}
		})
	}
}

func TestNoHandlesMatchNothing(t *testing.T) {
	var nilSet *Handles
	empty, err := NewHandles(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []*Handles{nilSet, empty} {
		if h.Match("shop") || h.Len() != 0 {
			t.Errorf("an empty set matched or has length %d", h.Len())
		}
	}
}

func TestNewHandlesRejectsHandlesThatCannotMatch(t *testing.T) {
	cases := []struct {
		name   string
		handle string
	}{
		{"blank", ""},
		{"only an at sign", "@"},
		{"a space", "the shop"},
		{"a comma", "shop,help"},
		{"a control character", "shop\n"},
		{"too long", strings.Repeat("s", MaxHandleBytes+1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := NewHandles([]string{c.handle}); err == nil {
				t.Errorf("NewHandles(%q) accepted it", c.handle)
			}
		})
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	h, err := NewHandles([]string{"shop", "shop_help"})
	if err != nil {
		t.Fatal(err)
	}
	handles := []string{"ann_smith", "@Shop", "someone_with_a_rather_long_handle_name", ""}
	allocs := testing.AllocsPerRun(1000, func() {
		for _, s := range handles {
			h.Match(s)
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocates %.1f times a run, want 0", allocs)
	}
}
