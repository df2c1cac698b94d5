package evaluate

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/internal/jsonl"
)

// maxLabelledLine bounds one JSONL line of a labelled file.
const maxLabelledLine = 1 << 20

// LabelledFormat names how ReadLabelled reads its input.
type LabelledFormat struct {
	// CSV reads a CSV file with a header row instead of JSONL.
	CSV bool
	// TextColumn is the CSV column with the post's text (default "text").
	TextColumn string
	// LabelColumn is the CSV column with the post's feature ids, several
	// separated by ";" (default "feature").
	LabelColumn string
}

// ReadLabelled reads posts a person labelled with the features they are
// about, for AspectReport. JSONL lines hold "text" and either "features" (a
// list of feature ids, or of objects with an "id", as score writes them) or
// "feature" (one id). A missing, empty or "other" label means the post is
// about no feature. Errors name the line (JSONL) or record (CSV).
func ReadLabelled(r io.Reader, f LabelledFormat) ([]Sentence, error) {
	if f.CSV {
		return readLabelledCSV(r, f)
	}
	jr := jsonl.NewReader(r, maxLabelledLine)
	var out []Sentence
	for n := 1; ; n++ {
		line, size, err := jr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if line == nil {
			return nil, fmt.Errorf("line %d: longer than %d bytes (%d)", n, maxLabelledLine, size)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var rec struct {
			Text     *string           `json:"text"`
			Feature  string            `json:"feature"`
			Features []json.RawMessage `json:"features"`
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if rec.Text == nil {
			return nil, fmt.Errorf("line %d: no \"text\"", n)
		}
		s := Sentence{Text: *rec.Text}
		s.addLabel(rec.Feature)
		for i, raw := range rec.Features {
			var id string
			if err := json.Unmarshal(raw, &id); err != nil {
				var obj struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal(raw, &obj); err != nil || obj.ID == "" {
					return nil, fmt.Errorf("line %d: features[%d]: want a feature id or an object with an \"id\"", n, i)
				}
				id = obj.ID
			}
			s.addLabel(id)
		}
		out = append(out, s)
	}
}

func readLabelledCSV(r io.Reader, f LabelledFormat) ([]Sentence, error) {
	textCol, labelCol := f.TextColumn, f.LabelColumn
	if textCol == "" {
		textCol = "text"
	}
	if labelCol == "" {
		labelCol = "feature"
	}
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty CSV: want a header row")
	}
	if err != nil {
		return nil, err
	}
	ti, li := slices.Index(head, textCol), slices.Index(head, labelCol)
	if ti < 0 {
		return nil, fmt.Errorf("CSV header %q has no text column %q", head, textCol)
	}
	if li < 0 {
		return nil, fmt.Errorf("CSV header %q has no label column %q", head, labelCol)
	}
	var out []Sentence
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err // a *csv.ParseError names the record's line
		}
		s := Sentence{Text: rec[ti]}
		for _, id := range strings.Split(rec[li], ";") {
			s.addLabel(id)
		}
		out = append(out, s)
	}
}

// addLabel adds the feature id as a gold opinion, once; "" and "other" mean
// no feature.
func (s *Sentence) addLabel(id string) {
	id = strings.TrimSpace(id)
	if id == "" || id == feature.OtherID {
		return
	}
	for _, o := range s.Opinions {
		if o.Category == id {
			return
		}
	}
	s.Opinions = append(s.Opinions, Opinion{Category: id})
}

// readLabelledFile reads a labelled CSV file (ReadLabelled's default
// columns) as the sentences eval aspects scores, with its labels resolved
// against tg as eval tagging resolves them; a label tg has no feature for is
// an error.
func readLabelledFile(path string, tg *feature.Tagger) ([]aspectSentence, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ls, err := ReadLabelled(f, LabelledFormat{CSV: true})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if unknown := ResolveLabels(tg, ls); len(unknown) > 0 {
		labels := slices.Sorted(maps.Keys(unknown))
		return nil, fmt.Errorf("%s: labels the taxonomy has no feature for: %s", path, strings.Join(labels, ", "))
	}
	return toAspectSentences(ls), nil
}

// toAspectSentences converts labelled sentences to the scorer's form.
func toAspectSentences(ls []Sentence) []aspectSentence {
	out := make([]aspectSentence, len(ls))
	for i, l := range ls {
		out[i].text = l.Text
		for _, o := range l.Opinions {
			out[i].add(o.Category, o.Polarity)
		}
		out[i].finish()
	}
	return out
}

// ResolveLabels rewrites each label of sents to the id of the feature of tg
// it names: its id, or its id or name in any case and with spaces or "_"
// ("Late delivery", "late_delivery"; an id wins over another feature's
// name). It returns the labels that name no feature, each with the number
// of posts that have it: such posts can never be tagged right.
func ResolveLabels(tg *feature.Tagger, sents []Sentence) map[string]int {
	byKey := map[string]string{}
	for _, ft := range tg.Features() {
		byKey[labelKey(ft.Name)] = ft.ID
	}
	for _, ft := range tg.Features() {
		byKey[labelKey(ft.ID)] = ft.ID
	}
	unknown := map[string]int{}
	for i := range sents {
		for j, o := range sents[i].Opinions {
			if _, ok := tg.Index(o.Category); ok {
				continue
			}
			if id, ok := byKey[labelKey(o.Category)]; ok {
				sents[i].Opinions[j].Category = id
				continue
			}
			unknown[o.Category]++
		}
	}
	return unknown
}

// labelKey folds a label, feature id or feature name to lowercase words
// joined by "_", so "Late Flight", "late flight" and "late_flight" meet.
func labelKey(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(words, "_")
}
