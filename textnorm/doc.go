// Package textnorm is the one definition of what a token of a social post
// is. It splits text into words, #hashtag words, @mentions, URLs, emoji and
// numbers, folds case, handles apostrophes and hyphens inside words, splits
// CamelCase ("#CheckoutFail" → "checkout", "fail") and folds inflections
// (Stem, Singular). Feature tagging, emerging terms, alert evidence words and
// the near-duplicate shingles of evidence samples all read text through it;
// each stage keeps its own policy (which kinds it wants, stopwords, minimum
// lengths) as Options or as its own filtering of the tokens.
//
// The scanner is pure and allocation-free: Scanner.Next writes the
// normalised token into a caller's fixed-size buffer and reports the
// token's byte span in the original text, so a caller can still show the
// text as written.
//
// # Non-goals
//
// It does not score sentiment or tag parts of speech, and it has no
// stopword lists. Package sentiment keeps its own tokenizer: its rules
// (emoticons such as ":-(", elongated words such as "sooo", ALL-CAPS
// emphasis, HTML entities, lexicon phrases) feed the hashed features of the
// embedded learned model, so a change of tokens is a change of model; see
// the sentiment package doc and BENCHMARKS.md for the measurement behind
// keeping it.
package textnorm
