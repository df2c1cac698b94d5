package sentiment

import (
	"bytes"
	"testing"
)

func TestFineTuneStartsFromTheModelAndLeavesItAlone(t *testing.T) {
	base := EmbeddedModel()
	var before bytes.Buffer
	if _, err := base.WriteTo(&before); err != nil {
		t.Fatal(err)
	}
	ex := []Example{{Text: "checkout is sick now", Label: Positive}}
	cases := []struct {
		name string
		edit func(c *TrainConfig)
		ok   bool
	}{
		{"the model's own settings", func(*TrainConfig) {}, true},
		{"other hash bits", func(c *TrainConfig) { c.Bits = 16 }, false},
		{"other character n-grams", func(c *TrainConfig) { c.CharMin, c.CharMax = 2, 4 }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := FineTuneConfig(base)
			tc.edit(&c)
			m, err := Train(ex, c)
			if (err == nil) != tc.ok {
				t.Fatalf("Train: %v, want ok %v", err, tc.ok)
			}
			if !tc.ok {
				return
			}
			if got := NewWithModel(m).Score(ex[0].Text).Label; got != Positive {
				t.Fatalf("fine-tuned model labels the example %s", got)
			}
			// Texts unlike the example keep the base model's label.
			for _, text := range []string{"love the new search", "the app crashed again, can't log in"} {
				if a, b := NewWithModel(m).Score(text).Label, NewWithModel(base).Score(text).Label; a != b {
					t.Errorf("%q: %s after fine-tuning, %s before", text, a, b)
				}
			}
		})
	}
	var after bytes.Buffer
	if _, err := base.WriteTo(&after); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before.Bytes(), after.Bytes()) {
		t.Fatal("fine-tuning modified the initial model")
	}
}
