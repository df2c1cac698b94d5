package sentiment

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// Model is a learned linear scorer: a multinomial logistic regression over
// three classes (negative, neutral, positive) whose inputs are the lexicon's
// outputs (dense features) and hashed word unigrams, bigrams, character
// n-grams, emoji and the optional features of its flags (see
// appendFeatures). The hashed weights are stored as
// 8-bit integers times one scale. A Model is immutable and safe for
// concurrent use.
type Model struct {
	bits  uint8 // log2 of the number of hash buckets
	spec  featureSpec
	scale float32 // hashed weight = int8 × scale
	bias  [3]float32
	dense [nDense][3]float32
	hash  []int8 // 3 per bucket
}

// Model file layout (little endian):
//
//	magic    [8]byte  "SPSENTLM"
//	version  uint16   2 (1: the same layout with flags always 0)
//	classes  uint8    3
//	dense    uint8    number of dense features
//	bits     uint8    log2 of the hash buckets, 10..24
//	charMin  uint8    shortest character n-gram (0: none)
//	charMax  uint8    longest character n-gram (0: none)
//	flags    uint8    optional hashed features (Feature* bits)
//	scale    float32  of the hashed weights
//	bias     3 float32
//	dense    dense × 3 float32
//	hash     (1<<bits) × 3 int8
//	crc      uint32   CRC-32 (IEEE) of everything before it
const (
	modelMagic   = "SPSENTLM"
	modelVersion = 2
	// modelVersion1 files predate the feature flags: their flags byte is
	// reserved and 0, which reads the same under version 2, so they load
	// and score exactly as they did.
	modelVersion1 = 1
	headerSize    = 8 + 2 + 6 + 4
	maxModelBits  = 24
	minModelBits  = 10
)

// ErrBadModel is wrapped by every error of LoadModel about the file's
// contents.
var ErrBadModel = errors.New("sentiment: bad model file")

//go:embed data/model.bin
var embeddedModel []byte

// EmbeddedModel returns the model built into the binary (data/model.bin,
// trained by sentiment/internal/train). It panics only if the embedded file
// is malformed, which the package tests rule out.
func EmbeddedModel() *Model {
	embeddedOnce.Do(func() {
		m, err := LoadModel(bytes.NewReader(embeddedModel))
		if err != nil {
			panic(err)
		}
		embedded = m
	})
	return embedded
}

// LoadModel reads a model file written by Model.WriteTo and checks it: the
// magic and version, the class and dense feature counts of this build, the
// hash size, its length, the checksum, and that every weight is finite. It
// reads at most 64 MiB.
func LoadModel(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(io.LimitReader(r, 64<<20+1))
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadModel, fmt.Sprintf(format, args...))
	}
	if len(b) < headerSize+4 {
		return nil, bad("%d bytes, too short", len(b))
	}
	if string(b[:8]) != modelMagic {
		return nil, bad("magic %q, want %q", b[:8], modelMagic)
	}
	le := binary.LittleEndian
	v := le.Uint16(b[8:])
	if v != modelVersion && v != modelVersion1 {
		return nil, bad("format version %d, this build reads versions %d and %d (a newer socialpulse wrote it?)", v, modelVersion1, modelVersion)
	}
	if b[10] != 3 {
		return nil, bad("%d classes, want 3", b[10])
	}
	if int(b[11]) != nDense {
		return nil, bad("%d dense features, want %d", b[11], nDense)
	}
	m := &Model{bits: b[12], spec: featureSpec{charMin: int(b[13]), charMax: int(b[14]), flags: b[15]}}
	if m.bits < minModelBits || m.bits > maxModelBits {
		return nil, bad("hash bits %d, want %d..%d", m.bits, minModelBits, maxModelBits)
	}
	if c := m.spec; c.charMin > c.charMax || c.charMax > 8 || (c.charMin == 0) != (c.charMax == 0) {
		return nil, bad("character n-grams %d..%d", c.charMin, c.charMax)
	}
	if v == modelVersion1 && b[15] != 0 {
		return nil, bad("version 1 file with reserved byte %d, want 0", b[15])
	}
	if b[15]&^featureAll != 0 {
		return nil, bad("feature flags %#x, this build knows %#x", b[15], featureAll)
	}
	want := headerSize + 4*3 + 4*3*nDense + 3<<m.bits + 4
	if len(b) != want {
		return nil, bad("%d bytes, want %d for %d hash bits", len(b), want, m.bits)
	}
	body := b[:len(b)-4]
	if sum, got := crc32.ChecksumIEEE(body), le.Uint32(b[len(b)-4:]); sum != got {
		return nil, bad("checksum %08x, want %08x", got, sum)
	}
	off := 16
	f32 := func() (float32, error) {
		v := math.Float32frombits(le.Uint32(b[off:]))
		off += 4
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0, bad("weight at byte %d is not finite", off-4)
		}
		return v, nil
	}
	if m.scale, err = f32(); err != nil {
		return nil, err
	}
	if m.scale <= 0 {
		return nil, bad("scale %g, want > 0", m.scale)
	}
	for k := range m.bias {
		if m.bias[k], err = f32(); err != nil {
			return nil, err
		}
	}
	for i := range m.dense {
		for k := range m.dense[i] {
			if m.dense[i][k], err = f32(); err != nil {
				return nil, err
			}
		}
	}
	m.hash = make([]int8, 3<<m.bits)
	for i := range m.hash {
		m.hash[i] = int8(b[off+i])
	}
	return m, nil
}

