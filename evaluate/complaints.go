package evaluate

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/socialpulse/socialpulse/feature"
)

// complaintDomains reads the complaints of the Complaints on Twitter data
// (tweet_id, text, is_complaint, domain; no header), each labelled with its
// domain; the domain "other" is the "other" row and the non-complaints are
// left out.
func complaintDomains(path string) ([]aspectSentence, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []aspectSentence
	for _, rec := range recs {
		if rec[2] != "1" {
			continue
		}
		s := aspectSentence{text: rec[1]}
		s.add(rec[3], "")
		s.finish()
		out = append(out, s)
	}
	return out, nil
}

// complaintRuns reports the name-only domain taxonomy on the complaint
// tweets, with and without suggestions learned from the even-numbered
// complaints' text, measured on the odd-numbered ones.
func (ev *aspectEval) complaintRuns(ctx context.Context, dataDir, taxDir string) error {
	w := ev.stdout
	file := filepath.Join(dataDir, "complaints", "complaints-data.csv")
	sents, err := complaintDomains(file)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(w, "### Complaints on Twitter, domains: %s not found, skipped\n\n", file)
		return nil
	}
	if err != nil {
		return err
	}
	even, odd := evenOdd(sents)
	path := filepath.Join(taxDir, "complaints-domains-nameonly.yaml")
	fmt.Fprintln(w, "### Complaints on Twitter, the complaint's industry from a name-only taxonomy")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The 1,232 complaints of `complaints-data.csv` (Preotiuc-Pietro et al. 2019), labelled with the domain of the")
	fmt.Fprintln(w, "company complained to; `complaints-domains-nameonly.yaml` has one feature per domain, written from the")
	fmt.Fprintln(w, "domain names. \"+ suggest\" learns from the text of the even-numbered complaints (all of them, as by")
	fmt.Fprintln(w, "default, or the negative ones) and is measured on the odd-numbered ones; \"+ learned matching\" adds the model")
	fmt.Fprintln(w, "`taxonomy learn` trains on the even ones, to the name-only taxonomy and to the default suggest run (last).")
	fmt.Fprintln(w, "@handles are not read by the tagger.")
	tg, err := ev.tagger(path)
	if err != nil {
		return err
	}
	if err := ev.reportCosted(ctx, "complaint domains", "name-only", "complaint domains name-only, odd complaints", tg, odd); err != nil {
		return err
	}
	if err := ev.expandedRuns(ctx, "complaint domains name-only, odd complaints", path, odd); err != nil {
		return err
	}
	if err := ev.selfTrainedRun(ctx, "complaint domains", "name-only", "complaint domains name-only, odd complaints", tg, even, odd); err != nil {
		return err
	}
	var def suggestedRun
	for _, method := range []feature.SuggestMethod{feature.SuggestShare, feature.SuggestLogOdds} {
		for _, all := range []bool{false, true} {
			stg, n, err := ev.suggestedWith(path, even, all, feature.SuggestOptions{Method: method})
			if err != nil {
				return err
			}
			scope := "negative"
			if all {
				scope = "all"
			}
			run := suggestedRun{stg, suggestVariant(method, all, n), fmt.Sprintf("complaint domains name-only + suggest%s (%d terms from %s even complaints), odd complaints", methodLabel(method), n, scope)}
			if err := ev.reportCosted(ctx, "complaint domains", run.variant, run.name, stg, odd); err != nil {
				return err
			}
			if isDefaultSuggest(method, all) {
				def = run
			}
		}
	}
	return ev.selfTrainedRun(ctx, "complaint domains", def.variant, def.name, def.tg, even, odd)
}
