package sentiment_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/sentiment"
)

// readSample reads testdata/train_sample.tsv, labelled sentences written for
// these tests.
func readSample(t *testing.T) []sentiment.Example {
	t.Helper()
	f, err := os.Open("testdata/train_sample.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sentiment.Example
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("sample line %q: want label<TAB>text", line)
		}
		var l sentiment.Label
		if err := l.UnmarshalText([]byte(label)); err != nil {
			t.Fatal(err)
		}
		out = append(out, sentiment.Example{Text: text, Label: l})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func smallConfig() sentiment.TrainConfig {
	c := sentiment.DefaultTrainConfig()
	c.Bits = 12
	return c
}

func modelBytes(t *testing.T, m *sentiment.Model) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if b.Len() != m.Size() {
		t.Fatalf("WriteTo wrote %d bytes, Size says %d", b.Len(), m.Size())
	}
	return b.Bytes()
}

func TestTrainIsReproducible(t *testing.T) {
	sample := readSample(t)
	train := func(c sentiment.TrainConfig) []byte {
		m, err := sentiment.Train(sample, c)
		if err != nil {
			t.Fatal(err)
		}
		return modelBytes(t, m)
	}
	first, second := train(smallConfig()), train(smallConfig())
	if !bytes.Equal(first, second) {
		t.Fatal("two trainings on the same data and seed wrote different model files")
	}
	other := smallConfig()
	other.Seed++
	if bytes.Equal(first, train(other)) {
		t.Error("a different seed wrote the same model file; the seed is not used")
	}
}

func TestTrainedModelLearnsTheSample(t *testing.T) {
	sample := readSample(t)
	m, err := sentiment.Train(sample, smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	a := sentiment.NewWithModel(m)
	right := 0
	for _, e := range sample {
		if a.Score(e.Text).Label == e.Label {
			right++
		}
	}
	if right < len(sample)*9/10 {
		t.Errorf("the trained model labels %d of its %d training sentences right, want at least 90%%", right, len(sample))
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	ok := []sentiment.Example{{Text: "fine", Label: sentiment.Neutral}}
	tests := []struct {
		name     string
		examples []sentiment.Example
		edit     func(*sentiment.TrainConfig)
	}{
		{"no examples", nil, func(*sentiment.TrainConfig) {}},
		{"unscored label", []sentiment.Example{{Text: "x", Label: sentiment.Unscored}}, func(*sentiment.TrainConfig) {}},
		{"negative weight", []sentiment.Example{{Text: "x", Weight: -1}}, func(*sentiment.TrainConfig) {}},
		{"too few hash bits", ok, func(c *sentiment.TrainConfig) { c.Bits = 4 }},
		{"character n-grams out of order", ok, func(c *sentiment.TrainConfig) { c.CharMin, c.CharMax = 5, 2 }},
		{"zero rate", ok, func(c *sentiment.TrainConfig) { c.Rate = 0 }},
		{"no epochs", ok, func(c *sentiment.TrainConfig) { c.Epochs = 0 }},
		{"unknown feature flag", ok, func(c *sentiment.TrainConfig) { c.Flags = 0x80 }},
		{"negative average", ok, func(c *sentiment.TrainConfig) { c.Average = -1 }},
		{"dropout of one", ok, func(c *sentiment.TrainConfig) { c.Dropout = 1 }},
		{"infinite neutral shift", ok, func(c *sentiment.TrainConfig) { c.NeutralShift = math.Inf(1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := smallConfig()
			tt.edit(&c)
			if _, err := sentiment.Train(tt.examples, c); err == nil {
				t.Error("Train accepted it")
			}
		})
	}
}

func TestEmbeddedModelLoads(t *testing.T) {
	m := sentiment.EmbeddedModel()
	b := modelBytes(t, m)
	again, err := sentiment.LoadModel(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the embedded model does not load from its own bytes: %v", err)
	}
	if !bytes.Equal(b, modelBytes(t, again)) {
		t.Error("loading and writing the embedded model changed its bytes")
	}
	if m.Size() > 16<<20 {
		t.Errorf("embedded model is %d bytes, want under 16 MiB", m.Size())
	}
}

func TestLoadModelRejectsBadFiles(t *testing.T) {
	m, err := sentiment.Train(readSample(t), smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	good := modelBytes(t, m)
	if _, err := sentiment.LoadModel(bytes.NewReader(good)); err != nil {
		t.Fatalf("a trained model does not load: %v", err)
	}
	// resum recomputes the checksum so that a check other than the
	// checksum's must catch the edit.
	resum := func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		return b
	}
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		file []byte
	}{
		{"empty file", nil},
		{"wrong magic", edit(func(b []byte) []byte { b[0] = 'X'; return resum(b) })},
		{"future version", edit(func(b []byte) []byte { b[8] = 9; return resum(b) })},
		{"other class count", edit(func(b []byte) []byte { b[10] = 2; return resum(b) })},
		{"other dense feature count", edit(func(b []byte) []byte { b[11]++; return resum(b) })},
		{"hash bits out of range", edit(func(b []byte) []byte { b[12] = 30; return resum(b) })},
		{"hash bits that do not match the length", edit(func(b []byte) []byte { b[12]++; return resum(b) })},
		{"character n-grams out of order", edit(func(b []byte) []byte { b[13], b[14] = 5, 2; return resum(b) })},
		{"unknown feature flag", edit(func(b []byte) []byte { b[15] |= 0x80; return resum(b) })},
		{"version 1 with feature flags", edit(func(b []byte) []byte { b[8], b[15] = 1, sentiment.FeatureHashtag; return resum(b) })},
		{"truncated", good[:len(good)-10]},
		{"flipped weight byte", edit(func(b []byte) []byte { b[len(b)-20] ^= 1; return b })},
		{"NaN bias", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[20:], math.Float32bits(float32(math.NaN())))
			return resum(b)
		})},
		{"infinite scale", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[16:], math.Float32bits(float32(math.Inf(1))))
			return resum(b)
		})},
		{"zero scale", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[16:], 0)
			return resum(b)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sentiment.LoadModel(bytes.NewReader(tt.file))
			if !errors.Is(err, sentiment.ErrBadModel) {
				t.Errorf("LoadModel = %v, want an ErrBadModel", err)
			}
		})
	}
}

