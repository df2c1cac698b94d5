package post

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeRepairsInvalidUTF8InEveryStringField(t *testing.T) {
	in := "{\"id\":\"i\xff\",\"text\":\"t\xfe\",\"platform\":\"p\xc3\",\"lang\":\"e\xffn\",\"url\":\"https://x.example/u\xff\"," +
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

func TestDecodeBoundsHostileFields(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name   string
		in     string
		reason Reason // "" : accepted
		field  string
	}{
		{"id at its limit", `{"id":"` + long(MaxIDBytes) + `","text":"t"}`, "", ""},
		{"id over its limit", `{"id":"` + long(MaxIDBytes+1) + `","text":"t"}`, ReasonTooLarge, "id"},
		{"id with an escape character", `{"id":"a\u001b[2J","text":"t"}`, ReasonFieldType, "id"},
		{"author.id over its limit", `{"id":"a","text":"t","author":{"id":"` + long(MaxIDBytes+1) + `"}}`, ReasonTooLarge, "author.id"},
		{"handle at its limit", `{"id":"a","text":"t","author":{"handle":"` + long(MaxHandleBytes) + `"}}`, "", ""},
		{"handle over its limit", `{"id":"a","text":"t","author":{"handle":"` + long(MaxHandleBytes+1) + `"}}`, ReasonTooLarge, "author.handle"},
		{"handle with a terminal escape", `{"id":"a","text":"t","author":{"handle":"@evil\u001b[2J\u001b[H"}}`, ReasonFieldType, "author.handle"},
		{"handle with a C1 control", `{"id":"a","text":"t","author":{"handle":"@evil\u009b2J"}}`, ReasonFieldType, "author.handle"},
		{"lang over its limit", `{"id":"a","text":"t","lang":"` + long(MaxPlatformBytes+1) + `"}`, ReasonTooLarge, "lang"},
		{"url of 300 KB", `{"id":"a","text":"t","url":"https://x.example/` + long(300_000) + `"}`, ReasonTooLarge, "url"},
		{"url breaking out of a Slack link", `{"id":"a","text":"t","url":"https://ok.example/|Reset your password here> <!channel> <https://evil.example/phish"}`, ReasonFieldType, "url"},
		{"javascript url", `{"id":"a","text":"t","url":"javascript:alert(1)"}`, ReasonFieldType, "url"},
		{"url without a host", `{"id":"a","text":"t","url":"https:///path"}`, ReasonFieldType, "url"},
		{"relative url", `{"id":"a","text":"t","url":"/p/1"}`, ReasonFieldType, "url"},
		{"url with a newline", `{"id":"a","text":"t","url":"https://x.example/\nb"}`, ReasonFieldType, "url"},
		{"http url with query and fragment", `{"id":"a","text":"t","url":"HTTP://x.example:8080/p?q=1&r=%7C#f"}`, "", ""},
		{"url with non-ASCII letters", `{"id":"a","text":"t","url":"https://bücher.example/straße"}`, "", ""},
		{"text keeps its newlines and escapes", `{"id":"a","text":"line\nnext \u001b[2J"}`, "", ""},
		{"keys at the cap", `{"id":"a","text":"t"` + strings.Repeat(`,"k":1`, MaxObjectKeys-2) + `}`, "", ""},
		{"a key over the cap", `{"id":"a","text":"t"` + strings.Repeat(`,"k":1`, MaxObjectKeys-1) + `}`, ReasonInvalidJSON, ""},
		{"colons inside strings are not keys", `{"id":"a","text":"` + strings.Repeat(`:\":`, MaxObjectKeys) + `"}`, "", ""},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Post
			err := d.Decode([]byte(tt.in), &p)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			pe, ok := err.(*Error)
			if !ok || pe.Reason != tt.reason || pe.Field != tt.field {
				t.Fatalf("err = %v, want %s on field %q", err, tt.reason, tt.field)
			}
		})
	}
}

func TestDecodeCapsFollowers(t *testing.T) {
	var d Decoder
	var p Post
	if err := d.Decode([]byte(`{"id":"a","text":"t","author":{"followers":9223372036854775807}}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Author.Followers != MaxFollowers {
		t.Fatalf("followers = %d, want the cap %d", p.Author.Followers, MaxFollowers)
	}
}
