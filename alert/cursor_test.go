package alert

import (
	"encoding/base64"
	"errors"
	"testing"
)

func TestForeignCursorsAreErrBadCursor(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name, cursor string
	}{
		{"not base64", "%%%"},
		{"no separator", enc([]byte("12345"))},
		{"score not a number", enc([]byte("x|abc"))},
		{"empty id", enc([]byte("12|"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeCursor(tt.cursor); !errors.Is(err, ErrBadCursor) {
				t.Errorf("decodeCursor(%q) = %v, want ErrBadCursor", tt.cursor, err)
			}
		})
	}
	c := cursor{score: 42, id: "a1"}
	if got, err := decodeCursor(c.encode()); err != nil || got != c {
		t.Errorf("round trip: %+v, %v; want %+v", got, err, c)
	}
}
