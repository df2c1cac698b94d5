// Package auth guards socialpulse's HTTP API: bearer tokens with roles
// (read, write, admin), loaded from a file and compared in constant time,
// and CORS for an explicit list of browser origins.
//
// Scope: deciding whether a request under the API prefix may proceed, and
// telling the handlers who made it (FromContext). Tokens never leave this
// package: they are hashed when loaded, never logged, and a request's
// Authorization header is read only to hash it.
//
// It is part of the HTTP wing under package api: the guard wraps the
// server's routes, and each route's role comes from the routing table
// (api.Table, through api.RoleFor); this package knows no routes.
//
// Non-goals: user accounts, sessions, cookies, token issuance or rotation
// (edit the file and restart), and rate limiting.
package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Role is what a token may do. Each role includes the ones before it.
type Role int

// Roles, weakest first.
const (
	// RoleRead reads the matrix, the spike history and the features (PR viewers).
	RoleRead Role = iota + 1
	// RoleWrite also adds notes to spikes.
	RoleWrite
	// RoleAdmin may do everything, including what later endpoints reserve
	// for administrators.
	RoleAdmin
)

// RolePublic, the zero Role, is what a route outside the guarded prefix
// needs (the web page, health, readiness, metrics): no token. No token has
// it: ParseRole refuses it.
const RolePublic Role = 0

func (r Role) String() string {
	switch r {
	case RolePublic:
		return "public"
	case RoleRead:
		return "read"
	case RoleWrite:
		return "write"
	case RoleAdmin:
		return "admin"
	}
	return fmt.Sprintf("role(%d)", int(r))
}

// Allows reports whether a token with role r may do what needs role need.
func (r Role) Allows(need Role) bool { return r >= need }

// ParseRole returns the role named s (read, write or admin).
func ParseRole(s string) (Role, error) {
	switch s {
	case "read":
		return RoleRead, nil
	case "write":
		return RoleWrite, nil
	case "admin":
		return RoleAdmin, nil
	}
	return 0, fmt.Errorf("role %q: want read, write or admin", s)
}

// Token is one configured API token. Only the SHA-256 of its value is kept.
type Token struct {
	Name string
	Role Role
	hash [sha256.Size]byte
}

// NewToken returns a token named name with role role for the secret value.
func NewToken(name string, role Role, value string) (Token, error) {
	if !tokenName.MatchString(name) {
		return Token{}, fmt.Errorf("token name %q must match %s", name, tokenName)
	}
	if role < RoleRead || role > RoleAdmin {
		return Token{}, fmt.Errorf("token %s: unknown role %v", name, role)
	}
	if len(value) < MinTokenLength {
		return Token{}, fmt.Errorf("token %s: the token must be at least %d characters", name, MinTokenLength)
	}
	return Token{Name: name, Role: role, hash: sha256.Sum256([]byte(value))}, nil
}

// MinTokenLength is the shortest token value accepted: 16 characters (use
// 32 or more random bytes, e.g. `openssl rand -hex 32`).
const MinTokenLength = 16

// tokenName keeps names safe to log and to use as a note's author.
var tokenName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$`)

// fileEntry is one token in a tokens file.
type fileEntry struct {
	Name        string `yaml:"name"`
	Role        string `yaml:"role"`
	Token       string `yaml:"token"`
	TokenSHA256 string `yaml:"token_sha256"`
}

// LoadTokens reads a tokens file (see ParseTokens). Errors name the file and
// the entry, never a token value.
func LoadTokens(path string) ([]Token, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: tokens file: %w", err)
	}
	ts, err := ParseTokens(data)
	if err != nil {
		return nil, fmt.Errorf("auth: tokens file %s: %w", path, err)
	}
	return ts, nil
}

// ParseTokens parses a YAML (or JSON) list of tokens, either at the top
// level or under a "tokens" key:
//
//	tokens:
//	  - name: pr-team          # the author of its notes; [A-Za-z0-9_.@-], up to 64
//	    role: read             # read, write or admin
//	    token_sha256: 9f86...  # hex SHA-256 of the token (preferred), or
//	  - name: it-oncall
//	    role: write
//	    token: "..."           # the token itself, at least 16 characters
//
// Names and tokens must be unique. An empty list is valid.
func ParseTokens(data []byte) ([]Token, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	list := root.Content[0]
	if list.Kind == yaml.MappingNode {
		var wrapped struct {
			Tokens yaml.Node `yaml:"tokens"`
		}
		if err := decodeStrict(list, &wrapped); err != nil {
			return nil, err
		}
		list = &wrapped.Tokens
		if list.Kind == 0 {
			return nil, nil
		}
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("line %d: want a list of tokens", list.Line)
	}
	var out []Token
	names := map[string]bool{}
	hashes := map[[sha256.Size]byte]string{}
	for i, n := range list.Content {
		var e fileEntry
		if err := decodeStrict(n, &e); err != nil {
			return nil, fmt.Errorf("tokens[%d]: %w", i, err)
		}
		t, err := e.token()
		if err != nil {
			return nil, fmt.Errorf("tokens[%d] (line %d): %w", i, n.Line, err)
		}
		if names[t.Name] {
			return nil, fmt.Errorf("tokens[%d] (line %d): name %q is used twice", i, n.Line, t.Name)
		}
		if other, dup := hashes[t.hash]; dup {
			return nil, fmt.Errorf("tokens[%d] (line %d): %s has the same token as %s", i, n.Line, t.Name, other)
		}
		names[t.Name], hashes[t.hash] = true, t.Name
		out = append(out, t)
	}
	return out, nil
}

func (e fileEntry) token() (Token, error) {
	role, err := ParseRole(e.Role)
	if err != nil {
		return Token{}, fmt.Errorf("%s: %w", e.Name, err)
	}
	switch {
	case e.Token != "" && e.TokenSHA256 != "":
		return Token{}, fmt.Errorf("%s: set token or token_sha256, not both", e.Name)
	case e.Token != "":
		return NewToken(e.Name, role, e.Token)
	case e.TokenSHA256 != "":
		t, err := NewToken(e.Name, role, strings.Repeat("x", MinTokenLength))
		if err != nil {
			return Token{}, err
		}
		h, err := hex.DecodeString(strings.TrimSpace(e.TokenSHA256))
		if err != nil || len(h) != sha256.Size {
			return Token{}, fmt.Errorf("%s: token_sha256 must be 64 hex digits", e.Name)
		}
		copy(t.hash[:], h)
		return t, nil
	}
	return Token{}, fmt.Errorf("%s: token or token_sha256 is required", e.Name)
}

// decodeStrict decodes n into v, refusing unknown keys (a misspelt
// token_sha256 must not pass silently).
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return errors.New(redactYAMLError(err.Error()))
	}
	return nil
}

// redactYAMLError drops quoted values from a YAML error, which may quote a
// token placed under a misspelt key.
func redactYAMLError(s string) string {
	return quoted.ReplaceAllString(s, "`…`")
}

var quoted = regexp.MustCompile("`[^`]*`")
