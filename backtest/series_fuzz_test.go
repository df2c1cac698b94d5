package backtest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/detect"
)

// maxFuzzDetectorSteps bounds the steps (rows and the gaps the detector
// fills with zeros) of a fuzzed series that is also run through the
// detector, so that one input stays well under a millisecond or so.
const maxFuzzDetectorSteps = 20000

// rowError is how the reader names the line of a bad row; the rest of the
// message quotes the field, as %q or (for the order check) as written.
var rowError = regexp.MustCompile(`^series: line ([0-9]+): (?:value ("(?:[^"\\]|\\.)*")|timestamp ("(?:[^"\\]|\\.)*")|timestamp (.*) is not after|want [0-9]+ fields)`)

// FuzzBacktestCSV reads arbitrary bytes as a backtest series. The reader
// either refuses them with an error naming the header, the line (and for
// CSV syntax the column) or the step at fault, or hands out rows in strictly
// increasing time with finite non-negative values. The whole backtest, run
// on the same bytes, fails the same way or emits one decision per row.
func FuzzBacktestCSV(f *testing.F) {
	for _, s := range []string{
		"timestamp,value\n2015-02-26 21:42:53,3\n2015-02-26 21:47:53,4\n",
		"\ufefftimestamp,value\r\n2026-03-02T00:00:00Z,5\r\n2026-03-02T00:01:00Z,40\r\n2026-03-02T00:02:00+01:00,0\r\n",
		"Value , Timestamp,extra\n1.5e2, 2026-03-02 00:00:00.25 ,x\n0,2026-03-02 00:00:01.25\n",
		"timestamp,value\n2026-03-02 00:00:00,1\n\n2026-03-02 00:01:00,\"2\"\n2026-03-02 00:02:00,\"a\nb\"\n",
		"timestamp,value,note\n2026-03-02 00:00:00,1,\"x\ny\"\n2026-03-02 00:01:00,-4,z\n",
		"timestamp,value\n2026-03-02 00:00:00,1\n2026-03-02 00:00:00.000000001,1\n2026-03-02 00:00:00.000000002,1\n",
		"timestamp,value\n2026-03-02 00:01:00,1\n2026-03-02 00:00:00,1\n",
		"timestamp,value\n0001-01-01 00:00:00,1\n0001-01-01 00:00:00,1\n",
		"timestamp,value\n2026-03-02 00:00:00,NaN\n",
		"timestamp,value\n2026-03-02 00:00:00,+Inf\n",
		"timestamp,value\nyesterday,1\n",
		"timestamp,value\n2026-03-02 00:00:00\n",
		"timestamp,value\n2026-03-02 00:00:00,1\n",
		"timestamp,value\n0001-01-01 00:00:00,1\n9999-12-31 23:59:59,1\n",
		"timestamp,value\n\"2026-03-02 00:00:00,1\n",
		"timestamp,value\n2026-03-02 00:00:00,1\"x\n",
		"time,count\n2026-03-02 00:00:00,1\n",
		"timestamp,value\n2026-03-05T00:00:00+20:00,1\n2026-03-05T00:01:00+20:00,2\n2026-03-05T0:02:00+20:00,0\n",
		"",
		"\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, readErr := readSeries(t, data)
		if readErr == nil && tooManySteps(rows) {
			return // a valid series too long to replay in a fuzz iteration
		}
		// Fuzzed inputs are far shorter than StepSampleRows, so a bad row
		// stops the backtest before the detector runs.
		var emitted []seriesRow
		var bt backtester
		runErr := bt.run(context.Background(), bytes.NewReader(data), func(r seriesRow, d detect.Decision, perStep float64) error {
			if d.Score < 0 || d.Score > 1 || math.IsNaN(perStep) || math.IsInf(perStep, 0) || perStep < 0 {
				t.Fatalf("row %+v: score %v, baseline %v", r, d.Score, perStep)
			}
			emitted = append(emitted, r)
			return nil
		})
		switch {
		case readErr != nil:
			if runErr == nil || runErr.Error() != readErr.Error() {
				t.Fatalf("backtest error %v, want the reader's %v", runErr, readErr)
			}
		case runErr != nil:
			if !strings.HasPrefix(runErr.Error(), "series: ") || !strings.Contains(runErr.Error(), "step") {
				t.Fatalf("backtest of %d good rows failed without naming the step: %v", len(rows), runErr)
			}
		default:
			if len(emitted) != len(rows) || bt.rows != len(rows) || bt.step < minSeriesStep {
				t.Fatalf("backtest emitted %d rows (counted %d) at step %v, want the %d read", len(emitted), bt.rows, bt.step, len(rows))
			}
			for i := range rows {
				// Times compare with Equal: each parse of an offset such as
				// +20:00 makes its own *time.Location.
				if e, r := emitted[i], rows[i]; e.raw != r.raw || !e.t.Equal(r.t) || e.value != r.value || e.line != r.line {
					t.Fatalf("row %d emitted as %+v, read as %+v", i, emitted[i], rows[i])
				}
			}
		}
	})
}

