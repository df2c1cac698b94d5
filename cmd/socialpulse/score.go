package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/socialpulse/socialpulse/enrich"
)

// maxScoreLine bounds one input line of score; a longer line gets an error
// line instead of a result.
const maxScoreLine = 8 << 20

// runScore is "socialpulse score": JSONL posts in, one JSON result line out
// per input line, in order. The output format is a contract other tools
// depend on:
//
//	{"id":"<id>","sentiment":{"label":"negative|neutral|positive|unscored","score":<float>},"features":["<feature id>",...],"lang":"en"}
//	{"line":<N>,"error":"<why the line could not be scored>"}
func runScore(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: socialpulse score [--taxonomy FILE] [FILE|-]")
		fmt.Fprintln(fs.Output(), "Scores JSONL posts (at least \"text\", usually \"id\") and writes one JSON line per input line.")
		fs.PrintDefaults()
	}
	taxPath := fs.String("taxonomy", "", "feature taxonomy YAML `file`; default: the built-in taxonomy")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("want at most one FILE, got %d arguments", fs.NArg())
	}
	name := "-"
	if fs.NArg() == 1 {
		name = fs.Arg(0)
	}

	enr, err := enrich.Load(*taxPath)
	if err != nil {
		return err
	}

	in, _, closeIn, err := openInput(name, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	return scoreLines(ctx, enr, in, stdout)
}

// scoreLines writes one result or error line to w for each line of r.
func scoreLines(ctx context.Context, enr *enrich.Enricher, r io.Reader, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	lr := newLineReader(r, maxScoreLine)
	s := &scorer{enr: enr}
	for n := 1; ; n++ {
		line, size, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read line %d: %w", n, err)
		}
		if n%4096 == 0 && ctx.Err() != nil {
			return fmt.Errorf("interrupted at line %d: %w", n, ctx.Err())
		}
		if line == nil && size > 0 {
			s.out = appendError(s.out[:0], n, "line longer than "+strconv.Itoa(maxScoreLine)+" bytes")
		} else {
			s.score(n, line)
		}
		if _, err := bw.Write(s.out); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// scorer turns one input line into one output line, reusing its buffers.
type scorer struct {
	enr     *enrich.Enricher
	p       fastjson.Parser
	scratch enrich.Scratch
	out     []byte
}

// score sets s.out to the output line (with its newline) for input line n.
func (s *scorer) score(n int, line []byte) {
	s.out = s.out[:0]
	v, err := s.p.ParseBytes(line)
	if err != nil {
		if len(line) == 0 || isSpace(line) {
			s.out = appendError(s.out, n, "empty line")
			return
		}
		s.out = appendError(s.out, n, "invalid JSON: "+err.Error())
		return
	}
	if v.Type() != fastjson.TypeObject {
		s.out = appendError(s.out, n, "want a JSON object, got "+v.Type().String())
		return
	}
	var id []byte
	switch iv := v.Get("id"); {
	case iv == nil || iv.Type() == fastjson.TypeNull:
	case iv.Type() == fastjson.TypeString:
		id, _ = iv.StringBytes()
	case iv.Type() == fastjson.TypeNumber:
		id = iv.MarshalTo(nil)
	default:
		s.out = appendError(s.out, n, "field id: want a string or a number, got "+iv.Type().String())
		return
	}
	tv := v.Get("text")
	if tv == nil || tv.Type() == fastjson.TypeNull {
		s.out = appendError(s.out, n, "field text: required")
		return
	}
	text, err := tv.StringBytes()
	if err != nil {
		s.out = appendError(s.out, n, "field text: want a string, got "+tv.Type().String())
		return
	}
	var lang []byte
	if lv := v.Get("lang"); lv != nil && lv.Type() == fastjson.TypeString {
		lang, _ = lv.StringBytes()
	}

	res := s.enr.Enrich(string(text), string(lang), &s.scratch)

	b := append(s.out, `{"id":`...)
	b = appendJSONString(b, id)
	b = append(b, `,"sentiment":{"label":"`...)
	b = append(b, res.Sentiment.Label.String()...)
	b = append(b, `","score":`...)
	b = appendScore(b, res.Sentiment.Score)
	b = append(b, `},"features":[`...)
	for i, f := range res.Features {
		if seenBefore(res.Features[:i], f.ID) {
			continue
		}
		if b[len(b)-1] != '[' {
			b = append(b, ',')
		}
		b = appendJSONString(b, []byte(f.ID))
	}
	b = append(b, `],"lang":`...)
	b = appendJSONString(b, []byte(res.Lang))
	b = append(b, "}\n"...)
	s.out = b
}

func seenBefore(fs []enrich.FeatureSentiment, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// appendError appends {"line":n,"error":msg} and a newline.
func appendError(b []byte, n int, msg string) []byte {
	const maxMsg = 300
	if len(msg) > maxMsg {
		cut := maxMsg
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	b = append(b, `{"line":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `,"error":`...)
	b = appendJSONString(b, []byte(msg))
	return append(b, "}\n"...)
}

// appendScore writes a score as a JSON number (never NaN or Inf).
func appendScore(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// so the output is always valid JSON.
func appendJSONString(b, s []byte) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' { // valid JSON, but not in JavaScript
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
