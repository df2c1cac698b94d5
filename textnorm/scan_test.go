package textnorm

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// scan returns the tokens of text as "kind:norm" strings, with "|" before a
// token that follows a phrase break.
func scan(text string, opts Options) []string {
	sc := NewScanner(text, opts)
	var buf [MaxTokenBytes]byte
	var out []string
	for {
		t, w, ok := sc.Next(&buf)
		if !ok {
			return out
		}
		s := t.Kind.String() + ":" + string(w)
		if t.Kind == URL {
			s += text[t.Start:t.End]
		}
		if t.Break && len(out) > 0 {
			s = "|" + s
		}
		out = append(out, s)
	}
}

func TestScannerTokens(t *testing.T) {
	all := Set(Word, Number, Hashtag, Mention, URL, Emoji)
	tests := []struct {
		name string
		text string
		opts Options
		want string
	}{
		{"words are lowercased", "Checkout FAILED", Options{}, "word:checkout word:failed"},
		{"apostrophes inside words are dropped by default", "can't won’t", Options{}, "word:cant word:wont"},
		{"apostrophes inside words are kept on request, typographic as ascii", "can't won’t 'quoted'", Options{KeepApostrophes: true}, "word:can't word:won't word:quoted"},
		{"hyphens join two words of a phrase by default", "sign-in", Options{}, "word:sign word:in"},
		{"hyphens inside words are kept on request", "sign-in -x y-", Options{KeepHyphens: true}, "word:sign-in word:x word:y"},
		{"camelcase splits words", "checkoutFail HTTPError", Options{}, "word:checkout word:fail word:http word:error"},
		{"camelcase words stay whole on request but hashtags still split", "PayPal iPhone #CheckoutFail", Options{KeepCamelCase: true}, "word:paypal word:iphone hashtag:checkout hashtag:fail"},
		{"hashtags are split at case and keep their kind", "#GiftCardFail again", Options{}, "hashtag:gift hashtag:card hashtag:fail word:again"},
		{"numbers are their own kind", "error 404 on v2", Options{}, "word:error number:404 word:on word:v2"},
		{"digits of other scripts are numbers", "٤٠٤ ошибка", Options{}, "number:٤٠٤ word:ошибка"},
		{"mentions and urls are skipped and break phrases by default", "@Shop checkout https://t.co/x page www.a.com now", Options{}, "word:checkout |word:page |word:now"},
		{"mentions urls and emoji are tokens when asked", "@Shop_1 hi https://t.co/X 😡 ok", Options{Emit: all}, "mention:shop_1 |word:hi url:https://t.co/X |emoji:😡 |word:ok"},
		{"an emoji takes its skin tone and zwj sequence", "👍🏽 👨‍👩‍👧 🇬🇧🇺🇸", Options{Emit: Set(Emoji)}, "emoji:👍🏽 |emoji:👨‍👩‍👧 |emoji:🇬🇧 |emoji:🇺🇸"},
		{"emoji break phrases when skipped", "card 💳 declined", Options{}, "word:card |word:declined"},
		{"sentence punctuation breaks a phrase", "checkout, failed. again", Options{}, "word:checkout |word:failed |word:again"},
		{"a dot between letters does not break", "amazon.com v2.1", Options{}, "word:amazon word:com word:v2 number:1"},
		{"kinds not emitted are skipped with a break", "paid 50 for 3 items", Options{Emit: Set(Word)}, "word:paid |word:for |word:items"},
		{"zero-width characters inside a word are dropped", "log\u200bin lo\u00adgin", Options{}, "word:login word:login"},
		{"accents fold with the word", "Crème BRÛLÉE", Options{}, "word:crème word:brûlée"},
		{"combining marks are dropped", "cafe\u0301", Options{}, "word:cafe"},
		{"non-latin scripts are words", "Заказ 注文", Options{}, "word:заказ word:注文"},
		{"over-long runs are not words", "pay a" + strings.Repeat("b", MaxTokenBytes) + " ok", Options{}, "word:pay |word:ok"},
		{"a lone at sign is a break", "meet @ noon", Options{Emit: all}, "word:meet |word:noon"},
		{"invalid utf-8 breaks", "pay\xffment", Options{}, "word:pay |word:ment"},
		{"invalid utf-8 ends a url", "https://x.co/a\xaepay", Options{Emit: Set(Word, URL)}, "url:https://x.co/a |word:pay"},
		{"empty text has no tokens", "", Options{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(scan(tt.text, tt.opts), " "); got != tt.want {
				t.Errorf("scan(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestScannerSpansPointAtTheTextAsWritten(t *testing.T) {
	text := "Can’t #PayNow @Shop https://x.co 👍🏽"
	sc := NewScanner(text, Options{Emit: Set(Word, Hashtag, Mention, URL, Emoji)})
	var buf [MaxTokenBytes]byte
	var got []string
	for {
		tok, _, ok := sc.Next(&buf)
		if !ok {
			break
		}
		got = append(got, text[tok.Start:tok.End])
	}
	want := "Can’t|Pay|Now|@Shop|https://x.co|👍🏽"
	if s := strings.Join(got, "|"); s != want {
		t.Errorf("spans = %q, want %q", s, want)
	}
}

func TestScannerDoesNotAllocate(t *testing.T) {
	text := "@shop love the new #SearchBar but checkout keeps failing 😡, card declined twice and the app logged me out https://x.co/abc"
	for _, opts := range []Options{{}, {Emit: Set(Word, Number, Hashtag, Mention, URL, Emoji), KeepApostrophes: true, KeepHyphens: true, KeepCamelCase: true}} {
		t.Run(fmt.Sprintf("%+v", opts), func(t *testing.T) {
			n := testing.AllocsPerRun(100, func() {
				sc := NewScanner(text, opts)
				var buf [MaxTokenBytes]byte
				for {
					_, w, ok := sc.Next(&buf)
					if !ok {
						break
					}
					Stem(w)
				}
			})
			if n != 0 {
				t.Errorf("scanning allocates %v times a text, want 0", n)
			}
		})
	}
}

func FuzzScanner(f *testing.F) {
	for _, s := range []string{"", "Can't #CheckoutFail @shop https://t.co/x 😡👍🏽", "sign-in v2.1 404", "\xff\xfe", "a\u200d", "#", "@", "👨\u200d", "'-'-"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(0xff))
	}
	f.Fuzz(func(t *testing.T, text string, flags uint8) {
		opts := Options{Emit: Kinds(flags) &^ 1, KeepApostrophes: flags&1 != 0, KeepHyphens: flags&0x80 != 0, KeepCamelCase: flags&0x81 == 0x81}
		sc := NewScanner(text, opts)
		var buf [MaxTokenBytes]byte
		last := 0
		for n := 0; ; n++ {
			tok, w, ok := sc.Next(&buf)
			if !ok {
				break
			}
			if n > len(text) {
				t.Fatalf("more tokens than bytes in %q", text)
			}
			if tok.Start < last || tok.Start >= tok.End || tok.End > len(text) {
				t.Fatalf("token span [%d,%d) after %d is outside %q", tok.Start, tok.End, last, text)
			}
			last = tok.End
			if !utf8.ValidString(text[tok.Start:tok.End]) || !utf8.Valid(w) {
				t.Fatalf("token %q (%q) of %q is not valid UTF-8", text[tok.Start:tok.End], w, text)
			}
			if len(w) > MaxTokenBytes {
				t.Fatalf("token %q longer than %d bytes", w, MaxTokenBytes)
			}
			if !sc.opts.Emit.Has(tok.Kind) {
				t.Fatalf("token of kind %v not asked for", tok.Kind)
			}
			st := Stem(append([]byte(nil), w...))
			if !utf8.Valid(st) || len(st) > len(w) {
				t.Fatalf("Stem(%q) = %q", w, st)
			}
		}
	})
}

func BenchmarkScanner(b *testing.B) {
	text := "@shop love the new #SearchBar but checkout keeps failing, card declined twice and the app logged me out https://x.co/abc"
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		sc := NewScanner(text, Options{})
		var buf [MaxTokenBytes]byte
		for {
			_, w, ok := sc.Next(&buf)
			if !ok {
				break
			}
			Stem(w)
		}
	}
}
