package sentiment

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Language reports the language of a post and whether the model scores it.
//
// A declared language (such as a post's "lang" field, a BCP-47 tag like "en",
// "en-GB" or "und") wins when it is set and not "und"; lang is then its
// primary subtag, lowercased ("en-GB" gives "en"). Otherwise a cheap
// detector decides: the dominant script for non-Latin text ("ru", "ar",
// "zh", "ja", ...), and for Latin text the share of common function words of
// English and of a few other European languages. Short Latin posts with no
// evidence either way are taken as English. Text without letters (emoji,
// emoticons only) gives "und" and is scored. supported reports whether the
// model scores the language (English only).
func (a *Analyzer) Language(text, declared string) (lang string, supported bool) {
	if d := strings.TrimSpace(declared); d != "" && !strings.EqualFold(d, "und") {
		if i := strings.IndexAny(d, "-_"); i > 0 {
			d = d[:i]
		}
		d = strings.ToLower(d)
		return d, d == "en"
	}
	lang = detectLanguage(text)
	return lang, lang == "en" || lang == "und"
}

// Scripts counted by the detector.
const (
	scLatin = iota
	scCyrillic
	scGreek
	scArabic
	scHebrew
	scHan
	scKana
	scHangul
	scThai
	scDevanagari
	scOther
	numScripts
)

var scriptLang = [numScripts]string{"en", "ru", "el", "ar", "he", "zh", "ja", "ko", "th", "hi", "und"}

// Languages of the stopword table, as bits.
const (
	lEN = 1 << iota
	lES
	lFR
	lDE
	lPT
	lIT
	lNL
	numLangs = iota
)

var langCodes = [numLangs]string{"en", "es", "fr", "de", "pt", "it", "nl"}

// stopwords maps frequent function words to the languages they belong to.
var stopwords = func() map[string]uint8 {
	m := make(map[string]uint8, 512)
	add := func(bit uint8, words string) {
		for _, w := range strings.Fields(words) {
			m[w] |= bit
		}
	}
	add(lEN, "the and is are was were you your my i i'm it it's this that of to for with not have has "+
		"be been just can can't will what why how when from they them we our at on or but if so do does "+
		"don't didn't get got me he she his her there their would could should about all out up an "+
		"im dont cant doesnt its please thanks any still now again no yes one am")
	add(lES, "el la los las de del que y en un una por para con no es se lo su al pero más mi muy "+
		"como está gracias hola yo tu te me le ya todo esta este eso qué por qué también hay")
	add(lFR, "le la les de des du et est un une pour pas que qui dans en sur avec ne je tu il elle "+
		"nous vous mon ma mes ce cette au aux mais très merci bonjour c'est j'ai ça plus")
	add(lDE, "der die das und ist nicht ein eine ich du er sie wir ihr mit von zu den dem des auf "+
		"für im ist auch noch aber sehr danke hallo mein meine kein keine bei wie was")
	add(lPT, "o a os as de do da dos das que e em um uma para com não é se no na por mais mas meu "+
		"minha muito obrigado obrigada olá você eu ele ela isso está")
	add(lIT, "il lo la gli le di del della che e è un una per con non si in al ma mio mia molto "+
		"grazie ciao io tu lui lei sono questo questa anche")
	add(lNL, "de het een en van is niet dat die ik je jij we wij met voor op te zijn maar ook mijn "+
		"heel bedankt hallo geen nog wat")
	return m
}()

// detectLanguage guesses the language of text.
func detectLanguage(text string) string {
	var scripts [numScripts]int
	var hits [numLangs]int
	var buf [32]byte
	letters := 0
	words := 0
	for i := 0; i < len(text); {
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		j := i
		for j < len(text) && !isSpace(text[j]) {
			j++
		}
		chunk := text[i:j]
		i = j
		if chunk == "" || chunk[0] == '@' || chunk[0] == '#' || hasPrefixFold(chunk, "http") || hasPrefixFold(chunk, "www.") {
			continue
		}
		// Count scripts and split the chunk into lowercase words.
		n := 0
		flush := func() {
			if n > 0 && n <= len(buf) {
				words++
				if bits := stopwords[string(buf[:n])]; bits != 0 {
					for l := 0; l < numLangs; l++ {
						if bits&(1<<l) != 0 {
							hits[l]++
						}
					}
				}
			}
			n = 0
		}
		for x := 0; x < len(chunk); {
			r, size := utf8.DecodeRuneInString(chunk[x:])
			x += size
			if r == '\'' || r == '\u2019' {
				if n > 0 && n < len(buf) {
					buf[n] = '\''
					n++
				}
				continue
			}
			if !unicode.IsLetter(r) {
				flush()
				continue
			}
			letters++
			scripts[scriptOf(r)]++
			lr := unicode.ToLower(r)
			if n+utf8.RuneLen(lr) <= len(buf) {
				n += utf8.EncodeRune(buf[n:], lr)
			} else {
				n = len(buf) + 1
			}
		}
		flush()
	}
	if letters == 0 {
		return "und"
	}
	best := scLatin
	for s := range scripts {
		if scripts[s] > scripts[best] {
			best = s
		}
	}
	if best != scLatin && scripts[best]*2 > letters {
		if best == scHan && scripts[scKana] > 0 {
			return "ja"
		}
		return scriptLang[best]
	}
	if scripts[scLatin]*2 <= letters {
		return scriptLang[best]
	}
	other := 1
	for l := 2; l < numLangs; l++ {
		if hits[l] > hits[other] {
			other = l
		}
	}
	en := hits[0]
	switch {
	case hits[other] >= 2 && hits[other] > en:
		return langCodes[other]
	case hits[other] == 1 && en == 0 && words <= 4:
		return langCodes[other]
	}
	return "en"
}

func scriptOf(r rune) int {
	switch {
	case r < 0x250:
		return scLatin
	case unicode.Is(unicode.Cyrillic, r):
		return scCyrillic
	case unicode.Is(unicode.Greek, r):
		return scGreek
	case unicode.Is(unicode.Arabic, r):
		return scArabic
	case unicode.Is(unicode.Hebrew, r):
		return scHebrew
	case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
		return scKana
	case unicode.Is(unicode.Han, r):
		return scHan
	case unicode.Is(unicode.Hangul, r):
		return scHangul
	case unicode.Is(unicode.Thai, r):
		return scThai
	case unicode.Is(unicode.Devanagari, r):
		return scDevanagari
	case unicode.Is(unicode.Latin, r):
		return scLatin
	}
	return scOther
}
