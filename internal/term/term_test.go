package term

import (
	"bytes"
	"testing"
)

func TestTermWriterRemovesEscapeSequences(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text, newline and tab are kept", "checkout\tbroken\nagain é 😡", "checkout\tbroken\nagain é 😡"},
		{"clear screen and cursor home", "@evil\x1b[2J\x1b[H!", "@evil!"},
		{"colour with parameters", "\x1b[1;31mred\x1b[0m", "red"},
		{"OSC 52 clipboard write ended by BEL", "a\x1b]52;c;ZXZpbA==\x07b", "ab"},
		{"OSC 8 hyperlink ended by ST", "a\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\b", "alinkb"},
		{"window title", "\x1b]0;pwned\x07ok", "ok"},
		{"DCS string", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"two-byte ESC sequences", "a\x1bcb\x1b(Bc", "abc"},
		{"8-bit CSI", "a\u009b2Jb", "ab"},
		{"8-bit OSC ended by 8-bit ST", "a\u009d52;c;ZXZpbA==\u009cb", "ab"},
		{"other C1 controls", "a\u0085\u0084b", "ab"},
		{"C0 controls, carriage return, backspace and DEL", "a\x00\x07\x08\r\x7fb", "ab"},
		{"unterminated OSC ends at the newline", "a\x1b]52;c;ZXZp\nnext", "a\nnext"},
		{"a CSI interrupted by text", "a\x1b[12\x01b", "ab"},
		{"text after a lone ESC at the end", "ok\x1b", "ok"},
		{"non-C1 characters starting with 0xC2", "£ ©", "£ ©"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, split := range []int{0, 1, 2, 3} { // the same bytes in every split into two writes
				var b bytes.Buffer
				w := NewWriter(&b)
				at := min(split, len(tt.in))
				if _, err := w.Write([]byte(tt.in[:at])); err != nil {
					t.Fatal(err)
				}
				for i := at; i < len(tt.in); i++ { // and the rest a byte at a time
					if _, err := w.Write([]byte{tt.in[i]}); err != nil {
						t.Fatal(err)
					}
				}
				if b.String() != tt.want {
					t.Fatalf("split %d: %q, want %q", split, b.String(), tt.want)
				}
			}
		})
	}
}

func TestTermTextIsOneSafeLine(t *testing.T) {
	if got, want := Text("a\nb\tc\x1b[2J\u009b31md"), "a b cd"; got != want {
		t.Fatalf("Text = %q, want %q", got, want)
	}
}
