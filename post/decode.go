package post

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/valyala/fastjson"
)

// DefaultMaxTextBytes is the longest text a Decoder accepts by default.
const DefaultMaxTextBytes = 64 << 10

// Decoder parses JSON posts. It reuses its buffers between calls, so it is
// not safe for concurrent use: give each goroutine its own.
type Decoder struct {
	// MaxTextBytes bounds the text field; longer posts are rejected with
	// ReasonTooLarge. Zero means DefaultMaxTextBytes.
	MaxTextBytes int

	p fastjson.Parser
}

// Decode parses data into p. On failure it returns an *Error and p is
// unspecified. Strings in p alias d's buffer until the next Decode.
func (d *Decoder) Decode(data []byte, p *Post) error {
	*p = Post{}
	v, err := d.p.ParseBytes(data)
	if err != nil {
		return &Error{Reason: ReasonInvalidJSON, Detail: parseDetail(err)}
	}
	obj, err := v.Object()
	if err != nil {
		return &Error{Reason: ReasonNotObject, Detail: "want a JSON object, got " + v.Type().String()}
	}

	if p.ID, err = idField(obj.Get("id")); err != nil {
		return err
	}
	// The limit applies to the text as sent, before invalid UTF-8 is replaced.
	text, err := rawStringField(obj.Get("text"), "text")
	if err != nil {
		return err
	}
	if text == "" {
		return &Error{Reason: ReasonMissingField, Field: "text", Detail: "required"}
	}
	max := d.MaxTextBytes
	if max <= 0 {
		max = DefaultMaxTextBytes
	}
	if len(text) > max {
		return &Error{Reason: ReasonTooLarge, Field: "text", Detail: "longer than " + strconv.Itoa(max) + " bytes"}
	}
	p.Text = validUTF8(text)

	if cv := obj.Get("created_at"); cv != nil && cv.Type() != fastjson.TypeNull {
		s, err := stringField(cv, "created_at")
		if err != nil {
			return err
		}
		if s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return &Error{Reason: ReasonBadTime, Field: "created_at", Detail: "want RFC 3339, got " + strconv.Quote(trimDetail(s))}
			}
			p.CreatedAt = t
		}
	}
	if p.Platform, err = stringField(obj.Get("platform"), "platform"); err != nil {
		return err
	}
	if p.Lang, err = stringField(obj.Get("lang"), "lang"); err != nil {
		return err
	}
	if p.URL, err = stringField(obj.Get("url"), "url"); err != nil {
		return err
	}
	if av := obj.Get("author"); av != nil && av.Type() != fastjson.TypeNull {
		ao, err := av.Object()
		if err != nil {
			return &Error{Reason: ReasonFieldType, Field: "author", Detail: "want an object, got " + av.Type().String()}
		}
		if p.Author.ID, err = scalarString(ao.Get("id"), "author.id"); err != nil {
			return err
		}
		if p.Author.Handle, err = stringField(ao.Get("handle"), "author.handle"); err != nil {
			return err
		}
		if fv := ao.Get("followers"); fv != nil && fv.Type() != fastjson.TypeNull {
			n, err := fv.Int64()
			if err != nil || n < 0 {
				return &Error{Reason: ReasonFieldType, Field: "author.followers", Detail: "want a non-negative integer"}
			}
			p.Author.Followers = n
		}
	}
	return nil
}

// idField accepts a non-empty string or an integer (numeric ids are common
// in platform exports) and returns it as a string.
func idField(v *fastjson.Value) (string, error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return "", &Error{Reason: ReasonMissingField, Field: "id", Detail: "required"}
	}
	s, err := scalarString(v, "id")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", &Error{Reason: ReasonMissingField, Field: "id", Detail: "required"}
	}
	return s, nil
}

// scalarString reads a string or an integer as a string; nil/null is "".
func scalarString(v *fastjson.Value, field string) (string, error) {
	if v == nil {
		return "", nil
	}
	switch v.Type() {
	case fastjson.TypeNull:
		return "", nil
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return validUTF8(b2s(b)), nil
	case fastjson.TypeNumber:
		if _, err := v.Int64(); err == nil {
			return v.String(), nil
		}
		if _, err := v.Uint64(); err == nil {
			return v.String(), nil
		}
	}
	return "", &Error{Reason: ReasonFieldType, Field: field, Detail: "want a string or an integer, got " + v.Type().String()}
}

// stringField reads an optional string field; nil/null is "". Like text,
// every string field comes back as valid UTF-8.
func stringField(v *fastjson.Value, field string) (string, error) {
	s, err := rawStringField(v, field)
	return validUTF8(s), err
}

// rawStringField is stringField without the UTF-8 repair.
func rawStringField(v *fastjson.Value, field string) (string, error) {
	if v == nil {
		return "", nil
	}
	switch v.Type() {
	case fastjson.TypeNull:
		return "", nil
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return b2s(b), nil
	}
	return "", &Error{Reason: ReasonFieldType, Field: field, Detail: "want a string, got " + v.Type().String()}
}

// validUTF8 replaces invalid byte sequences with U+FFFD so that everything
// downstream (scoring, JSON output) sees valid text. Valid input is returned
// as is, without copying.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func b2s(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parseDetail describes a JSON syntax error. The parser refuses documents
// nested deeper than fastjson.MaxDepth (300) levels, anywhere in the
// document, unknown fields included; it reports that as one message per
// level with the cause last, which trimDetail would cut off, so it is named
// here instead.
func parseDetail(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "too big depth") {
		return "nested deeper than " + strconv.Itoa(fastjson.MaxDepth) + " levels"
	}
	return trimDetail(msg)
}

// trimDetail keeps error details short: they travel in Kafka headers and logs.
func trimDetail(s string) string {
	const max = 200
	s = validUTF8(s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
