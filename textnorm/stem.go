package textnorm

// Singular folds a regular English plural to its singular in place
// ("cards" → "card", "deliveries" → "delivery", "crashes" → "crash") and
// returns the shortened slice. It is conservative and its result is a real
// word, so it suits terms shown to people; "status", "address", "bus",
// "analysis" and "user's" are left alone. w must be lowercase.
func Singular(w []byte) []byte {
	n := len(w)
	if n <= 3 || w[n-1] != 's' {
		return w
	}
	switch p := w[n-2]; {
	case n > 4 && p == 'e' && w[n-3] == 'i':
		w[n-3] = 'y' // deliveries → delivery
		return w[:n-2]
	case p == 's' || p == 'u' || p == 'i' || p == '\'':
		return w // address, bus, analysis, user's
	case p == 'e' && (w[n-3] == 's' && w[n-4] == 's' || w[n-3] == 'h' && (w[n-4] == 's' || w[n-4] == 'c') || w[n-3] == 'x'):
		return w[:n-2] // addresses, crashes, matches, boxes
	}
	return w[:n-1]
}

// Stem folds the inflections of a lowercase English word so that "logged",
// "logging", "logs" and "log" share one form. It is Singular followed by
// the last steps of Porter's algorithm (-ed, -ing, final -e), which is
// enough to map a word's inflections to one form. The form is for matching,
// not for showing ("charge" → "charg"): the same function normalises
// taxonomy terms at build time and text at match time. It rewrites w in
// place and returns the shortened slice.
func Stem(w []byte) []byte {
	n := len(w)
	if n < 4 {
		return w
	}
	switch w[n-1] {
	case 's', 'd', 'g', 'e':
	default:
		return w // nothing to strip: most words
	}
	if n > 4 && w[n-3] == 'i' && w[n-2] == 'e' && (w[n-1] == 's' || w[n-1] == 'd') {
		w[n-3] = 'y' // replies, replied → reply
		return w[:n-2]
	}
	if w[n-1] == 's' {
		n = len(Singular(w))
	}
	stripped := false
	switch {
	case n >= 5 && w[n-2] == 'e' && w[n-1] == 'd' && hasVowel(w[:n-2]):
		n -= 2
		stripped = true
	case n >= 6 && w[n-3] == 'i' && w[n-2] == 'n' && w[n-1] == 'g' && hasVowel(w[:n-3]):
		n -= 3
		stripped = true
	}
	if stripped {
		switch {
		case n >= 6 && w[n-3] == 'e' && w[n-2] == 'l' && w[n-1] == 'l':
			n-- // British doubling: cancelled, travelling → cancel, travel
		case w[n-2] == 'a' && w[n-1] == 't' || w[n-2] == 'b' && w[n-1] == 'l' || w[n-2] == 'i' && w[n-1] == 'z':
			w[n] = 'e' // rated → rate, enabled → enable
			n++
		case n >= 4 && w[n-1] == w[n-2] && isConsonant(w, n-1) && w[n-1] != 'l' && w[n-1] != 's' && w[n-1] != 'z':
			n-- // shipped → ship, logging → log; billed, missed keep theirs
		case measure(w[:n]) == 1 && cvc(w[:n]):
			w[n] = 'e' // hoped → hope, coded → code
			n++
		}
	}
	if n > 3 && w[n-1] == 'e' {
		if m := measure(w[:n-1]); m > 1 || m == 1 && !cvc(w[:n-1]) {
			n-- // charge → charg (as charged), but site, note, phone stay
		}
	}
	return w[:n]
}

// isConsonant reports whether w[i] is a consonant in Porter's sense: not
// a, e, i, o, u, and y only at the start or after a vowel.
func isConsonant(w []byte, i int) bool {
	switch w[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !isConsonant(w, i-1)
	}
	return true
}

func hasVowel(w []byte) bool {
	for i := range w {
		if !isConsonant(w, i) {
			return true
		}
	}
	return false
}

// measure counts the vowel-consonant sequences of w (Porter's m) in one pass.
func measure(w []byte) int {
	m := 0
	prevCons, seenVowel := true, false
	for i, c := range w {
		cons := true
		switch c {
		case 'a', 'e', 'i', 'o', 'u':
			cons = false
		case 'y':
			cons = i == 0 || !prevCons
		}
		if cons && !prevCons && seenVowel {
			m++
		}
		if !cons {
			seenVowel = true
		}
		prevCons = cons
	}
	return m
}

// cvc reports whether w ends consonant-vowel-consonant, the last not w, x or y.
func cvc(w []byte) bool {
	n := len(w)
	if n < 3 || !isConsonant(w, n-3) || isConsonant(w, n-2) || !isConsonant(w, n-1) {
		return false
	}
	c := w[n-1]
	return c != 'w' && c != 'x' && c != 'y'
}
