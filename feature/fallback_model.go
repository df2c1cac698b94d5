package feature

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// FallbackFormat and FallbackVersion identify a fallback model file. A
// change to the file's fields or to how Classify reads them takes a new
// version; LoadFallback refuses any other.
const (
	FallbackFormat  = "socialpulse.fallback"
	FallbackVersion = 2
)

// DefaultFallbackTarget is the agreement LearnFallback calibrates the
// margin to (Fallback.CalibrateMargin): of the held-back tagged posts the
// model names a feature for with their mentions hidden, at least this share
// must get the feature their terms gave them.
const DefaultFallbackTarget = 0.8

// ErrFallbackTaxonomy is wrapped by the error Tagger.WithFallback returns
// for a model trained for a taxonomy with other features.
var ErrFallbackTaxonomy = errors.New(`fallback model: field "taxonomy": the model was trained for another taxonomy`)

// fallbackVersionNoFloors is the first version of the file, without
// feature_margins; LoadFallback still reads it.
const fallbackVersionNoFloors = 1

// LearnReport says what LearnFallback learned from.
type LearnReport struct {
	Texts  int     // texts given, the taxonomy's own examples included
	Tagged int     // texts the terms tagged: the model learned from these
	Words  int     // words in the model
	Margin float64 // the model's margin, the calibrated one
	// Calibrated is the number of held-back posts the margin was
	// calibrated on; 0 leaves DefaultFallbackMargin.
	Calibrated int
	// CalibratedMargin is the margin calibration gave (Margin).
	CalibratedMargin float64
	// Anchors lists, as "feature: example", the taxonomy's no_match
	// examples that no term matches and that the model would have tagged
	// with the very feature they must not match at the calibrated margin:
	// that feature's own margin is raised just above the highest of their
	// confidences (Raised), and the other features keep Margin.
	Anchors []string
	// Raised maps the id of each feature whose margin the anchors raised to
	// its margin.
	Raised map[string]float64
}

// LearnFallback trains a Fallback for tg's taxonomy from texts (a history
// of posts, no labels) and calibrates its margin to target
// (CalibrateMargin; DefaultFallbackTarget when target is 0). The
// taxonomy's examples are its anchors: the match examples are learned from
// with the texts, as posts the terms are known to tag right, and the
// margin is raised until the model tags no no_match example (that no term
// matches) with the feature it must not match, so that the taxonomy's own
// checks hold with the fallback on (a feature with fallback: false is never
// named and does not count). Only that feature's margin is raised: one
// confident no_match example does not switch the model off for the
// others. The result depends only on tg and texts, in order.
func LearnFallback(tg *Tagger, texts []string, target float64) (*Fallback, LearnReport) {
	if target == 0 {
		target = DefaultFallbackTarget
	}
	all := slices.Clone(texts)
	for _, f := range tg.features {
		all = append(all, f.Examples.Match...)
	}
	fb := TrainFallback(tg, all)
	r := LearnReport{Texts: len(all), Tagged: fb.trained, Words: len(fb.words)}
	r.CalibratedMargin, r.Calibrated = fb.CalibrateMargin(tg, all, target)
	r.Margin = fb.Margin
	for _, ex := range NoMatchInferred(tg, fb) {
		r.Anchors = append(r.Anchors, ex.Feature+": "+ex.Text)
		if fb.floors == nil {
			fb.floors = make([]float64, fb.k)
			r.Raised = map[string]float64{}
		}
		fi := slices.Index(fb.ids, ex.Feature)
		fb.floors[fi] = max(fb.floors[fi], math.Nextafter(ex.Confidence, math.Inf(1)))
		r.Raised[ex.Feature] = fb.floors[fi]
	}
	return fb, r
}

// NoMatchExample is a no_match example the fallback model would tag with
// the feature it must not match.
type NoMatchExample struct {
	Feature, Text string
	Confidence    float64 // the model's log-odds margin for it (see Classify)
}

// NoMatchInferred returns the no_match examples of tg's taxonomy that no
// term matches and that fb, at its margin, would tag with the feature they
// must not match (features with fallback: false left out).
func NoMatchInferred(tg *Tagger, fb *Fallback) []NoMatchExample {
	var out []NoMatchExample
	scores := make([]float64, fb.k)
	var ms []Match
	for fi, f := range tg.features {
		if f.NoFallback || fi >= fb.k {
			continue
		}
		for _, ex := range f.Examples.NoMatch {
			if ms = tg.Tag(ex, ms[:0]); len(ms) > 0 || !fb.score(ex, scores) {
				continue
			}
			if got, conf := pick(scores[:fb.k]); got == fi && conf >= fb.FeatureMargin(fi) {
				out = append(out, NoMatchExample{Feature: f.ID, Text: ex, Confidence: conf})
			}
		}
	}
	return out
}