func TestTrainOptionsChangeTheModelReproducibly(t *testing.T) {
	sample := readSample(t)
	base, err := sentiment.Train(sample, smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	baseBytes := modelBytes(t, base)
	tests := []struct {
		name string
		edit func(*sentiment.TrainConfig)
	}{
		{"negation to punctuation", func(c *sentiment.TrainConfig) { c.Flags = sentiment.FeatureNegToPunct }},
		{"negated words also plain", func(c *sentiment.TrainConfig) { c.Flags = sentiment.FeatureNegBoth }},
		{"elongation marker", func(c *sentiment.TrainConfig) { c.Flags = sentiment.FeatureElong }},
		{"no hashtag words", func(c *sentiment.TrainConfig) { c.Flags = 0 }},
		{"affixes of unrated words", func(c *sentiment.TrainConfig) { c.Flags |= sentiment.FeatureAffix }},
		{"three models averaged", func(c *sentiment.TrainConfig) { c.Average = 3 }},
		{"hashed features dropped out", func(c *sentiment.TrainConfig) { c.Dropout = 0.3 }},
		{"neutral bias shifted", func(c *sentiment.TrainConfig) { c.NeutralShift = 0.5 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := smallConfig()
			tt.edit(&c)
			m1, err := sentiment.Train(sample, c)
			if err != nil {
				t.Fatal(err)
			}
			m2, err := sentiment.Train(sample, c)
			if err != nil {
				t.Fatal(err)
			}
			b1, b2 := modelBytes(t, m1), modelBytes(t, m2)
			if !bytes.Equal(b1, b2) {
				t.Fatal("two trainings with the option wrote different model files")
			}
			// The weights follow the 16-byte header and end before the checksum.
			if bytes.Equal(b1[16:len(b1)-4], baseBytes[16:len(baseBytes)-4]) {
				t.Fatal("the option did not change the model's weights")
			}
			again, err := sentiment.LoadModel(bytes.NewReader(b1))
			if err != nil {
				t.Fatalf("the model does not load: %v", err)
			}
			if !bytes.Equal(b1, modelBytes(t, again)) {
				t.Error("loading and writing the model changed its bytes")
			}
		})
	}
}

func TestLoadModelReadsVersion1Files(t *testing.T) {
	c := smallConfig()
	c.Flags = 0
	m, err := sentiment.Train(readSample(t), c)
	if err != nil {
		t.Fatal(err)
	}
	b := modelBytes(t, m)
	if v := binary.LittleEndian.Uint16(b[8:]); v != 2 {
		t.Fatalf("WriteTo wrote version %d, want 2", v)
	}
	// A version 1 file is the same layout with the flags byte reserved (0).
	v1 := bytes.Clone(b)
	binary.LittleEndian.PutUint16(v1[8:], 1)
	binary.LittleEndian.PutUint32(v1[len(v1)-4:], crc32.ChecksumIEEE(v1[:len(v1)-4]))
	old, err := sentiment.LoadModel(bytes.NewReader(v1))
	if err != nil {
		t.Fatalf("a version 1 file does not load: %v", err)
	}
	a, o := sentiment.NewWithModel(m), sentiment.NewWithModel(old)
	for _, text := range []string{"#EpicFail the app crashed again", "love the new #FastCheckout!", "not bad at all"} {
		if got, want := o.Score(text), a.Score(text); got != want {
			t.Errorf("Score(%q) with the version 1 file = %+v, want %+v", text, got, want)
		}
	}
}
