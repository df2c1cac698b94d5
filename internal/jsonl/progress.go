package jsonl

import (
	"fmt"
	"io"
	"time"
)

// Progress shows how far a command is through its line-delimited input:
// redrawn in place at most 4 times a second on a terminal, a plain line
// every 5 seconds otherwise, so a short run prints nothing. Every method
// of a nil *Progress does nothing.
type Progress struct {
	w     io.Writer
	tty   bool
	total int64 // input bytes; 0 when unknown
	lines int64 // input lines, when known instead of the bytes (SetLines)
	name  string
	verb  string
	every time.Duration
	now   func() time.Time

	start, last time.Time
	drawn       bool // a redrawable line is on screen
}

// NewProgress writes to w, redrawing one line when tty; total is the input
// size in bytes (0 when unknown), name the command ("replay") and verb what
// is done to a line ("produced"). The clock starts now; Start restarts it.
func NewProgress(w io.Writer, tty bool, total int64, name, verb string) *Progress {
	p := &Progress{w: w, tty: tty, total: total, name: name, verb: verb, every: 5 * time.Second, now: time.Now}
	if tty {
		p.every = 250 * time.Millisecond
	}
	p.Start()
	return p
}

// SetLines gives the number of lines the input will have, for an input
// whose size in bytes is unknown (a Kafka topic read as lines): the
// percentage and ETA then follow the lines read.
func (p *Progress) SetLines(n int64) {
	if p != nil {
		p.lines = n
	}
}

// Start restarts the clock the rate and the ETA are measured from.
func (p *Progress) Start() {
	if p == nil {
		return
	}
	p.start = p.now()
	p.last = p.start
}

// Update shows the state if it is time to, or, on a terminal, always when
// final: lines read, done of them processed, consumed bytes of the input.
func (p *Progress) Update(lines, done int, consumed int64, final bool) {
	if p == nil {
		return
	}
	now := p.now()
	if !final && now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	line := Line(p.name, p.verb, lines, done, consumed, p.total, now.Sub(p.start))
	if p.total == 0 && p.lines > 0 {
		line = Line(p.name, p.verb, lines, done, int64(lines), p.lines, now.Sub(p.start))
	}
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K"+line)
		p.drawn = true
		return
	}
	if !final {
		fmt.Fprintln(p.w, line)
	}
}

// Note prints a message on its own line, keeping the progress line below it.
func (p *Progress) Note(msg string) {
	if p == nil {
		return
	}
	p.clear()
	fmt.Fprintln(p.w, p.name+": "+msg)
}

// Finish ends the redrawn line so later output starts on a fresh one.
func (p *Progress) Finish() {
	if p != nil && p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

func (p *Progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// Line renders "replay: 12000 lines, 11990 produced, 2400 posts/s, 48%,
// ETA 6s"; percent and ETA only when the input size is known.
func Line(name, verb string, lines, done int, consumed, total int64, elapsed time.Duration) string {
	s := fmt.Sprintf("%s: %d lines, %d %s, %.0f posts/s", name, lines, done, verb, PerSecond(done, elapsed))
	if total > 0 {
		frac := min(float64(consumed)/float64(total), 1)
		s += fmt.Sprintf(", %.0f%%", frac*100)
		if frac > 0 && elapsed > 0 {
			eta := time.Duration(float64(elapsed) * (1 - frac) / frac)
			s += ", ETA " + eta.Round(time.Second).String()
		}
	}
	return s
}

// PerSecond is n over d, 0 for no time.
func PerSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
