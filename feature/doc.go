// Package feature tags posts with the product features they talk about,
// using a taxonomy kept as a YAML file next to the rest of the configuration.
//
// A taxonomy lists features with an id, name, description, criticality
// (1 low .. 5 critical), owning team, match terms, optional patterns,
// exclusions and examples that must and must not match:
//
//	version: "2025.1"
//	features:
//	  - id: checkout
//	    name: Checkout
//	    criticality: 5
//	    owner: checkout-team
//	    terms: [checkout, place my order, promo code]
//	    patterns: ["(can't|cannot|unable to) (order|buy)"]
//	    exclude: ["check out (this|our|new)"]
//	    fallback: true # false: the fallback model never names it
//	    examples:
//	      match: ["#CheckoutFail third time today"]
//	      no_match: ["Check out our new collection!"]
//
// Ids are lowercase [a-z0-9_]+ because they become metric label values;
// "other" is reserved for posts that mention no feature. A feature's id and
// name count as terms too (unless match_name: false), with their content
// words, so a taxonomy written from feature names alone already matches
// something; a name word that two features share is not used. Words beyond
// the name's own come from the user: written terms, `taxonomy suggest`,
// WordNet expansion (expand) and the learned fallback, never from a word
// list of ours.
//
// # Matching
//
// Text and terms are normalised the same way, by package textnorm's scanner
// and stemmer (words, numbers and hashtag words): lowercase; apostrophes inside
// words dropped ("can't" = "cant"); CamelCase and hashtags split
// ("#CheckoutFail" = "checkout fail"); common English suffixes stripped
// ("logged", "logging", "logs" = "log"); and the words of a phrase joined
// without spaces, so "log in", "log-in", "login" and "logged in" are one
// term. Whitespace, hyphens, slashes and quotes join the words of a phrase;
// sentence punctuation, symbols and emoji break it. @handles and URLs are
// skipped. A term inside an unsplit hashtag matches if it is at least five
// bytes long ("#paypalfail").
//
// Patterns and exclusions use a small syntax, compiled when the taxonomy is
// loaded into the same automaton as the terms (no regular expressions):
//
//	word          a word or phrase, normalised like a term
//	(a|b c)       one of the alternatives
//	[a|b]         optionally one of the alternatives
//	refund*       a word starting with "refund" (last word of a segment only)
//	* or *N       up to 3 (or N, 1..9) arbitrary words
//
// A phrase of several words (a term, or a multi-word id or name) also
// matches with up to DefaultPhraseGap other words between its content
// words, and a phrase of two content words in either order ("lost
// luggage" in "my luggage got lost"), within one clause (not across
// sentence punctuation, a comma or a symbol). phrase_gap: N at the top level or on
// a feature sets how many words may stand between (0..9; 0: phrases match
// only as written), for instance when a no_match example needs it.
//
// The longest mention wins: a word inside another feature's longer phrase
// ("drive" inside "hard drive") is part of that phrase and not a mention of
// its own feature, which can still be found elsewhere in the post.
//
// An exclusion cancels a mention of its feature when it is within three
// words of it, so "gift card" can keep "card" from meaning payment without
// hiding a payment complaint elsewhere in the post.
//
// Tagging runs one Aho–Corasick automaton over the normalised bytes of the
// post: its cost grows with the length of the post, not with the size of the
// taxonomy, and it does not allocate.
//
// # Matching options
//
// NewTaggerWith takes TagOptions, rules beyond the taxonomy that are the
// same for every taxonomy: keep only the features with the strongest kind
// of mention (Strongest) or one feature per post (Single); do not count a
// word that starts a two-word WordNet compound ("service charge": the
// second word names the thing, Compounds); make short words the taxonomy
// does not list need a second mention of their feature (ShortDerived);
// use the words of feature descriptions, alone or with a second mention
// (Description); let the content words of a written phrase or a
// multi-word feature name stand apart, and two of them in either order
// (PhraseGap). NewTagger uses DefaultTagOptions: PhraseGap 2, every other
// option off. Measured on the name-only evaluation sets, choosing on some
// and measuring on the others, no other option improved the left-out set
// in every rotation; the phrase gap never lowered a set and gained on the
// one whose feature names are phrases.
//
// # WordNet expansion
//
// A feature may set expand: synonyms (or the taxonomy sets it at the top
// level for every feature that does not): its written terms and the words of
// its id and name then also match their WordNet 3.1 synonyms ("invoice" →
// "bill"); expand: hyponyms adds the synsets' direct hyponyms ("car" →
// "taxicab", "convertible"). Only a word's most frequent senses are used
// (Taxonomy.ExpandSenses, default DefaultExpandSenses), a word is added only
// where that meaning is one of its own most frequent, and a word that is
// another feature's term, or that two features expand to, is left out. The
// words are compiled into the automaton with the terms, so tagging cost and
// allocations do not change; Match.Expanded says a mention came from an
// expansion, and ExpandedTerms lists them. It is off by default: on the
// name-only evaluation sets it helps some taxonomies and hurts others.
//
// # Sentiment per feature
//
// A Match carries the byte offsets of the mention, so callers give each
// feature the sentiment of the clause that mentions it; Enclosing picks the
// clause.
//
// # Checks and reload
//
// Check validates a taxonomy and runs its examples, for use in CI
// ("socialpulse taxonomy check"). Live holds the tagger of a running
// processor and swaps in a new one only when the new file passes Check.
//
// # Suggestions
//
// A Suggester learns from a stream of posts, without labels, which words
// customers use with each feature's terms (in praise and complaints alike,
// AddPost, though a proposed word must be in a complaint of its feature),
// and which words unmatched complaints share; AddTerms writes chosen suggestions into a copy of a
// taxonomy file that still passes Check ("socialpulse taxonomy suggest").
// It ranks words by their log-odds against all other posts, in rounds
// (SuggestLogOdds, the default), or by their share of a feature's posts
// (SuggestShare). It also proposes words of the posts whose meaning is
// close to a feature's own words, whether or not they come with them
// ("cost" for "Price"; SuggestOptions.MinSimilarity): static vectors of
// about 29,000 English words, embedded in the binary (data/wordvec.bin,
// made offline from the sentence encoder all-MiniLM-L6-v2 by
// scripts/wordvec.py), say how close; a word must be clearly closer to one
// feature than to any other (SimilarMargin). Tagging never reads them: a
// proposal becomes a written term once a person applies it.
//
// # Matching beyond the terms
//
// A Fallback is a naive Bayes model trained the same way, without labels
// (LearnFallback, "socialpulse taxonomy learn"), that names a feature for a
// post no term matches. Save and LoadFallback write and read its versioned
// model file, which names the feature ids it was trained for;
// Tagger.WithFallback attaches it to the tagger of a taxonomy with those
// features (and refuses it otherwise, ErrFallbackTaxonomy), and
// TagOrInfer then returns the model's feature as a Match with Inferred set
// and an empty span when no term matches, unless the feature has
// fallback: false (Feature.NoFallback). It does not allocate.
//
// # Non-goals
//
// The package does not score sentiment, count, store or alert; it proposes
// but never adds features or terms by itself (a person applies them); and it does not
// understand negation or context beyond exclusions: "the checkout is fine"
// mentions checkout. Matching is tuned for English.
package feature
