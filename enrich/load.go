package enrich

import (
	"errors"
	"fmt"
	"os"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/sentiment"
)

// LoadTagger builds the tagger for the taxonomy file at path, or for the
// built-in taxonomy when path is empty. A taxonomy that does not parse or
// fails feature.Check (its own examples included) is refused with an error
// that begins "taxonomy:" and, for a bad taxonomy, wraps a
// *feature.ProblemsError. The processor (at start and on reload), score,
// backtest and the evaluations all load taxonomies here, so none of them
// accepts a taxonomy another refuses.
func LoadTagger(path string) (*feature.Tagger, error) {
	t := feature.DefaultTaxonomy()
	if path != "" {
		var err error
		if t, err = feature.LoadTaxonomy(path); err != nil {
			var pe *feature.ProblemsError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("taxonomy: %w", err)
			}
			return nil, err // a read error, already "taxonomy: ..."
		}
	}
	if ps := feature.Check(t); len(ps) > 0 {
		return nil, fmt.Errorf("taxonomy: %w", &feature.ProblemsError{Problems: ps})
	}
	tg, err := feature.NewTagger(t)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	return tg, nil
}

// LoadAnalyzer returns the sentiment analyzer for the model file at path
// (written by "socialpulse sentiment adapt"), or the embedded model's when
// path is empty. A file that fails sentiment.LoadModel's checks is refused
// with an error that begins "sentiment model:".
func LoadAnalyzer(path string) (*sentiment.Analyzer, error) {
	if path == "" {
		return sentiment.New(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sentiment model: %w", err)
	}
	defer f.Close()
	m, err := sentiment.LoadModel(f)
	if err != nil {
		return nil, fmt.Errorf("sentiment model: %s: %w", path, err)
	}
	return sentiment.NewWithModel(m), nil
}

// Files names the files a tagger is built from.
type Files struct {
	// Taxonomy is a taxonomy YAML; empty means the built-in taxonomy.
	Taxonomy string
	// FallbackModel is a model written by "socialpulse taxonomy learn" for
	// that taxonomy (feature.Fallback); empty means none: only terms tag.
	FallbackModel string
}

// LoadTaggerFiles is LoadTagger(f.Taxonomy) with the fallback model in
// f.FallbackModel attached (feature.Tagger.WithFallback). A model file
// that fails feature.LoadFallback's checks, or was trained for a taxonomy
// with other features, is refused with an error of the form "FILE:
// fallback model: field "NAME": why". The processor (at start and on
// reload), score, backtest --posts and eval aspects load taggers here.
func LoadTaggerFiles(f Files) (*feature.Tagger, error) {
	tg, err := LoadTagger(f.Taxonomy)
	if err != nil || f.FallbackModel == "" {
		return tg, err
	}
	fb, err := LoadFallback(f.FallbackModel)
	if err != nil {
		return nil, err
	}
	if tg, err = tg.WithFallback(fb); err != nil {
		return nil, fmt.Errorf("%s: %w", f.FallbackModel, err)
	}
	return tg, nil
}

// LoadFallback reads the fallback model file at path.
func LoadFallback(path string) (*feature.Fallback, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fallback model: %w", err)
	}
	defer file.Close()
	fb, err := feature.LoadFallback(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return fb, nil
}

// Load returns the Enricher the processor runs: the sentiment analyzer and
// the tagger of LoadTagger(taxonomyPath), without a fallback model.
func Load(taxonomyPath string) (*Enricher, error) {
	return LoadFiles(Files{Taxonomy: taxonomyPath})
}

// LoadFiles returns the Enricher the processor runs: the sentiment
// analyzer and the tagger of LoadTaggerFiles(f).
func LoadFiles(f Files) (*Enricher, error) {
	tg, err := LoadTaggerFiles(f)
	if err != nil {
		return nil, err
	}
	return New(sentiment.New(), tg)
}
