package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/internal/jsonl"
	"github.com/socialpulse/socialpulse/post"
)

// MaxScoreLine bounds one input line of Score; a longer line gets an error
// line instead of a result.
const MaxScoreLine = 8 << 20

// Score is the body of "socialpulse score": it reads JSONL posts from r
// and writes one JSON line to w per input line, in order. A post is
// decoded by post.Decoder and enriched by enr, as the processor does, and
// its line is the ScoredPost the processor writes to its enriched-posts
// topic (without source, and without event_time when the post has no
// created_at). A line the processor would dead-letter gets an error line
// with the same reason:
//
//	{"line":<N>,"reason":"<post rejection reason>","error":"<why the line could not be scored>"}
//
// Score stops with an error when r or w fails, or when ctx is done (it
// looks every 4096 lines).
//
// progress, when not nil, is updated as lines are scored.
func Score(ctx context.Context, enr *enrich.Enricher, r io.Reader, w io.Writer, progress *jsonl.Progress) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	lr := jsonl.NewReader(r, MaxScoreLine)
	s := &scorer{enr: enr}
	n := 1
	for ; ; n++ {
		line, size, err := lr.Next()
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
			s.fail(n, &post.Error{Reason: post.ReasonTooLarge, Detail: "line longer than " + strconv.Itoa(MaxScoreLine) + " bytes"})
		} else {
			s.score(n, line)
		}
		if _, err := bw.Write(s.out); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		progress.Update(n, n, lr.Consumed(), false)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	progress.Update(n-1, n-1, lr.Consumed(), true)
	progress.Finish()
	return nil
}

// scorer turns one input line into one output line, reusing its buffers.
type scorer struct {
	enr     *enrich.Enricher
	dec     post.Decoder
	post    post.Post
	scratch enrich.Scratch
	out     []byte
}

// score sets s.out to the output line (with its newline) for input line n.
func (s *scorer) score(n int, line []byte) {
	if err := s.dec.Decode(line, &s.post); err != nil {
		s.fail(n, err)
		return
	}
	res := s.enr.Enrich(s.post.Text, s.post.Lang, &s.scratch)
	s.encode(NewScoredPost(&s.post, s.post.CreatedAt, &res))
}

// scoreError is the line for an input line that could not be scored.
type scoreError struct {
	Line   int         `json:"line"`
	Reason post.Reason `json:"reason,omitempty"`
	Error  string      `json:"error"`
}

// fail sets s.out to the error line for input line n.
func (s *scorer) fail(n int, err error) {
	s.encode(scoreError{Line: n, Reason: post.ReasonOf(err), Error: err.Error()})
}

func (s *scorer) encode(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only reachable with a non-finite float, which scores never are.
		panic("score: marshal output line: " + err.Error())
	}
	s.out = append(append(s.out[:0], b...), '\n')
}
