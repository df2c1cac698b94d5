package feature

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"math"
	"sync"

	"github.com/socialpulse/socialpulse/textnorm"
)

// wordvecData is feature/data/wordvec.bin: static vectors of about 29,000
// English words, each word encoded on its own by the sentence encoder
// all-MiniLM-L6-v2, centred, projected on 256 principal components and
// stored as int8 (scripts/wordvec.py writes it; data/NOTICE says where its
// parts come from). Only taxonomy suggest reads it, once, when it first
// proposes similar words; tagging never does.
//
//go:embed data/wordvec.bin
var wordvecData []byte

// wordVectors maps the stemmed form of a word (textnorm.Stem, as the tagger
// and the Suggester key words) to its vector.
type wordVectors struct {
	dims  int
	rows  map[string]int32
	vecs  []byte // int8 values, row after row; a slice of the table, not a copy
	norms []float32
}

var loadWordVectors = sync.OnceValues(func() (*wordVectors, error) {
	return parseWordVectors(wordvecData)
})

var errWordVectors = errors.New("feature: malformed word vector table")

// parseWordVectors reads the format scripts/wordvec.py writes: "SPWV",
// version 1, dims uint16, count uint32, count length-prefixed words, then
// count×dims int8. Several words with one stem (delay, delayed) keep the
// vector of the one that is the stem itself, else of the shortest.
func parseWordVectors(b []byte) (*wordVectors, error) {
	if len(b) < 11 || string(b[:4]) != "SPWV" || b[4] != 1 {
		return nil, errWordVectors
	}
	dims := int(binary.LittleEndian.Uint16(b[5:]))
	n := int(binary.LittleEndian.Uint32(b[7:]))
	// Each word takes at least 1+dims bytes: refuse a count the data
	// cannot hold before sizing anything by it.
	if dims == 0 || n > (len(b)-11)/(1+dims) {
		return nil, errWordVectors
	}
	p := 11
	wv := &wordVectors{dims: dims, rows: make(map[string]int32, n)}
	wordLen := make(map[string]int, n)
	for i := range n {
		if p >= len(b) || p+1+int(b[p]) > len(b) {
			return nil, errWordVectors
		}
		w := b[p+1 : p+1+int(b[p])]
		p += 1 + len(w)
		key := string(textnorm.Stem(w))
		if l, ok := wordLen[key]; ok && (l == 0 || len(w) >= l) {
			continue
		}
		wv.rows[key] = int32(i)
		if key == string(w) {
			wordLen[key] = 0
		} else {
			wordLen[key] = len(w)
		}
	}
	if len(b)-p != n*dims {
		return nil, errWordVectors
	}
	wv.vecs = b[p:]
	wv.norms = make([]float32, n)
	for i := range n {
		var s int64
		for _, x := range wv.vecs[i*dims : (i+1)*dims] {
			s += int64(int8(x)) * int64(int8(x))
		}
		wv.norms[i] = float32(math.Sqrt(float64(s)))
	}
	return wv, nil
}

// unit adds the unit vector of the word with this stemmed key to acc and
// reports whether the table has it.
func (wv *wordVectors) unit(key string, acc []float64) bool {
	r, ok := wv.rows[key]
	if !ok || wv.norms[r] == 0 {
		return false
	}
	inv := 1 / float64(wv.norms[r])
	for i, x := range wv.vecs[int(r)*wv.dims : int(r+1)*wv.dims] {
		acc[i] += float64(int8(x)) * inv
	}
	return true
}

// centroid returns the normalised mean of the unit vectors of the keys the
// table has, or nil when it has none.
func (wv *wordVectors) centroid(keys []string) []float64 {
	acc := make([]float64, wv.dims)
	n := 0
	for _, k := range keys {
		if wv.unit(k, acc) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	var s float64
	for _, x := range acc {
		s += x * x
	}
	if s == 0 {
		return nil
	}
	inv := 1 / math.Sqrt(s)
	for i := range acc {
		acc[i] *= inv
	}
	return acc
}

// cosine returns the cosine similarity of the word with this stemmed key
// and a unit vector, and whether the table has the word.
func (wv *wordVectors) cosine(key string, unit []float64) (float64, bool) {
	r, ok := wv.rows[key]
	if !ok || wv.norms[r] == 0 {
		return 0, false
	}
	var s float64
	for i, x := range wv.vecs[int(r)*wv.dims : int(r+1)*wv.dims] {
		s += float64(int8(x)) * unit[i]
	}
	return s / float64(wv.norms[r]), true
}