// WriteTo writes the model in the format LoadModel reads. The same model
// always gives the same bytes.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	le := binary.LittleEndian
	b := make([]byte, 0, headerSize+4*3+4*3*nDense+len(m.hash)+4)
	b = append(b, modelMagic...)
	b = le.AppendUint16(b, modelVersion)
	b = append(b, 3, nDense, m.bits, byte(m.spec.charMin), byte(m.spec.charMax), m.spec.flags)
	b = le.AppendUint32(b, math.Float32bits(m.scale))
	for _, v := range m.bias {
		b = le.AppendUint32(b, math.Float32bits(v))
	}
	for i := range m.dense {
		for _, v := range m.dense[i] {
			b = le.AppendUint32(b, math.Float32bits(v))
		}
	}
	for _, v := range m.hash {
		b = append(b, byte(v))
	}
	b = le.AppendUint32(b, crc32.ChecksumIEEE(b))
	n, err := w.Write(b)
	return int64(n), err
}

// Size returns the size of the model file in bytes.
func (m *Model) Size() int { return headerSize + 4*3 + 4*3*nDense + len(m.hash) + 4 }

// bucket maps a feature hash to its weight offset in m.hash.
func (m *Model) bucket(h uint32) int {
	h ^= h >> 16
	h *= 0x85EBCA6B
	h ^= h >> 13
	return int(h>>(32-m.bits)) * 3
}

// logits returns the class scores for dense features d and hashed features
// rows.
func (m *Model) logits(d *[nDense]float32, rows []uint32) [3]float32 {
	z := m.bias
	for i, x := range d {
		if x == 0 {
			continue
		}
		w := &m.dense[i]
		z[0] += w[0] * x
		z[1] += w[1] * x
		z[2] += w[2] * x
	}
	var a0, a1, a2 int32
	hash := m.hash
	for _, h := range rows {
		o := m.bucket(h)
		w := hash[o : o+3 : o+3]
		a0 += int32(w[0])
		a1 += int32(w[1])
		a2 += int32(w[2])
	}
	z[0] += float32(a0) * m.scale
	z[1] += float32(a1) * m.scale
	z[2] += float32(a2) * m.scale
	return z
}

// resultOf turns class scores into a Result: the label is the most likely
// class, and the score is P(positive) − P(negative), moved into the label's
// band of LabelOf when it falls outside it (so LabelOf(Score) == Label).
func resultOf(z [3]float32) Result {
	mx := max(z[0], z[1], z[2])
	var p [3]float64
	var sum float64
	for k := range z {
		p[k] = math.Exp(float64(z[k] - mx))
		sum += p[k]
	}
	best := 0
	for k := 1; k < 3; k++ {
		if z[k] > z[best] {
			best = k
		}
	}
	score := (p[2] - p[0]) / sum
	switch Label(best) {
	case Positive:
		score = max(score, PositiveThreshold)
	case Negative:
		score = min(score, NegativeThreshold)
	default:
		score = max(min(score, PositiveThreshold-0.001), NegativeThreshold+0.001)
	}
	return Result{Label: Label(best), Score: score}
}
