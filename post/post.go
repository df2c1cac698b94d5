// Package post defines a social post as socialpulse reads it from Kafka and
// decodes it from JSON with strict validation of the fields it uses.
//
// Scope: the wire format (JSON object with id, text, created_at, platform,
// lang, url and author) and the reasons a record is rejected. Unknown fields
// are ignored. Non-goals: scoring, tagging or any I/O; the caller decides what
// to do with a rejected record (socialpulse dead-letters it).
package post

import (
	"errors"
	"fmt"
	"time"
)

// Post is one social media post. A decoded Post's strings alias the
// Decoder's buffer: they stay valid only until the next Decode on the same
// Decoder. Call Clone to keep a Post longer.
type Post struct {
	ID   string
	Text string
	// CreatedAt is the post's own time; zero when the record had none, in
	// which case callers fall back to the Kafka record's timestamp.
	CreatedAt time.Time
	Platform  string
	Lang      string
	URL       string
	Author    Author
}

// Author is who wrote the post.
type Author struct {
	ID        string
	Handle    string
	Followers int64
}

// Clone returns a copy of p whose strings do not alias any decoder buffer.
func (p *Post) Clone() Post {
	c := *p
	c.ID = clone(p.ID)
	c.Text = clone(p.Text)
	c.Platform = clone(p.Platform)
	c.Lang = clone(p.Lang)
	c.URL = clone(p.URL)
	c.Author.ID = clone(p.Author.ID)
	c.Author.Handle = clone(p.Author.Handle)
	return c
}

func clone(s string) string {
	if s == "" {
		return ""
	}
	return string([]byte(s))
}

// Reason says why a record was rejected. The set is fixed so it can be used
// as a metric label and a dead-letter header value.
type Reason string

// Rejection reasons.
const (
	ReasonInvalidJSON  Reason = "invalid_json"   // not parseable JSON
	ReasonNotObject    Reason = "not_object"     // JSON, but not an object
	ReasonMissingField Reason = "missing_field"  // id or text absent, null or empty
	ReasonFieldType    Reason = "bad_field_type" // a known field has the wrong JSON type or an invalid value
	ReasonBadTime      Reason = "bad_created_at" // created_at is not RFC 3339
	ReasonTooLarge     Reason = "too_large"      // record or text over the configured limit
	ReasonStale        Reason = "stale"          // event time older than the matrix retention (set by the pipeline)
)

// Reasons lists every Reason, for pre-declaring metric label values.
var Reasons = []Reason{ReasonInvalidJSON, ReasonNotObject, ReasonMissingField, ReasonFieldType, ReasonBadTime, ReasonTooLarge, ReasonStale}

// Error is a rejected record: which rule it broke and, where it applies,
// which field.
type Error struct {
	Reason Reason
	Field  string // JSON path of the offending field, e.g. "author.followers"; empty when not about one field
	Detail string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("post: %s: %s", e.Reason, e.Detail)
	}
	return fmt.Sprintf("post: %s: field %s: %s", e.Reason, e.Field, e.Detail)
}

// ReasonOf returns the Reason of a rejection error, or "" if err is not one.
func ReasonOf(err error) Reason {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return ""
}
