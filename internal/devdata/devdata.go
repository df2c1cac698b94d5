// Package devdata reads the public labelled data socialpulse is measured on
// (VADER's human-rated texts and the complaints corpus) and computes the
// classification metrics the evaluations report. The evaluation command and
// the sentiment trainer share it, so both read and score the data alike.
//
// Non-goals: shipping any data (tools take a path to it) or scoring text.
package devdata

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Rated is one text of a VADER ground-truth file.
type Rated struct {
	Text string
	// Mean is the mean human rating, -4..4.
	Mean float64
}

// ReadRated reads a VADER ground-truth file: id<TAB>mean<TAB>text lines with
// CRLF ends and, for some files, a UTF-8 byte-order mark.
func ReadRated(path string) ([]Rated, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open rated texts: %w", err)
	}
	defer f.Close()
	var out []Rated
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			l = strings.TrimPrefix(l, "\ufeff")
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		parts := strings.SplitN(l, "\t", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("%s:%d: want id<TAB>mean<TAB>text", path, line)
		}
		mean, err := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: mean rating: %w", path, line, err)
		}
		out = append(out, Rated{Text: parts[2], Mean: mean})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// Complaint is one tweet of the complaints corpus.
type Complaint struct {
	ID, Text  string
	Complaint bool
	Domain    string
}

// ReadComplaints reads the complaints CSV: tweet_id,text,is_complaint,domain
// with no header.
func ReadComplaints(path string) ([]Complaint, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("complaints data not found: %w", err)
		}
		return nil, fmt.Errorf("open complaints: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	var out []Complaint
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		c := Complaint{ID: rec[0], Text: rec[1], Domain: rec[3]}
		switch rec[2] {
		case "1":
			c.Complaint = true
		case "0":
		default:
			return nil, fmt.Errorf("read %s: tweet %s: is_complaint %q, want 1 or 0", path, rec[0], rec[2])
		}
		out = append(out, c)
	}
	return out, nil
}

// Accuracy is the share of pred equal to gold.
func Accuracy[T comparable](gold, pred []T) float64 {
	ok := 0
	for i := range gold {
		if gold[i] == pred[i] {
			ok++
		}
	}
	return float64(ok) / float64(max(len(gold), 1))
}

// PRF returns precision, recall and F1 of class c.
func PRF[T comparable](gold, pred []T, c T) (p, r, f float64) {
	var tp, fp, fn float64
	for i := range gold {
		switch {
		case pred[i] == c && gold[i] == c:
			tp++
		case pred[i] == c:
			fp++
		case gold[i] == c:
			fn++
		}
	}
	if tp+fp > 0 {
		p = tp / (tp + fp)
	}
	if tp+fn > 0 {
		r = tp / (tp + fn)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// MacroF1 averages F1 over classes; with presentOnly, classes absent from
// gold are left out of the average.
func MacroF1[T comparable](gold, pred, classes []T, presentOnly bool) float64 {
	var sum float64
	n := 0
	for _, c := range classes {
		if presentOnly && !contains(gold, c) {
			continue
		}
		_, _, f := PRF(gold, pred, c)
		sum += f
		n++
	}
	return sum / float64(max(n, 1))
}

func contains[T comparable](xs []T, x T) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Pearson is the correlation of x and y (0 when either is constant).
func Pearson(x, y []float64) float64 {
	n := float64(len(x))
	if n == 0 {
		return 0
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

// Tweet is one labelled tweet of the SemEval Task 4A files.
type Tweet struct {
	ID, Text string
	// Label is "negative", "neutral" or "positive".
	Label string
	// File is the base name of the file the tweet was first read from.
	File string
}

// ReadSemEval reads every twitter-*-A.tsv file in dir (id<TAB>label<TAB>text
// lines, in file name order) and drops repeats: a tweet whose id or text was
// already read is skipped, so the first file that holds a tweet keeps it.
// Text enclosed in double quotes is unquoted.
func ReadSemEval(dir string) ([]Tweet, error) {
	names, err := filepath.Glob(filepath.Join(dir, "twitter-*-A.tsv"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("SemEval data not found: no twitter-*-A.tsv in %s", dir)
	}
	sort.Strings(names)
	seenID := make(map[string]bool)
	seenText := make(map[string]bool)
	var out []Tweet
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("open SemEval file: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		base := filepath.Base(name)
		for ln := 1; sc.Scan(); ln++ {
			line := strings.TrimRight(sc.Text(), "\r\t ")
			if line == "" {
				continue
			}
			parts := strings.SplitN(line, "\t", 3)
			if len(parts) != 3 {
				f.Close()
				return nil, fmt.Errorf("read %s line %d: want id, label and text", base, ln)
			}
			switch parts[1] {
			case "negative", "neutral", "positive":
			default:
				f.Close()
				return nil, fmt.Errorf("read %s line %d: label %q", base, ln, parts[1])
			}
			text := strings.TrimSpace(parts[2])
			if len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"' {
				text = strings.ReplaceAll(text[1:len(text)-1], `""`, `"`)
			}
			if seenID[parts[0]] || seenText[text] {
				continue
			}
			seenID[parts[0]], seenText[text] = true, true
			out = append(out, Tweet{ID: parts[0], Text: text, Label: parts[1], File: base})
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", base, err)
		}
	}
	return out, nil
}

// MacroRecall averages recall over classes (SemEval Task 4A's official
// measure).
func MacroRecall[T comparable](gold, pred, classes []T) float64 {
	var sum float64
	for _, c := range classes {
		_, r, _ := PRF(gold, pred, c)
		sum += r
	}
	return sum / float64(max(len(classes), 1))
}
