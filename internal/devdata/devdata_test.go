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
