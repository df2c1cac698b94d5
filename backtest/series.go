package backtest

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/detect"
)

// StepSampleRows is how many leading rows of a series are read before the
// step is inferred; the rest of the file is streamed.
const StepSampleRows = 10000

// backtestProgressRows is how often (in rows) backtest reports progress on
// stderr.
const backtestProgressRows = 100000

// SeriesOptions configure Series.
type SeriesOptions struct {
	// In is the CSV: a header naming the columns timestamp and value, then
	// one row per step.
	In io.Reader
	// Out receives one JSON line per row; ErrOut the progress and the
	// summary.
	Out, ErrOut io.Writer
}

// Series runs the production spike detector, with its default settings for
// the series' step, over the CSV of counts in o.In and writes one JSON line
// per row to o.Out ("socialpulse backtest --series").
func Series(ctx context.Context, o SeriesOptions) error {
	out := bufio.NewWriter(o.Out)
	bt := backtester{
		progress: func(rows, alerts int) {
			fmt.Fprintf(o.ErrOut, "backtest: %d rows, %d alerts\n", rows, alerts)
		},
	}
	err := bt.run(ctx, o.In, func(r seriesRow, d detect.Decision, perStep float64) error {
		line := backtestLine{
			Timestamp: r.raw,
			Value:     r.value,
			Baseline:  round(perStep, 3),
			Score:     round(d.Score, 4),
			Alert:     d.Event == detect.EventFire,
		}
		b, err := json.Marshal(line)
		if err != nil {
			return err
		}
		b = append(b, '\n')
		_, err = out.Write(b)
		return err
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(o.ErrOut, "backtest: %d rows, step %s, %d alerts\n", bt.rows, bt.step, bt.alerts)
	return nil
}

// backtestLine is one output line of "backtest --series".
type backtestLine struct {
	Timestamp string  `json:"timestamp"`
	Value     float64 `json:"value"`
	Baseline  float64 `json:"baseline"`
	Score     float64 `json:"score"`
	Alert     bool    `json:"alert"`
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// seriesRow is one row of a timestamp,value CSV.
type seriesRow struct {
	raw   string // the timestamp as written
	t     time.Time
	value float64
	line  int // the row's line in the file
}

// minSeriesStep is the finest step backtest runs the detector at, the
// finest bucket the matrix store allows. The detector sizes its windows in
// steps, so a series 1ns apart would ask for trillions of them.
const minSeriesStep = time.Second

// seriesReader reads a timestamp,value CSV (a header naming the two
// columns, in any order among others, then one row per step). It hands out
// rows with a timestamp after the previous row's and a finite non-negative
// value; its errors name the line (and for CSV syntax the column) at fault.
type seriesReader struct {
	cr            *csv.Reader
	fields        int // in the header
	tsCol, valCol int
	prev          time.Time // of the last row, when started
	started       bool
}

// newSeriesReader reads the header.
func newSeriesReader(r io.Reader) (*seriesReader, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("series: empty input, want a header timestamp,value")
		}
		return nil, fmt.Errorf("series: header: %w", err)
	}
	sr := &seriesReader{cr: cr, fields: len(header), tsCol: -1, valCol: -1}
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "timestamp":
			sr.tsCol = i
		case "value":
			sr.valCol = i
		}
	}
	if sr.tsCol < 0 || sr.valCol < 0 {
		return nil, fmt.Errorf("series: header %q: want columns timestamp and value", header)
	}
	return sr, nil
}

// next returns the next row, or io.EOF after the last.
func (sr *seriesReader) next() (seriesRow, error) {
	rec, err := sr.cr.Read()
	if err != nil {
		return seriesRow{}, err
	}
	// Lines come from the reader: blank lines and quoted newlines make
	// them more than the count of rows.
	line, _ := sr.cr.FieldPos(0)
	if len(rec) <= max(sr.tsCol, sr.valCol) {
		return seriesRow{}, fmt.Errorf("series: line %d: want %d fields, got %d", line, sr.fields, len(rec))
	}
	raw := strings.TrimSpace(rec[sr.tsCol])
	t, err := ParseSeriesTime(raw)
	if err != nil {
		line, _ := sr.cr.FieldPos(sr.tsCol)
		return seriesRow{}, fmt.Errorf("series: line %d: %w", line, err)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(rec[sr.valCol]), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		line, _ := sr.cr.FieldPos(sr.valCol)
		return seriesRow{}, fmt.Errorf("series: line %d: value %q: want a non-negative number", line, rec[sr.valCol])
	}
	if sr.started && !t.After(sr.prev) {
		line, _ := sr.cr.FieldPos(sr.tsCol)
		return seriesRow{}, fmt.Errorf("series: line %d: timestamp %s is not after the previous one", line, raw)
	}
	sr.prev, sr.started = t, true
	return seriesRow{raw: raw, t: t, value: v, line: line}, nil
}

// backtester runs the default detector over a series read from CSV. The
// backtest command and "eval nab" share it, so both measure exactly what
// production runs.
type backtester struct {
	// progress, if set, is called every backtestProgressRows rows.
	progress func(rows, alerts int)

	rows, alerts int
	step         time.Duration
}

// run reads the CSV, infers the step from the first rows, and calls emit for
// every row in order with the detector's decision and the per-step baseline.
func (bt *backtester) run(ctx context.Context, r io.Reader, emit func(seriesRow, detect.Decision, float64) error) error {
	sr, err := newSeriesReader(r)
	if err != nil {
		return err
	}
	var head []seriesRow
	for len(head) < StepSampleRows {
		row, err := sr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		head = append(head, row)
	}
	ts := make([]time.Time, len(head))
	for i, row := range head {
		ts[i] = row.t
	}
	bt.step, err = detect.InferStep(ts)
	if err != nil {
		return fmt.Errorf("series: %w", err)
	}
	if bt.step < minSeriesStep {
		return fmt.Errorf("series: step %v (the most common gap between timestamps) is below %v", bt.step, minSeriesStep)
	}
	det, err := detect.NewDetector(detect.DefaultDetectorConfig(bt.step))
	if err != nil {
		return err
	}
	k := float64(det.Config().EvalSteps)
	observe := func(row seriesRow) error {
		d := det.Observe(row.t, row.value)
		bt.rows++
		if d.Event == detect.EventFire {
			bt.alerts++
		}
		if bt.rows%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if bt.progress != nil && bt.rows%backtestProgressRows == 0 {
			bt.progress(bt.rows, bt.alerts)
		}
		return emit(row, d, d.Baseline/k)
	}
	for _, row := range head {
		if err := observe(row); err != nil {
			return err
		}
	}
	for {
		row, err := sr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := observe(row); err != nil {
			return err
		}
	}
}

// ParseSeriesTime accepts "2015-02-26 21:42:53" (optionally with fractional
// seconds; UTC) and RFC 3339.
func ParseSeriesTime(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02 15:04:05.999999999", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("timestamp %q: want \"2006-01-02 15:04:05\" or RFC 3339", s)
}