// Features returns the ids of the features the model was trained for, in
// the taxonomy's order. The slice must not be modified.
func (fb *Fallback) Features() []string { return fb.ids }

// Taxonomy returns the identity of the taxonomy the model was trained for:
// "sha256:" and the hex SHA-256 of its feature ids, in order, one a line.
// Only the features count: a model stays usable while terms, names and
// examples change (train it again to learn from them).
func (fb *Fallback) Taxonomy() string { return taxonomyID(fb.ids) }

// Words returns the number of words the model has weights for.
func (fb *Fallback) Words() int { return len(fb.words) }

func taxonomyID(ids []string) string {
	h := sha256.Sum256([]byte(strings.Join(ids, "\n")))
	return "sha256:" + hex.EncodeToString(h[:])
}

// fallbackFile is the model file's JSON. Field order is the file's.
type fallbackFile struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Taxonomy is taxonomyID(Features); a file whose Features were edited
	// no longer matches it.
	Taxonomy        string   `json:"taxonomy"`
	TaxonomyVersion string   `json:"taxonomy_version"`
	Features        []string `json:"features"`
	Margin          float64  `json:"margin"`
	// FeatureMargins holds, per feature in the order of Features, the
	// higher margin that feature alone needs (raised by its no_match
	// examples), 0 where none. Absent in version 1.
	FeatureMargins []float64 `json:"feature_margins,omitempty"`
	Trained        int       `json:"trained"`
	Prior          []float32 `json:"prior"`
	// Words maps each stemmed word to its weight for each feature, in the
	// order of Features.
	Words map[string][]float32 `json:"words"`
}

