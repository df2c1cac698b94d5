package main

import (
	"bytes"
	"testing"
)

func TestGenerateSample(t *testing.T) {
	want := header +
		"baggage\tluggage\tsuitcase\n" + // grip's suitcase sense is its third: left out
		"cheap\tinexpensive\n" + // adjective marker removed
		"inexpensive\tcheap\n" +
		"luggage\tbaggage\tsuitcase\n" // its verb sense (lug) is dropped: it is a noun
	// Left out: grip and suitcase (nothing to add), lug (its synonym
	// "luggage" is a noun), windows (a proper noun), window (no synonyms).
	got, err := generate("testdata/dict", maxSenses)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("generate:\n%s\nwant:\n%s", got, want)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	first, err := generate("testdata/dict", maxSenses)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, err := generate("testdata/dict", maxSenses)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("generate gave different bytes on the same input:\n%s\nthen:\n%s", first, again)
		}
	}
}

func TestUsable(t *testing.T) {
	tests := []struct {
		w    string
		want bool
	}{
		{"luggage", true},
		{"hand luggage", true},
		{"stretcher-bearer", true},
		{"air traffic control", false},
		{"Windows", false},
		{"3d", false},
		{"o'clock", false},
		{"-ish", false},
	}
	for _, tt := range tests {
		if got := usable(tt.w); got != tt.want {
			t.Errorf("usable(%q) = %v, want %v", tt.w, got, tt.want)
		}
	}
}
