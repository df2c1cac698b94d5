package devdata

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestReadRatedHandlesBOMAndCRLF(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.txt")
	if err := os.WriteFile(p, []byte("\ufeff1\t2.5\tgreat\r\n\r\n2\t-1\tmeh, not good\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRated(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (Rated{"great", 2.5}) || got[1] != (Rated{"meh, not good", -1}) {
		t.Fatalf("got %+v", got)
	}
	if err := os.WriteFile(p, []byte("1\tnot-a-number\tx\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRated(p); err == nil {
		t.Fatal("bad rating accepted")
	}
}

func TestReadComplaints(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.csv")
	if err := os.WriteFile(p, []byte("1,\"my order, late\",1,retail\n2,thanks,0,software\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadComplaints(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Complaint || got[0].Text != "my order, late" || got[1].Complaint || got[1].Domain != "software" {
		t.Fatalf("got %+v", got)
	}
	if err := os.WriteFile(p, []byte("1,x,maybe,retail\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadComplaints(p); err == nil {
		t.Fatal("bad label accepted")
	}
}

func TestMetrics(t *testing.T) {
	gold := []int{0, 0, 1, 1, 2}
	pred := []int{0, 1, 1, 1, 0}
	if a := Accuracy(gold, pred); a != 0.6 {
		t.Errorf("accuracy = %v", a)
	}
	if p, r, f := PRF(gold, pred, 1); p != 2.0/3 || r != 1 || math.Abs(f-0.8) > 1e-12 {
		t.Errorf("PRF(1) = %v %v %v", p, r, f)
	}
	// Class 2 has F1 0; class 3 is absent from gold.
	all := MacroF1(gold, pred, []int{0, 1, 2, 3}, false)
	present := MacroF1(gold, pred, []int{0, 1, 2, 3}, true)
	if math.Abs(all-(0.5+0.8)/4) > 1e-12 || math.Abs(present-(0.5+0.8)/3) > 1e-12 {
		t.Errorf("macro F1 = %v (all), %v (present)", all, present)
	}
	if r := Pearson([]float64{1, 2, 3}, []float64{2, 4, 6}); math.Abs(r-1) > 1e-12 {
		t.Errorf("pearson = %v", r)
	}
	if r := Pearson([]float64{1, 1}, []float64{2, 3}); r != 0 {
		t.Errorf("pearson of a constant = %v", r)
	}
}

func TestReadSemEval(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("twitter-2013train-A.tsv", "1\tpositive\tgood day\t\r\n2\tnegative\t\"bad \"\"day\"\"\"\n")
	write("twitter-2016test-A.tsv", "1\tpositive\tgood day again\n3\tneutral\tgood day\n4\tneutral\tthe shop opens at nine\n")
	write("notes.txt", "not a SemEval file\n")
	got, err := ReadSemEval(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Tweet{
		{ID: "1", Text: "good day", Label: "positive", File: "twitter-2013train-A.tsv"},
		{ID: "2", Text: `bad "day"`, Label: "negative", File: "twitter-2013train-A.tsv"},
		{ID: "4", Text: "the shop opens at nine", Label: "neutral", File: "twitter-2016test-A.tsv"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v (repeated id 1 and repeated text of id 3 dropped)", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tweet %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadSemEvalRejectsBadFiles(t *testing.T) {
	tests := []struct{ name, body string }{
		{"unknown label", "1\tmixed\tok\n"},
		{"no text", "1\tpositive\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "twitter-2013train-A.tsv"), []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadSemEval(dir); err == nil {
				t.Error("ReadSemEval accepted it")
			}
		})
	}
	if _, err := ReadSemEval(t.TempDir()); err == nil {
		t.Error("ReadSemEval accepted a directory without SemEval files")
	}
}

func TestMacroRecall(t *testing.T) {
	gold := []int{0, 0, 1, 1, 2, 2}
	pred := []int{0, 1, 1, 1, 0, 0}
	if got, want := MacroRecall(gold, pred, []int{0, 1, 2}), (0.5+1+0)/3; math.Abs(got-want) > 1e-12 {
		t.Errorf("MacroRecall = %v, want %v", got, want)
	}
}
