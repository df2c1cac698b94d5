package taxonomyio

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/internal/jsonl"
)

// LearnOptions configure Learn.
type LearnOptions struct {
	// Taxonomy is the taxonomy file the model is for; Default is the
	// embedded one. It must pass taxonomy check, as the processor requires.
	Taxonomy string
	// Out is the model file to write; "" or "-" writes the model to the
	// model writer Learn is given.
	Out string
	// Target is the agreement the margin is calibrated to; 0 means
	// feature.DefaultFallbackTarget.
	Target float64
	// SetMargin makes Margin the model's margin in place of the learned
	// one (calibrated, then raised by the no_match examples): a higher
	// margin tags fewer posts.
	SetMargin bool
	Margin    float64
	// Progress, when not nil, shows how far the reading is (posts read);
	// it is finished before training starts.
	Progress *jsonl.Progress
}

// learnExamples is how many posts Learn shows per feature the model tags.
const learnExamples = 2

// Learn reads JSONL posts from in (at least "text"), trains the taxonomy's
// fallback model from them with feature.LearnFallback (no labels: the
// posts the terms tag teach it), writes the model file to o.Out (or to
// model) and prints what it learned to report. The same posts and taxonomy
// always give the same bytes.
func Learn(ctx context.Context, in io.Reader, model, report io.Writer, o LearnOptions) error {
	file := o.Taxonomy
	if file == Default {
		file = ""
	}
	tg, err := enrich.LoadTagger(file)
	if err != nil {
		return err
	}
	texts, bad, err := readTexts(ctx, in, o.Progress)
	o.Progress.Finish()
	if err != nil {
		return err
	}
	matched := 0
	var ms []feature.Match
	for _, t := range texts {
		if ms = tg.Tag(t, ms[:0]); len(ms) > 0 {
			matched++
		}
	}
	if matched == 0 {
		return fmt.Errorf("learn: none of the %d posts matches a term of the taxonomy, so there is nothing to learn from", len(texts))
	}
	fb, r := feature.LearnFallback(tg, texts, o.Target)
	if o.SetMargin {
		fb.Margin = o.Margin
	}
	var buf bytes.Buffer
	if err := fb.Save(&buf); err != nil {
		return err
	}
	if o.Out == "" || o.Out == "-" {
		if _, err := model.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write model: %w", err)
		}
	} else if err := writeFileAtomic(o.Out, buf.Bytes()); err != nil {
		return err
	}

	// What the model would do on the posts it learned from.
	tagged, err := tg.WithFallback(fb)
	if err != nil {
		return err
	}
	feats := tg.Features()
	perFeature := make([]int, len(feats))
	examples := make([][]string, len(feats))
	unmatched, inferred := 0, 0
	scores := make([]float64, len(feats))
	for _, t := range texts {
		ms = tagged.TagOrInfer(t, ms[:0], scores)
		if len(ms) > 0 && !ms[0].Inferred {
			continue
		}
		unmatched++
		if len(ms) > 0 {
			inferred++
			f := ms[0].Feature
			perFeature[f]++
			if len(examples[f]) < learnExamples && !slices.Contains(examples[f], t) {
				examples[f] = append(examples[f], t)
			}
		}
	}
	target := o.Target
	if target == 0 {
		target = feature.DefaultFallbackTarget
	}
	fmt.Fprintf(report, "%d posts read (%d unreadable lines), %d of them matched by the terms; learned from those and the taxonomy's %d match examples\n",
		len(texts), bad, matched, r.Texts-len(texts))
	fmt.Fprintf(report, "model: %d words, %d features, taxonomy %s\n", r.Words, len(feats), fb.Taxonomy())
	switch {
	case o.SetMargin:
		fmt.Fprintf(report, "margin: %.3g (--margin; learning gave %.3g)\n", fb.Margin, r.Margin)
	case r.Calibrated > 0:
		fmt.Fprintf(report, "margin: %.3g (calibrated on %d held-back tagged posts to %.0f%% agreement with their terms)\n", r.CalibratedMargin, r.Calibrated, 100*target)
	default:
		fmt.Fprintf(report, "margin: %.3g (the default: too few tagged posts to calibrate)\n", r.CalibratedMargin)
	}
	if len(r.Anchors) > 0 {
		ids := make([]string, 0, len(r.Raised))
		for id := range r.Raised {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		raised := make([]string, len(ids))
		for i, id := range ids {
			raised[i] = fmt.Sprintf("%s %.3g", id, fb.FeatureMargin(slices.Index(fb.Features(), id)))
		}
		fmt.Fprintf(report, "margin raised for %s (the other features keep the margin) so that the model tags none of these no_match examples with the feature they must not match:\n", strings.Join(raised, ", "))
		for _, ex := range r.Anchors {
			fmt.Fprintf(report, "  %s\n", clipLine(ex, 140))
		}
	}
	fmt.Fprintf(report, "of the %d posts no term matched, the model tags %d", unmatched, inferred)
	fmt.Fprintln(report, " (check that these are right before turning the model on; --margin raises the bar, fallback: false turns a feature off):")
	order := make([]int, 0, len(feats))
	for i, n := range perFeature {
		if n > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return perFeature[b] - perFeature[a] })
	for _, i := range order {
		fmt.Fprintf(report, "  %-20s %d posts\n", feats[i].ID, perFeature[i])
		for _, ex := range examples[i] {
			fmt.Fprintf(report, "      e.g. %s\n", clipLine(ex, 140))
		}
	}
	if bad := feature.NoMatchInferred(tg, fb); len(bad) > 0 {
		fmt.Fprintf(report, "at this margin the model tags %d no_match examples with the feature they must not match (raise --margin, or set fallback: false on the feature):\n", len(bad))
		for _, ex := range bad {
			fmt.Fprintf(report, "  %s\n", clipLine(ex.Feature+": "+ex.Text, 140))
		}
	}
	if o.Out != "" && o.Out != "-" {
		fmt.Fprintf(report, "Wrote %s. Turn it on with taxonomy.fallback_model (SOCIALPULSE_TAXONOMY_FALLBACK_MODEL) or --fallback-model.\n", o.Out)
	}
	return nil
}

// readTexts returns the "text" of each JSONL line and the number of lines
// without one.
func readTexts(ctx context.Context, r io.Reader, progress *jsonl.Progress) (texts []string, bad int, err error) {
	bad, err = eachPost(ctx, r, progress, func(text, _ string) { texts = append(texts, text) })
	if err != nil {
		return nil, bad, err
	}
	return texts, bad, nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, so a processor reloading the model never reads half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
