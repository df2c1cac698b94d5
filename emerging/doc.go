// Package emerging finds the complaints the taxonomy does not know yet: it
// mines negative posts that matched no feature for words and noun phrases
// whose share of those posts is rising, and serves them with sample posts
// at GET /api/v1/emerging and as metrics.
//
// The pipeline calls Miner.Offer on its hot path. Offer only samples,
// copies the text and makes a non-blocking send to a bounded queue; when
// the queue is more than half full it sheds posts at random (rising to all
// of them when full), and every drop is counted. It costs about 0.2 µs a
// post (BenchmarkOffer). Workers started by Run extract terms and count
// them in one-minute event-time buckets held in a ring covering the window
// plus the baseline.
//
// A term rises when, in the window, it has at least MinCount posts, its
// share of mined posts is MinGrowth times its baseline share, and that is
// at least MinZ standard deviations from chance. Comparing shares, not
// counts, keeps growth unbiased under sampling and shedding and ignores
// changes in overall volume. Stopwords, @handles, URLs, numbers and the
// words every complaint uses ("please", "still", "again", "broken", ...)
// are never terms. A rising word that is part of a rising phrase with
// nearly the same count is folded into the phrase.
//
// Extraction uses the averaged-perceptron POS tagger of
// github.com/jdkato/prose/v2 to take nouns, verbs and adjectives as words
// and adjective/noun runs ending in a noun as phrases. prose loads its
// model per document by default (about 0.3 s); here one model is loaded
// once per process and shared by every worker (tagging only reads it).
// Even so tagging costs about 150-400 µs a post (BenchmarkMine/pos, 2
// shared cores), around 2k-6k posts a second per worker; the shedding
// above keeps that off the pipeline. Options.Heuristic swaps in a cheap
// extractor (about 2 µs a post): every content word, and runs of two or
// three adjacent content words as phrases. It finds the same new
// complaints in tests but also takes verb runs ("app crash") as phrases.
//
// Memory is bounded: the queue by QueueSize (texts cut to 2 KiB), the
// distinct terms by MaxTerms (the tenth with the lowest counts is evicted
// when full), samples by Samples per term (cut to 280 bytes), and a term is
// forgotten as soon as its last bucket leaves the ring. Until half the
// baseline has been seen nothing rises.
//
// Non-goals: it does not decide which posts are negative or unmapped (the
// pipeline does), persist anything (a restart warms up again), alert (the
// alerting code can poll Snapshot), or merge synonyms and spellings beyond
// folding regular plurals. Metric labels never carry term text.
package emerging
