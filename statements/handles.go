// Package statements records the brand's own posts as statement milestones
// on the incident they answer.
//
// The brand's accounts are configured (incidents.brand_handles). The
// pipeline asks Handles.Match of every post's author handle, which costs a
// map look-up and allocates nothing, and hands the few posts that match to
// a Recorder after the batch's matrix write. The Recorder finds the
// incident open at the post's time in the spike history (grouped as the
// incidents API groups, package incident) and records the post there as a
// statement milestone marked with source "brand_post", so a person can tell
// it from one typed into the API or CLI. Recording is idempotent on the
// post id: a redelivered post never makes a second milestone.
//
// Non-goals: deciding whether a brand post is about the incident (every
// brand post during an open incident is offered as its statement; a person
// reads the source marker), posting statements, and any I/O in Handles.
package statements

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// MaxHandleBytes bounds a configured handle, "@" excluded.
const MaxHandleBytes = 100

// Handles is the set of the brand's own account handles. Match is safe for
// concurrent use.
type Handles struct {
	set map[string]struct{}
}

// NewHandles returns the set of handles (each with or without a leading
// "@"). An empty list gives an empty set; a blank handle, one with spaces,
// commas or control characters, or one longer than MaxHandleBytes, is an
// error.
func NewHandles(handles []string) (*Handles, error) {
	h := &Handles{set: make(map[string]struct{}, len(handles))}
	for _, s := range handles {
		if err := ValidHandle(s); err != nil {
			return nil, err
		}
		h.set[fold(strings.TrimPrefix(s, "@"))] = struct{}{}
	}
	return h, nil
}

// ValidHandle reports why s cannot be a configured brand handle, or nil.
func ValidHandle(s string) error {
	t := strings.TrimPrefix(s, "@")
	switch {
	case t == "":
		return errors.New("a brand handle must not be blank")
	case len(t) > MaxHandleBytes:
		return fmt.Errorf("brand handle %.20q... is longer than %d bytes", t, MaxHandleBytes)
	case strings.ContainsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == ',' }):
		return fmt.Errorf("brand handle %q has a space, comma or control character", s)
	}
	return nil
}

// Len is the number of handles.
func (h *Handles) Len() int {
	if h == nil {
		return 0
	}
	return len(h.set)
}

// Match reports whether handle (with or without "@") is one of the brand's,
// ignoring ASCII case. It allocates nothing.
func (h *Handles) Match(handle string) bool {
	if h == nil || len(h.set) == 0 || handle == "" {
		return false
	}
	if handle[0] == '@' {
		handle = handle[1:]
	}
	if len(handle) == 0 || len(handle) > MaxHandleBytes {
		return false
	}
	var buf [MaxHandleBytes]byte
	for i := 0; i < len(handle); i++ {
		c := handle[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	// The compiler does not allocate for a string conversion used only as
	// a map key.
	_, ok := h.set[string(buf[:len(handle)])]
	return ok
}

// fold lower-cases the ASCII letters of s.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
