package emerging

// Terms returns the words and phrases the miner would count for a post, as
// its heuristic extractor finds them: content words (singular) and runs of
// two or three of them, leaving out function words and the words nearly
// every complaint uses ("help", "issue", "working"). Each term appears
// once. It is safe for concurrent use.
func Terms(text string) []string {
	_, cands := heuristicExtractor{}.extract(text, nil, nil)
	cands = dedupe(cands)
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = c.text
	}
	return out
}
