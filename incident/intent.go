package incident

import (
	"unicode"
	"unicode/utf8"
)

// LeaveIntentPhrases are the phrases that mark a post as expressing an
// intent to leave the brand or a loss of trust in it, for the after-care
// watch. This list is the one definition (the README's Incidents section
// quotes it). Matching ignores ASCII case, takes a typographic apostrophe
// (’) for ', and needs a phrase to start and end at word boundaries, so
// "switching to" matches "Switching to another bank" but not "switching
// tomorrow". The list was written from the wording of churn complaints, not
// fitted to any data set. Do not modify it at run time: an index of it is
// built at start-up.
var LeaveIntentPhrases = []string{
	"switching to", "switched to", "switch to another",
	"cancel my account", "cancelled my account", "canceled my account", "cancelling my account", "canceling my account",
	"close my account", "closing my account", "closed my account",
	"cancel my subscription", "cancelled my subscription", "canceled my subscription",
	"never again", "never ordering", "never buying", "never using", "never shopping",
	"taking my business elsewhere", "going elsewhere", "found an alternative",
	"don't trust", "do not trust", "can't trust", "cannot trust", "no longer trust", "lost my trust", "lost all trust",
	"done with you", "i'm done with", "last time i use",
}

// ExpressesLeaveIntent reports whether text contains one of
// LeaveIntentPhrases. It allocates nothing, and looks only at word starts
// whose letter begins a phrase.
func ExpressesLeaveIntent(text string) bool {
	for i := 0; i < len(text); i++ {
		cands := phrasesByFirst[lower(text[i])]
		if len(cands) == 0 || wordBefore(text, i) {
			continue
		}
		for _, p := range cands {
			if n, ok := matchAt(text, i, p); ok && !wordAfter(text, i+n) {
				return true
			}
		}
	}
	return false
}

// phrasesByFirst indexes LeaveIntentPhrases by their first byte.
var phrasesByFirst = func() (idx [256][]string) {
	for _, p := range LeaveIntentPhrases {
		idx[p[0]] = append(idx[p[0]], p)
	}
	return idx
}()

// matchAt matches phrase at text[i:], returning the bytes of text used.
func matchAt(text string, i int, phrase string) (int, bool) {
	j := i
	for k := 0; k < len(phrase); k++ {
		if j >= len(text) {
			return 0, false
		}
		c := phrase[k]
		if c == '\'' && j+3 <= len(text) && text[j] == 0xe2 && text[j+1] == 0x80 && text[j+2] == 0x99 {
			j += 3 // ’
			continue
		}
		if lower(text[j]) != c {
			return 0, false
		}
		j++
	}
	return j - i, true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// wordBefore reports whether the character ending at text[:i] is a letter
// or digit.
func wordBefore(text string, i int) bool {
	if i == 0 {
		return false
	}
	if c := text[i-1]; c < utf8.RuneSelf {
		return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordAfter reports whether the character starting at text[i] is a letter
// or digit.
func wordAfter(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	if c := text[i]; c < utf8.RuneSelf {
		return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
