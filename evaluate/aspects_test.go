package evaluate

import (
	"testing"

	"github.com/socialpulse/socialpulse/enrich"
)

func TestMacroF1(t *testing.T) {
	tg, err := enrich.LoadTagger("../taxonomies/semeval-restaurants-nameonly.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sent := func(text string, cats ...string) aspectSentence {
		s := aspectSentence{text: text}
		for _, c := range cats {
			s.add(c, "")
		}
		s.finish()
		return s
	}
	tests := []struct {
		name  string
		sents []aspectSentence
		want  float64
	}{
		{"every feature found once", []aspectSentence{sent("the waiter was rude", "service"), sent("lovely decor", "ambience")}, 1},
		{"tags on the wrong features score zero", []aspectSentence{sent("the waiter was rude", "ambience"), sent("lovely decor", "service")}, 0},
		{"other is not a feature", []aspectSentence{sent("the waiter was rude", "service"), sent("we went for my birthday")}, 1},
		{"one of two features found", []aspectSentence{sent("the waiter was rude", "service"), sent("it was loud", "ambience")}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := macroF1(tg, tt.sents); got != tt.want {
				t.Errorf("macroF1 = %v, want %v", got, tt.want)
			}
		})
	}
}
