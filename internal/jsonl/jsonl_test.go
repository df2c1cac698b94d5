package jsonl

import (
	"strings"
	"testing"
)

func TestReaderSplitsLines(t *testing.T) {
	type line struct {
		text string
		size int // for lines over the limit
	}
	tests := []struct {
		name string
		in   string
		max  int
		want []line
	}{
		{"LF and CRLF", "a\r\nb\nc", 10, []line{{"a", 0}, {"b", 0}, {"c", 0}}},
		{"trailing newline adds no line", "a\n", 10, []line{{"a", 0}}},
		{"empty lines are kept", "\n\nx\n", 10, []line{{"", 0}, {"", 0}, {"x", 0}}},
		{"line at the limit", "12345\n", 5, []line{{"12345", 0}}},
		{"line over the limit", "123456\nok\n", 5, []line{{"", 7}, {"ok", 0}}},
		{"lines longer than the buffer", strings.Repeat("y", 200<<10) + "\nz", 300 << 10, []line{{strings.Repeat("y", 200<<10), 0}, {"z", 0}}},
		{"over the limit and longer than the buffer", strings.Repeat("y", 200<<10) + "\nz", 100 << 10, []line{{"", 200<<10 + 1}, {"z", 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.in), tt.max)
			var got []line
			for {
				l, size, err := r.Next()
				if err != nil {
					break
				}
				if l == nil {
					got = append(got, line{"", size})
				} else {
					got = append(got, line{string(l), 0})
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d lines, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("line %d: got %.20q (size %d), want %.20q (size %d)", i, got[i].text, got[i].size, tt.want[i].text, tt.want[i].size)
				}
			}
			if r.Consumed() != int64(len(tt.in)) {
				t.Errorf("consumed %d bytes of %d", r.Consumed(), len(tt.in))
			}
		})
	}
}
