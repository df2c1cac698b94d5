package post

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDecodeAcceptsValidPosts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Post
	}{
		{"all fields", `{"id":"p1","text":"checkout is broken","created_at":"2026-11-23T10:15:00Z","platform":"x","lang":"en","url":"https://x.example/p1","author":{"id":"u1","handle":"@ann","followers":1200},"extra":{"ignored":true}}`,
			Post{ID: "p1", Text: "checkout is broken", CreatedAt: time.Date(2026, 11, 23, 10, 15, 0, 0, time.UTC), Platform: "x", Lang: "en", URL: "https://x.example/p1", Author: Author{ID: "u1", Handle: "@ann", Followers: 1200}}},
		{"numeric id becomes a string", `{"id":1234567890123456789,"text":"hi"}`, Post{ID: "1234567890123456789", Text: "hi"}},
		{"null optional fields are absent", `{"id":"a","text":"t","created_at":null,"author":null,"lang":null}`, Post{ID: "a", Text: "t"}},
		{"empty created_at falls back", `{"id":"a","text":"t","created_at":""}`, Post{ID: "a", Text: "t"}},
		{"numeric author id", `{"id":"a","text":"t","author":{"id":42}}`, Post{ID: "a", Text: "t", Author: Author{ID: "42"}}},
		{"escaped text is unescaped", `{"id":"a","text":"line\nnext \u00e9 \ud83d\ude00"}`, Post{ID: "a", Text: "line\nnext é 😀"}},
		{"invalid UTF-8 in text is replaced", "{\"id\":\"a\",\"text\":\"ok \xff\xfe bad\"}", Post{ID: "a", Text: "ok \uFFFD bad"}},
		{"timezone offsets are kept", `{"id":"a","text":"t","created_at":"2026-01-02T03:04:05.123+02:00"}`, Post{ID: "a", Text: "t", CreatedAt: time.Date(2026, 1, 2, 1, 4, 5, 123e6, time.UTC)}},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Post
			if err := d.Decode([]byte(tt.in), &p); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !p.CreatedAt.Equal(tt.want.CreatedAt) {
				t.Fatalf("CreatedAt = %v, want %v", p.CreatedAt, tt.want.CreatedAt)
			}
			p.CreatedAt, tt.want.CreatedAt = time.Time{}, time.Time{}
			if p != tt.want {
				t.Fatalf("got %+v\nwant %+v", p, tt.want)
			}
		})
	}
}

func TestDecodeRejectsWithReasonAndField(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		reason Reason
		field  string
	}{
		{"truncated JSON", `{"id":"a","text":"t"`, ReasonInvalidJSON, ""},
		{"not JSON at all", `hello`, ReasonInvalidJSON, ""},
		{"empty record", ``, ReasonInvalidJSON, ""},
		{"array instead of object", `[1,2]`, ReasonNotObject, ""},
		{"string instead of object", `"post"`, ReasonNotObject, ""},
		{"missing id", `{"text":"t"}`, ReasonMissingField, "id"},
		{"null id", `{"id":null,"text":"t"}`, ReasonMissingField, "id"},
		{"empty id", `{"id":"","text":"t"}`, ReasonMissingField, "id"},
		{"fractional id", `{"id":1.5,"text":"t"}`, ReasonFieldType, "id"},
		{"object id", `{"id":{},"text":"t"}`, ReasonFieldType, "id"},
		{"missing text", `{"id":"a"}`, ReasonMissingField, "text"},
		{"empty text", `{"id":"a","text":""}`, ReasonMissingField, "text"},
		{"numeric text", `{"id":"a","text":5}`, ReasonFieldType, "text"},
		{"bad timestamp", `{"id":"a","text":"t","created_at":"yesterday"}`, ReasonBadTime, "created_at"},
		{"numeric timestamp", `{"id":"a","text":"t","created_at":1700000000}`, ReasonFieldType, "created_at"},
		{"author not an object", `{"id":"a","text":"t","author":"bob"}`, ReasonFieldType, "author"},
		{"negative followers", `{"id":"a","text":"t","author":{"followers":-3}}`, ReasonFieldType, "author.followers"},
		{"followers as string", `{"id":"a","text":"t","author":{"followers":"many"}}`, ReasonFieldType, "author.followers"},
		{"lang as number", `{"id":"a","text":"t","lang":7}`, ReasonFieldType, "lang"},
		{"deeply nested JSON", `{"id":"a","text":"t","x":` + strings.Repeat("[", 400) + strings.Repeat("]", 400) + `}`, ReasonInvalidJSON, ""},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Post
			err := d.Decode([]byte(tt.in), &p)
			if err == nil {
				t.Fatalf("Decode accepted %q", tt.in)
			}
			pe, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			if pe.Reason != tt.reason || pe.Field != tt.field {
				t.Fatalf("got reason %q field %q (%v), want %q %q", pe.Reason, pe.Field, err, tt.reason, tt.field)
			}
			if ReasonOf(err) != tt.reason {
				t.Fatalf("ReasonOf = %q", ReasonOf(err))
			}
		})
	}
}

func TestDecodeRejectsTextOverLimit(t *testing.T) {
	d := Decoder{MaxTextBytes: 10}
	var p Post
	err := d.Decode([]byte(`{"id":"a","text":"01234567890"}`), &p)
	if ReasonOf(err) != ReasonTooLarge {
		t.Fatalf("got %v, want too_large", err)
	}
	if err := d.Decode([]byte(`{"id":"a","text":"0123456789"}`), &p); err != nil {
		t.Fatalf("text at the limit rejected: %v", err)
	}
}

func TestCloneSurvivesNextDecode(t *testing.T) {
	var d Decoder
	var p Post
	if err := d.Decode([]byte(`{"id":"first","text":"first text"}`), &p); err != nil {
		t.Fatal(err)
	}
	kept := p.Clone()
	if err := d.Decode([]byte(`{"id":"second","text":"other words"}`), &p); err != nil {
		t.Fatal(err)
	}
	if kept.ID != "first" || kept.Text != "first text" {
		t.Fatalf("clone changed: %+v", kept)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":"p1","text":"checkout is broken","created_at":"2026-11-23T10:15:00Z","author":{"followers":3}}`))
	f.Add([]byte(`{"id":1,"text":"\u0000\ud800"}`))
	f.Add([]byte("{\"id\":\"a\",\"text\":\"\xff\"}"))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Decoder
		var p Post
		err := d.Decode(data, &p)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if p.ID == "" || p.Text == "" {
			t.Fatalf("accepted post without id or text: %+v", p)
		}
		if !utf8.ValidString(p.Text) || !utf8.ValidString(p.ID) {
			t.Fatalf("accepted invalid UTF-8: %q", p.Text)
		}
		if p.Author.Followers < 0 {
			t.Fatalf("negative followers accepted")
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	data := []byte(`{"id":"1859930294812","text":"@shop checkout keeps failing with error 502, third time today #CheckoutFail","created_at":"2026-11-23T10:15:00Z","platform":"x","lang":"en","url":"https://x.example/status/1859930294812","author":{"id":"99","handle":"@ann","followers":1200}}`)
	var d Decoder
	var p Post
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := d.Decode(data, &p); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeAllocsNothingOnceWarm(t *testing.T) {
	data := []byte(`{"id":"1","text":"checkout is down again","created_at":"2026-11-23T10:15:00Z","author":{"followers":10}}`)
	var d Decoder
	var p Post
	_ = d.Decode(data, &p)
	if n := testing.AllocsPerRun(100, func() { _ = d.Decode(data, &p) }); n != 0 {
		t.Fatalf("Decode allocates %v times per post, want 0", n)
	}
}