// tooManySteps reports whether the detector would take more than
// maxFuzzDetectorSteps steps over rows, counting the zeros it fills gaps
// with (up to MaxGapSteps; it resets after longer gaps).
func tooManySteps(rows []seriesRow) bool {
	ts := make([]time.Time, len(rows))
	for i, r := range rows {
		ts[i] = r.t
	}
	step, err := detect.InferStep(ts)
	if err != nil || step < minSeriesStep {
		return false // refused before the detector runs
	}
	gap := time.Duration(detect.DefaultDetectorConfig(step).MaxGapSteps)
	n := time.Duration(len(rows))
	for i := 1; i < len(ts); i++ {
		if g := ts[i].Sub(ts[i-1]) / step; g <= gap+1 {
			n += g
		}
	}
	return n > maxFuzzDetectorSteps
}

// readSeries reads data with seriesReader, checking each row it hands out
// and each error it returns, and returns the rows up to the first error.
func readSeries(t *testing.T, data []byte) ([]seriesRow, error) {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	sr, err := newSeriesReader(bytes.NewReader(data))
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "series: empty input") && !strings.HasPrefix(msg, "series: header") {
			t.Fatalf("refused header does not say so: %v", err)
		}
		return nil, err
	}
	var rows []seriesRow
	for {
		row, err := sr.next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			checkRowError(t, lines, err)
			return rows, err
		}
		if row.line < 2 || row.line > len(lines) || len(rows) > 0 && row.line <= rows[len(rows)-1].line {
			t.Fatalf("row %+v on line %d of %d, after line %d", row, row.line, len(lines), lastLine(rows))
		}
		if len(rows) > 0 && !row.t.After(rows[len(rows)-1].t) {
			t.Fatalf("row %+v not after the previous %+v", row, rows[len(rows)-1])
		}
		if math.IsNaN(row.value) || math.IsInf(row.value, 0) || row.value < 0 {
			t.Fatalf("row %+v has value %v", row, row.value)
		}
		if pt, err := ParseSeriesTime(row.raw); err != nil || !pt.Equal(row.t) || row.raw != strings.TrimSpace(row.raw) {
			t.Fatalf("row %+v: timestamp %q is not as read", row, row.raw)
		}
		rows = append(rows, row)
	}
}

// checkRowError checks that an error about a row names a line of the input
// and, where the field it quotes fits on one line, the line holding it.
func checkRowError(t *testing.T, lines []string, err error) {
	t.Helper()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.Line < 1 || pe.Line > len(lines) || pe.Column < 1 {
			t.Fatalf("CSV error %v outside the input's %d lines", err, len(lines))
		}
		return
	}
	m := rowError.FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("row error %q does not name its line", err)
	}
	n, _ := strconv.Atoi(m[1])
	if n < 2 || n > len(lines) {
		t.Fatalf("row error %q names a line outside the input's %d", err, len(lines))
	}
	field := m[4]
	for _, q := range m[2:4] {
		if q != "" {
			field, _ = strconv.Unquote(q)
		}
	}
	if field != "" && !strings.ContainsAny(field, "\"\r\n") && !strings.Contains(lines[n-1], field) {
		t.Fatalf("row error %q: line %d is %q", err, n, lines[n-1])
	}
}

func lastLine(rows []seriesRow) int {
	if len(rows) == 0 {
		return 0
	}
	return rows[len(rows)-1].line
}

// Series that broke FuzzBacktestCSV's properties: a step under a second
// made the detector allocate its windows in trillions of steps (a panic
// for 1ns), and errors counted rows rather than lines.
func TestBacktestSeriesEdges(t *testing.T) {
	tests := []struct {
		name, csv, wantErr string
	}{
		{"step of a nanosecond is refused naming the step",
			"timestamp,value\n2026-03-02 00:00:00,1\n2026-03-02 00:00:00.000000001,1\n2026-03-02 00:00:00.000000002,1\n",
			"series: step 1ns (the most common gap between timestamps) is below 1s"},
		{"step of a millisecond is refused naming the step",
			"timestamp,value\n2026-03-02T00:00:00Z,1\n2026-03-02T00:00:00.001Z,1\n",
			"series: step 1ms"},
		{"blank line counts in the line of an error",
			"timestamp,value\n2026-03-02 00:00:00,1\n\n2026-03-02 00:01:00,-4\n",
			"series: line 4: value \"-4\""},
		{"quoted newline counts in the line of an error",
			"timestamp,value,note\n2026-03-02 00:00:00,1,\"x\ny\"\n2026-03-02 00:01:00,1,z\nsoon,1,z\n",
			"series: line 5: timestamp \"soon\""},
		{"repeated first timestamp is refused even at year 1",
			"timestamp,value\n0001-01-01 00:00:00,1\n0001-01-01 00:00:00,1\n",
			"series: line 3: timestamp 0001-01-01 00:00:00 is not after the previous one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bt backtester
			err := bt.run(context.Background(), strings.NewReader(tt.csv), func(seriesRow, detect.Decision, float64) error { return nil })
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("backtest = %v, want an error starting %q", err, tt.wantErr)
			}
		})
	}
}
