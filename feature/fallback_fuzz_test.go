package feature

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLearnFallback holds taxonomy learn's promises for any stream: the
// model it learns tags none of the taxonomy's no_match examples with the
// feature they must not match (so taxonomy check's promise holds with the
// model on), the file it writes loads back, classifies every post as the
// learned model does and saves to the same bytes. Each input line is a
// post, given three times.
func FuzzLearnFallback(f *testing.F) {
	for _, s := range []string{
		"delivery late again, the courier never came\nmy parcel is stuck, courier says lost\nforgot my password, the login page loops\nrefund denied, money back took weeks\nthe courier was rude\nwhere is my courier",
		"parcel speech\nthe speech was long\ndeliver the speech\nspeech speech parcel",
		"password reset mail never came\nthe reset mail is in spam\nreset mail",
		"\u4f60\u597d parcel \U0001F4E6\ncaf\u00e9 password",
		"",
	} {
		f.Add(s)
	}
	tg := suggestFuzzTagger(f)
	f.Fuzz(func(t *testing.T, stream string) {
		if len(stream) > 2000 || !utf8.ValidString(stream) {
			return
		}
		var texts []string
		for range 3 {
			texts = append(texts, strings.Split(stream, "\n")...)
		}
		fb, _ := LearnFallback(tg, texts, 0)
		if bad := NoMatchInferred(tg, fb); len(bad) > 0 {
			t.Fatalf("the model tags no_match examples with their feature: %+v", bad)
		}
		loaded := roundTrip(t, fb)
		s1, s2 := make([]float64, len(tg.Features())), make([]float64, len(tg.Features()))
		for _, text := range texts {
			if a, b := fb.Classify(text, s1), loaded.Classify(text, s2); a != b {
				t.Fatalf("%q: the learned model names %d, the loaded one %d", text, a, b)
			}
		}
	})
}

// FuzzLoadFallback feeds arbitrary files to the loader behind
// taxonomy.fallback_model and --fallback-model: a file is refused with an
// error, or accepted as a model that classifies without panicking and saves
// to bytes that load back to the same model.
func FuzzLoadFallback(f *testing.F) {
	tg := suggestFuzzTagger(f)
	fb, _ := LearnFallback(tg, []string{"my parcel is late, courier lost it", "parcel courier again", "password reset loops", "password reset mail", "refund please", "refund money back now"}, 0)
	var good bytes.Buffer
	if err := fb.Save(&good); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte(`{"format":"socialpulse.fallback","version":1,"taxonomy":"x","features":["a"],"margin":0,"trained":0,"prior":[0],"words":{}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		m, err := LoadFallback(bytes.NewReader(data))
		if err != nil {
			return
		}
		scores := make([]float64, len(m.Features()))
		for _, text := range []string{"my parcel is late", "courier", "", "password"} {
			if got := m.Classify(text, scores); got < -1 || got >= len(m.Features()) {
				t.Fatalf("Classify(%q) = %d with %d features", text, got, len(m.Features()))
			}
		}
		roundTrip(t, m)
	})
}

// roundTrip saves fb, loads the file and saves the loaded model again,
// failing t unless the file loads and both saves give the same bytes; it
// returns the loaded model.
func roundTrip(t *testing.T, fb *Fallback) *Fallback {
	t.Helper()
	var saved bytes.Buffer
	if err := fb.Save(&saved); err != nil {
		t.Fatalf("the model does not save: %v", err)
	}
	loaded, err := LoadFallback(bytes.NewReader(saved.Bytes()))
	if err != nil {
		t.Fatalf("the saved model does not load: %v\n%s", err, saved.String())
	}
	var again bytes.Buffer
	if err := loaded.Save(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saved.Bytes(), again.Bytes()) {
		t.Fatalf("saved, loaded and saved again, the file changed:\n%s\n---\n%s", saved.String(), again.String())
	}
	return loaded
}
