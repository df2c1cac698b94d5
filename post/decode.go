package post

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/valyala/fastjson"
)

// DefaultMaxTextBytes is the longest text a Decoder accepts by default.
const DefaultMaxTextBytes = 64 << 10

// Limits on the other fields, in bytes as sent. A longer value is rejected
// with ReasonTooLarge: these fields are identifiers, links and names, and a
// cut one would be a different (wrong) value. They travel into evidence,
// alerts and every receiver, so they are bounded where they enter.
const (
	MaxIDBytes       = 256  // id and author.id
	MaxURLBytes      = 2048 // url
	MaxHandleBytes   = 256  // author.handle
	MaxPlatformBytes = 64   // platform and lang
)

// MaxFollowers is the largest author.followers kept; a larger count is
// counted as MaxFollowers (no account has a billion followers, and a fake
// count must not dominate reach or overflow its sums).
const MaxFollowers = 1_000_000_000

// MaxObjectKeys bounds the number of object keys in a record, counted over
// the whole document (unknown fields included): a record with more is
// rejected as invalid_json before it is parsed, so a record of many tiny keys
// cannot make the parser allocate a large tree.
const MaxObjectKeys = 10_000

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
	// A key takes at least 5 bytes ("":0,), so a shorter record cannot
	// have too many and is not scanned.
	if len(data) > 5*MaxObjectKeys && countKeys(data, MaxObjectKeys+1) > MaxObjectKeys {
		return &Error{Reason: ReasonInvalidJSON, Detail: "more than " + strconv.Itoa(MaxObjectKeys) + " object keys"}
	}
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
	if p.Platform, err = nameField(obj.Get("platform"), "platform", MaxPlatformBytes); err != nil {
		return err
	}
	if p.Lang, err = nameField(obj.Get("lang"), "lang", MaxPlatformBytes); err != nil {
		return err
	}
	if p.URL, err = nameField(obj.Get("url"), "url", MaxURLBytes); err != nil {
		return err
	}
	if p.URL != "" && !ValidURL(p.URL) {
		return &Error{Reason: ReasonFieldType, Field: "url", Detail: "want an absolute http or https URL without spaces, quotes, <, >, | or control characters"}
	}
	if av := obj.Get("author"); av != nil && av.Type() != fastjson.TypeNull {
		ao, err := av.Object()
		if err != nil {
			return &Error{Reason: ReasonFieldType, Field: "author", Detail: "want an object, got " + av.Type().String()}
		}
		if p.Author.ID, err = scalarString(ao.Get("id"), "author.id"); err != nil {
			return err
		}
		if err := checkName(p.Author.ID, "author.id", MaxIDBytes); err != nil {
			return err
		}
		if p.Author.Handle, err = nameField(ao.Get("handle"), "author.handle", MaxHandleBytes); err != nil {
			return err
		}
		if fv := ao.Get("followers"); fv != nil && fv.Type() != fastjson.TypeNull {
			n, err := fv.Int64()
			if err != nil || n < 0 {
				return &Error{Reason: ReasonFieldType, Field: "author.followers", Detail: "want a non-negative integer"}
			}
			p.Author.Followers = min(n, MaxFollowers)
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
	return s, checkName(s, "id", MaxIDBytes)
}

// nameField reads an optional string field that names or links something
// (not free text): at most max bytes and no control characters.
func nameField(v *fastjson.Value, field string, max int) (string, error) {
	s, err := stringField(v, field)
	if err != nil {
		return "", err
	}
	return s, checkName(s, field, max)
}

// checkName enforces the limits of an identifier, name or link field: at
// most max bytes (after invalid UTF-8 is replaced) and no control character
// (C0, DEL, C1), which could rewrite a terminal or a log line that shows it.
func checkName(s, field string, max int) error {
	if len(s) > max {
		return &Error{Reason: ReasonTooLarge, Field: field, Detail: "longer than " + strconv.Itoa(max) + " bytes"}
	}
	if hasControl(s) {
		return &Error{Reason: ReasonFieldType, Field: field, Detail: "contains a control character"}
	}
	return nil
}

// hasControl reports a C0 control, DEL or a C1 control (U+0080..U+009F,
// encoded in UTF-8 as 0xC2 0x80..0x9F) in s, which is valid UTF-8.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x20 || b == 0x7f || (b == 0xc2 && i+1 < len(s) && s[i+1] <= 0x9f) {
			return true
		}
	}
	return false
}

// urlRefused marks the ASCII bytes a URL may not hold: controls, space and
// "<>|\\\"^`{}".
var urlRefused = func() (t [128]bool) {
	for b := 0; b < 0x20; b++ {
		t[b] = true
	}
	for _, b := range []byte(" <>|\\\"^`{}\x7f") {
		t[b] = true
	}
	return t
}()

// ValidURL reports whether s is a link socialpulse passes on: an absolute
// http or https URL with a host, at most MaxURLBytes long, without
// whitespace, control characters or any of "<>|\\\"^`{}" (which a valid URL
// carries percent-encoded and which break the link syntax of Slack and
// other formats). Non-ASCII letters (IRIs) are allowed.
func ValidURL(s string) bool {
	if len(s) > MaxURLBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x80 {
			if urlRefused[b] {
				return false
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r >= 0x80 && r <= 0x9f) || unicode.IsSpace(r) {
			return false
		}
		i += n - 1
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !(strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")) {
		return false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host := rest[:end]
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	return host != "" && host[0] != ':'
}

// countKeys counts the object keys of a JSON document (a string followed by
// a colon, outside strings), stopping at limit. It allocates nothing; on
// malformed JSON the count is approximate, and the parser rejects the
// document anyway.
func countKeys(data []byte, limit int) int {
	n := 0
	in := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if in {
			switch c {
			case '\\':
				i++
			case '"':
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case ':':
			if n++; n >= limit {
				return n
			}
		}
	}
	return n
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
