// Package sentiment scores the sentiment of short social posts, tuned for
// customer posts about products and services.
//
// The model is rule based, in the manner of VADER (Hutto & Gilbert, ICWSM
// 2014; MIT License): a valence lexicon plus rules for negation, booster
// words, contrast ("but", "however"), ALL CAPS, exclamation marks, emoji,
// emoticons, slang and elongated words ("sooo"). On top of VADER it reads the
// way customers complain: outage and failure language ("down", "keeps
// crashing", "charged twice", "still waiting"), negated function verbs
// ("can't log in", "won't load", "never arrived"), sarcasm cues ("thanks for
// nothing", "great, another delay", "love waiting on hold"), and requests for
// help, which are neutral rather than positive. @mentions and URLs are
// ignored; hashtags are split into words (#CheckoutFail reads "checkout fail").
//
// The lexicon is embedded data: VADER's lexicon and emoji descriptions
// (data/vader_lexicon.txt, data/vader_emoji.txt, attributed in data/NOTICE)
// and socialpulse's extension (data/complaint_lexicon.txt).
//
// On top of the rules sits a learned model (Model; data/model.bin, trained on
// the SemEval Task 4A tweets by ./internal/train): a multinomial logistic
// regression over the rules' outputs and hashed words, word pairs and emoji.
// New labels posts and clauses with it; NewLexicon scores with the rules
// alone; NewWithModel takes a model read by LoadModel, which checks the file
// before it is used. Train fits a model; it is deterministic.
//
// Scope and non-goals: the package scores English text only (Language tells
// callers which posts to leave unscored). It does no I/O, starts no
// goroutines and uses no regular expressions. At call time it changes no
// state except the scratch buffers that an Analyzer reuses through a
// sync.Pool, so results do not depend on earlier calls. It does not detect
// features or aspects: callers map features to the clauses that Analyze
// returns.
//
// Its tokenizer is its own, not package textnorm's scanner that the other
// stages share: the learned model hashes this tokenizer's tokens, and the
// rules read emoticons (":)", "</3"), elongated words, ALL CAPS and hashtag
// compounds split by the lexicon, which textnorm does not produce. On the
// 49,555 SemEval 2013–2016 training tweets, textnorm's tokens under its
// closest options differ from this tokenizer's in 11.0% of the tweets, and
// 3.0% hold an emoticon that textnorm has no kind for
// (BenchmarkTokensAgainstTextnorm; BENCHMARKS.md). Moving to textnorm would
// change the model's features, so it needs emoticons in textnorm, a retrained
// model and an eval that shows no loss first.
package sentiment
