package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/feature/taxonomyio"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

func TestTaxonomyHistoryFlagsRefuseTwoHistories(t *testing.T) {
	for _, sub := range []string{"suggest", "learn"} {
		for _, args := range [][]string{{sub, "--evidence", "posts.jsonl"}, {sub, "--evidence", "--kafka"}} {
			err := runTaxonomy(context.Background(), args, nil, &bytes.Buffer{}, &bytes.Buffer{})
			if !errors.Is(err, cli.ErrUsage) {
				t.Errorf("%q: %v, want a usage error", args, err)
			}
		}
	}
}

// TestTaxonomySuggestReadsTheMatrixEvidence learns from the negative posts
// the processor kept as evidence in a real Redis, named by the processor's
// configuration (env), and applies what it proposes.
func TestTaxonomySuggestReadsTheMatrixEvidence(t *testing.T) {
	addr := testenv.RedisAddr(t)
	prefix := testenv.UniqueName(t, "evidence")
	t.Setenv("SOCIALPULSE_CONFIG", "")
	t.Setenv("SOCIALPULSE_REDIS_ADDRS", addr)
	t.Setenv("SOCIALPULSE_REDIS_KEY_PREFIX", prefix)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	store, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	texts := []string{
		"checkout failed again, the promo code spinner never stops",
		"cannot checkout, promo code rejected and the spinner hangs",
		"checkout broken: promo code error, spinner forever",
	}
	var checkout, other []impactmatrix.Sample
	for i := range 12 {
		checkout = append(checkout, impactmatrix.Sample{ID: fmt.Sprint("c", i), Text: texts[i%len(texts)], Author: "@ann", Followers: 10, Time: time.Now()})
	}
	for i := range 40 {
		other = append(other, impactmatrix.Sample{ID: fmt.Sprint("o", i), Text: "worst week ever, everything is awful", Time: time.Now()})
	}
	// A post kept for two features is read once.
	payment := []impactmatrix.Sample{checkout[0], {ID: "p1", Text: "card declined twice, awful"}}
	for f, ss := range map[string][]impactmatrix.Sample{"checkout": checkout, impactmatrix.OtherFeature: other, "payment": payment} {
		if err := store.AddSamples(ctx, f, impactmatrix.Negative, ss); err != nil {
			t.Fatal(err)
		}
	}

	applied := filepath.Join(t.TempDir(), "taxonomy.yaml")
	var out, errb bytes.Buffer
	if err := runTaxonomy(ctx, []string{"suggest", "--evidence", "--json", "--apply", applied}, nil, &out, &errb); err != nil {
		t.Fatalf("suggest --evidence: %v\n%s", err, errb.String())
	}
	var res struct {
		Posts int
		Terms []struct{ Feature, Term string }
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("suggest output: %v\n%s", err, out.String())
	}
	if res.Posts != 53 {
		t.Errorf("suggest read %d posts, want 53 (12 checkout, 40 unmatched, 1 more payment)", res.Posts)
	}
	var terms []string
	for _, s := range res.Terms {
		terms = append(terms, s.Feature+"+"+s.Term)
	}
	if !strings.Contains(strings.Join(terms, " "), "checkout+") {
		t.Errorf("suggested %q, want a term for checkout from its evidence", terms)
	}
	if err := taxonomyio.Check(&bytes.Buffer{}, []string{applied}); err != nil {
		t.Errorf("the applied copy fails taxonomy check: %v", err)
	}
	learnFromHistory(ctx, t, []string{"--evidence"}, 53)
}