// Save writes the model file: one JSON object (documented in the README's
// "Matching beyond the terms"), with the words in byte order, one a line,
// so the same model always gives the same bytes.
func (fb *Fallback) Save(w io.Writer) error {
	head := fallbackFile{
		Format: FallbackFormat, Version: FallbackVersion,
		Taxonomy: fb.Taxonomy(), TaxonomyVersion: fb.version, Features: orNone(fb.ids),
		Margin: fb.Margin, FeatureMargins: fb.floors, Trained: fb.trained, Prior: fb.prior,
	}
	if head.Prior == nil {
		head.Prior = []float32{}
	}
	b, err := json.Marshal(head)
	if err != nil {
		return fmt.Errorf("fallback model: %w", err)
	}
	// Replace the empty words object the head ends with by one word a line.
	b = b[:len(b)-len(`null}`)]
	bw := bufio.NewWriter(w)
	bw.Write(b)
	bw.WriteString("{")
	words := make([]string, 0, len(fb.words))
	for word := range fb.words {
		words = append(words, word)
	}
	slices.Sort(words)
	for i, word := range words {
		row := fb.words[word]
		kb, _ := json.Marshal(word)
		vb, err := json.Marshal(fb.weights[int(row)*fb.k : int(row+1)*fb.k])
		if err != nil {
			return fmt.Errorf("fallback model: word %q: %w", word, err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		bw.Write(kb)
		bw.WriteByte(':')
		bw.Write(vb)
	}
	bw.WriteString("\n}}\n")
	return bw.Flush()
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// LoadFallback reads a model file written by Save. A file of another
// format or version, with unknown fields, or whose fields disagree (a
// taxonomy identity that is not its features', rows of the wrong length,
// values that are not finite) is refused with an error naming the field.
// Whether the model fits a taxonomy is Tagger.WithFallback's check.
func LoadFallback(r io.Reader) (*Fallback, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f fallbackFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("fallback model: %w", err)
	}
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("fallback model: field %q: %s", field, fmt.Sprintf(format, a...))
	}
	switch {
	case f.Format != FallbackFormat:
		return nil, bad("format", "%q, want %q", f.Format, FallbackFormat)
	case f.Version != FallbackVersion && f.Version != fallbackVersionNoFloors:
		return nil, bad("version", "%d, want %d or %d (train the model again with this release)", f.Version, fallbackVersionNoFloors, FallbackVersion)
	case f.Version == fallbackVersionNoFloors && f.FeatureMargins != nil:
		return nil, bad("feature_margins", "not in version %d", fallbackVersionNoFloors)
	case f.FeatureMargins != nil && len(f.FeatureMargins) != len(f.Features):
		return nil, bad("feature_margins", "%d values for %d features", len(f.FeatureMargins), len(f.Features))
	case len(f.Features) == 0:
		return nil, bad("features", "empty")
	case f.Taxonomy != taxonomyID(f.Features):
		return nil, bad("taxonomy", "%q is not the identity of the file's features (%s): the file was edited", f.Taxonomy, taxonomyID(f.Features))
	case math.IsNaN(f.Margin) || math.IsInf(f.Margin, 0) || f.Margin < 0:
		return nil, bad("margin", "%v, want a finite number >= 0", f.Margin)
	case f.Trained < 0:
		return nil, bad("trained", "%d, want >= 0", f.Trained)
	case len(f.Prior) != len(f.Features):
		return nil, bad("prior", "%d values for %d features", len(f.Prior), len(f.Features))
	}
	seen := map[string]bool{}
	for i, id := range f.Features {
		if !validID(id) || seen[id] {
			return nil, bad(fmt.Sprintf("features[%d]", i), "%q: want a unique feature id", id)
		}
		seen[id] = true
	}
	if !finite(f.Prior) {
		return nil, bad("prior", "not finite")
	}
	for i, m := range f.FeatureMargins {
		if math.IsNaN(m) || math.IsInf(m, 0) || m < 0 {
			return nil, bad(fmt.Sprintf("feature_margins[%d]", i), "%v, want a finite number >= 0", m)
		}
	}
	k := len(f.Features)
	fb := &Fallback{Margin: f.Margin, floors: f.FeatureMargins, k: k, ids: f.Features, version: f.TaxonomyVersion,
		words: make(map[string]int32, len(f.Words)), weights: make([]float32, 0, len(f.Words)*k),
		prior: f.Prior, trained: f.Trained}
	words := make([]string, 0, len(f.Words))
	for w := range f.Words {
		words = append(words, w)
	}
	slices.Sort(words)
	for _, w := range words {
		row := f.Words[w]
		if len(row) != k || !finite(row) {
			return nil, bad("words", "%q: want %d finite weights, got %v", w, k, row)
		}
		fb.words[w] = int32(len(fb.words))
		fb.weights = append(fb.weights, row...)
	}
	return fb, nil
}

func finite(xs []float32) bool {
	for _, x := range xs {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// WithFallback returns a copy of tg whose TagOrInfer tags a text no term
// matches with the feature fb names, or, with a nil fb, one without a
// fallback. fb must have been trained for a taxonomy with tg's feature ids,
// in the same order; otherwise the error wraps ErrFallbackTaxonomy and
// says how the features differ.
func (tg *Tagger) WithFallback(fb *Fallback) (*Tagger, error) {
	c := *tg
	c.fallback = fb
	if fb == nil {
		return &c, nil
	}
	ids := make([]string, len(tg.features))
	for i, f := range tg.features {
		ids[i] = f.ID
	}
	if !slices.Equal(ids, fb.ids) {
		return nil, fmt.Errorf("%w (%s, %d features), not for this one (%s, %d features): %s; train it again with \"socialpulse taxonomy learn\"",
			ErrFallbackTaxonomy, fb.Taxonomy(), len(fb.ids), taxonomyID(ids), len(ids), featureDiff(fb.ids, ids))
	}
	return &c, nil
}

// featureDiff says briefly how the model's feature ids differ from the
// taxonomy's.
func featureDiff(model, tax []string) string {
	var missing, extra []string
	for _, id := range tax {
		if !slices.Contains(model, id) {
			missing = append(missing, id)
		}
	}
	for _, id := range model {
		if !slices.Contains(tax, id) {
			extra = append(extra, id)
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "the model lacks "+clipIDs(missing))
	}
	if len(extra) > 0 {
		parts = append(parts, "the taxonomy lacks "+clipIDs(extra))
	}
	if len(parts) == 0 {
		return "the features are in another order"
	}
	return strings.Join(parts, ", ")
}

func clipIDs(ids []string) string {
	if len(ids) > 5 {
		return strings.Join(ids[:5], ", ") + fmt.Sprintf(" and %d more", len(ids)-5)
	}
	return strings.Join(ids, ", ")
}

// Fallback returns the model WithFallback attached, or nil.
func (tg *Tagger) Fallback() *Fallback { return tg.fallback }

// TagOrInfer is Tag, and, when no term matches and the tagger has a
// fallback model (WithFallback), appends the feature the model names, as a
// Match with Inferred set and the empty span at 0, unless that feature has
// fallback: false (Feature.NoFallback; then nothing is inferred: another
// feature is not named in its place). scores is scratch space of at least
// len(Features()) elements. It does not allocate when dst has room for the
// matches.
func (tg *Tagger) TagOrInfer(text string, dst []Match, scores []float64) []Match {
	base := len(dst)
	dst = tg.Tag(text, dst)
	if len(dst) > base || tg.fallback == nil {
		return dst
	}
	f := tg.fallback.Classify(text, scores)
	if f < 0 || tg.features[f].NoFallback {
		return dst
	}
	return append(dst, Match{Feature: f, Inferred: true})
}
