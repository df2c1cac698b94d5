// Package jsonl reads line-delimited input for the command-line tools: lines
// of any length up to a bound, from a file or standard input, with the byte
// count a progress display needs. It does not parse the lines.
package jsonl

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
)

// Open opens the file name or, for "-", stdin. size is the byte size when the
// input is a regular file, else 0.
func Open(name string, stdin io.Reader) (r io.Reader, size int64, closeFn func(), err error) {
	if name == "-" {
		if f, ok := stdin.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				size = fi.Size()
			}
		}
		return stdin, size, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, err // *PathError names the file
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return f, size, func() { _ = f.Close() }, nil
}

// Reader reads lines of any length, bounded by max bytes each.
type Reader struct {
	br       *bufio.Reader
	max      int
	buf      []byte
	consumed int64 // bytes consumed, terminators included
}

// NewReader reads r in lines of at most max bytes.
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Next returns the next line without its "\n" or "\r\n" terminator; the
// slice is valid until the next call. A line longer than max is discarded:
// line is nil and size is its length. At the end of input err is io.EOF.
func (r *Reader) Next() (line []byte, size int, err error) {
	chunk, err := r.br.ReadSlice('\n')
	r.consumed += int64(len(chunk))
	if err == nil || (errors.Is(err, io.EOF) && len(chunk) > 0) {
		// the common case: the whole line is in the buffer
		return r.finish(chunk, len(chunk), false)
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, 0, err
	}
	r.buf = append(r.buf[:0], chunk...)
	size = len(chunk)
	tooLong := false
	for {
		chunk, err = r.br.ReadSlice('\n')
		r.consumed += int64(len(chunk))
		size += len(chunk)
		if !tooLong {
			if len(r.buf)+len(chunk) > r.max+2 { // +2: room for "\r\n"
				tooLong = true
				r.buf = r.buf[:0]
			} else {
				r.buf = append(r.buf, chunk...)
			}
		}
		switch {
		case err == nil, errors.Is(err, io.EOF):
			if tooLong {
				return r.finish(nil, size, true)
			}
			return r.finish(r.buf, size, false)
		case errors.Is(err, bufio.ErrBufferFull):
		default:
			return nil, size, err
		}
	}
}

func (r *Reader) finish(line []byte, size int, tooLong bool) ([]byte, int, error) {
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if tooLong || len(line) > r.max {
		return nil, size, nil
	}
	if line == nil {
		line = []byte{}
	}
	return line, size, nil
}

// Consumed is how many input bytes Next has read, line terminators included.
func (r *Reader) Consumed() int64 { return r.consumed }
