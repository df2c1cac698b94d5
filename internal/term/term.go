// Package term makes text from customers and other users safe to print on a
// terminal: a Writer that removes escape sequences and control characters,
// Text for one line of it, and ToTerminal to filter only what goes to a
// terminal. Standard library only.
package term

import (
	"io"
	"os"
	"strings"
)

// Writer removes terminal control from what passes through it: escape
// sequences (CSI such as "\x1b[2J", OSC such as the OSC 52 clipboard write
// "\x1b]52;c;...\x07", DCS, SOS, PM, APC and two-byte ESC sequences), their
// 8-bit C1 forms (U+009B, U+009D...), every other C1 and C0 control
// character except newline and tab, and DEL. Posts, handles, notes and
// summaries come from customers and other users: printed raw, they could
// clear the screen, forge output or write the clipboard. Its state carries
// across writes, so a sequence split over two writes is still removed. An
// unterminated string sequence (OSC...) ends at the next newline.
type Writer struct {
	w     io.Writer
	st    termState
	buf   []byte
	held0 bool // the last write ended in 0xC2, the first byte of a C1 control in UTF-8
}

type termState uint8

const (
	stText      termState = iota
	stEsc                 // after ESC
	stEscInter            // ESC followed by intermediate bytes
	stCSI                 // control sequence: parameters until a final byte
	stString              // OSC, DCS, SOS, PM, APC: until BEL or ST
	stStringEsc           // ESC inside a string: ST is ESC \
)

// NewWriter returns a Writer that writes the filtered bytes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write filters p and writes the rest. It reports len(p) when the
// underlying write succeeds, even when bytes were removed.
func (t *Writer) Write(p []byte) (int, error) {
	t.buf = t.filter(t.buf[:0], p)
	if len(t.buf) == 0 {
		return len(p), nil
	}
	if _, err := t.w.Write(t.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (t *Writer) filter(out, p []byte) []byte {
	for i := 0; i < len(p); i++ {
		b := p[i]
		if t.held0 {
			t.held0 = false
			if b >= 0x80 && b <= 0x9f {
				t.c1(b)
				continue
			}
			if t.st == stText {
				out = append(out, 0xc2)
			}
		}
		if b == 0xc2 {
			t.held0 = true
			continue
		}
		switch t.st {
		case stText:
			switch {
			case b == 0x1b:
				t.st = stEsc
			case b == '\n' || b == '\t':
				out = append(out, b)
			case b < 0x20 || b == 0x7f:
			default:
				out = append(out, b)
			}
		case stEsc:
			switch {
			case b == '[':
				t.st = stCSI
			case b == ']' || b == 'P' || b == 'X' || b == '^' || b == '_':
				t.st = stString
			case b >= 0x20 && b <= 0x2f:
				t.st = stEscInter
			default:
				t.st = stText
			}
		case stEscInter:
			if b < 0x20 || b > 0x2f {
				t.st = stText
			}
		case stCSI:
			switch {
			case b >= 0x20 && b <= 0x3f:
			case b >= 0x40 && b <= 0x7e:
				t.st = stText
			default: // not a CSI byte: the sequence is over, and b is text again
				t.st = stText
				i--
			}
		case stString:
			switch b {
			case 0x07:
				t.st = stText
			case 0x1b:
				t.st = stStringEsc
			case '\n':
				t.st = stText
				out = append(out, b)
			}
		case stStringEsc:
			t.st = stText
			if b != '\\' {
				i--
			}
		}
	}
	return out
}

// c1 handles the C1 control U+0080+(b-0x80).
func (t *Writer) c1(b byte) {
	switch b {
	case 0x9b: // CSI
		t.st = stCSI
	case 0x90, 0x98, 0x9d, 0x9e, 0x9f: // DCS, SOS, OSC, PM, APC
		t.st = stString
	case 0x9c: // ST ends a string
		if t.st == stString || t.st == stStringEsc {
			t.st = stText
		}
	}
}

// Text returns s as one line safe to print on a terminal: the filter of
// Writer, with newlines and tabs turned into spaces.
func Text(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }) {
		return s
	}
	t := Writer{}
	out := t.filter(nil, []byte(s))
	if t.held0 {
		out = append(out, 0xc2)
	}
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, string(out))
}

// ToTerminal wraps w in a Writer when it is a terminal, so that every
// command's output to a person is safe while pipes and files get the exact
// bytes (JSON Lines, CSV).
func ToTerminal(w io.Writer) io.Writer {
	if IsTerminal(w) {
		return NewWriter(w)
	}
	return w
}

// IsTerminal reports whether w is a character device (a terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
