package post

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeRepairsInvalidUTF8InEveryStringField(t *testing.T) {
	in := "{\"id\":\"i\xff\",\"text\":\"t\xfe\",\"platform\":\"p\xc3\",\"lang\":\"e\xffn\",\"url\":\"u\xff\"," +
		"\"author\":{\"id\":\"a\xff\",\"handle\":\"@\xffann\"}}"
	var d Decoder
	var p Post
	if err := d.Decode([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{"id": p.ID, "text": p.Text, "platform": p.Platform, "lang": p.Lang,
		"url": p.URL, "author.id": p.Author.ID, "author.handle": p.Author.Handle} {
		if !utf8.ValidString(s) || !strings.Contains(s, "\uFFFD") {
			t.Errorf("%s = %q, want valid UTF-8 with U+FFFD for the bad bytes", name, s)
		}
	}
}

func TestDecodeTextLimitCountsTheBytesAsSent(t *testing.T) {
	// A run of invalid bytes becomes one 3-byte U+FFFD, which could make a
	// text longer than it was sent; the limit is on the text as sent.
	d := Decoder{MaxTextBytes: 300}
	var p Post
	if err := d.Decode([]byte(`{"id":"a","text":"`+strings.Repeat("\xff", 300)+`"}`), &p); err != nil {
		t.Fatalf("300 invalid bytes under a 300-byte limit: %v", err)
	}
	if p.Text != "\uFFFD" {
		t.Fatalf("text = %q", p.Text)
	}
}

func TestDecodeNamesTheNestingLimit(t *testing.T) {
	var d Decoder
	var p Post
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	if err := d.Decode([]byte(`{"id":"a","text":"t","x":`+deep(299)+`}`), &p); err != nil {
		t.Fatalf("299 levels in an unknown field: %v", err)
	}
	for name, in := range map[string]string{
		"unknown field": `{"id":"a","text":"t","x":` + deep(10_000) + `}`,
		"document":      deep(10_000),
	} {
		err := d.Decode([]byte(in), &p)
		if ReasonOf(err) != ReasonInvalidJSON || !strings.Contains(err.Error(), "nested deeper than 300 levels") {
			t.Errorf("%s nested 10,000 deep: %v, want invalid_json naming the 300-level limit", name, err)
		}
	}
}

// Go programs write an unset time.Time as 0001-01-01T00:00:00Z: it reads as
// no created_at (the caller falls back to the Kafka timestamp).
func TestDecodeReadsGoZeroTimeAsNoCreatedAt(t *testing.T) {
	var d Decoder
	var p Post
	if err := d.Decode([]byte(`{"id":"a","text":"t","created_at":"0001-01-01T00:00:00Z"}`), &p); err != nil || !p.CreatedAt.IsZero() {
		t.Fatalf("CreatedAt = %v, %v; want zero", p.CreatedAt, err)
	}
	if err := d.Decode([]byte(`{"id":"a","text":"t","created_at":"0001-06-15T12:00:00Z"}`), &p); err != nil || p.CreatedAt.IsZero() {
		t.Fatalf("CreatedAt = %v, %v; want year 1", p.CreatedAt, err)
	}
}
