package evaluate

import (
	"github.com/socialpulse/socialpulse/enrich"
	"reflect"
	"strings"
	"testing"
)

func TestReadLabelled(t *testing.T) {
	for _, tc := range []struct {
		name    string
		format  LabelledFormat
		in      string
		want    []Sentence
		wantErr string
	}{
		{
			name: "jsonl ids, score's objects and one feature",
			in: `{"text":"a","features":["billing","login"]}
{"text":"b","features":[{"id":"checkout","label":"negative"}]}

{"text":"c","feature":"delivery"}
{"text":"d"}
{"text":"e","feature":"other"}
`,
			want: []Sentence{
				{Text: "a", Opinions: []Opinion{{Category: "billing"}, {Category: "login"}}},
				{Text: "b", Opinions: []Opinion{{Category: "checkout"}}},
				{Text: "c", Opinions: []Opinion{{Category: "delivery"}}},
				{Text: "d"},
				{Text: "e"},
			},
		},
		{
			name:   "csv with named columns and several labels",
			format: LabelledFormat{CSV: true, TextColumn: "tweet", LabelColumn: "reason"},
			in:     "id,tweet,reason\n1,\"late, again\",delay; refunds\n2,fine,\n3,x,delay;delay\n",
			want: []Sentence{
				{Text: "late, again", Opinions: []Opinion{{Category: "delay"}, {Category: "refunds"}}},
				{Text: "fine"},
				{Text: "x", Opinions: []Opinion{{Category: "delay"}}},
			},
		},
		{
			name:   "csv default columns",
			format: LabelledFormat{CSV: true},
			in:     "text,feature\nhello,login\n",
			want:   []Sentence{{Text: "hello", Opinions: []Opinion{{Category: "login"}}}},
		},
		{name: "jsonl without text names the line", in: "{\"text\":\"a\"}\n{\"feature\":\"x\"}\n", wantErr: `line 2: no "text"`},
		{name: "jsonl bad json names the line", in: "{\"text\":\"a\"}\n{oops\n", wantErr: "line 2:"},
		{name: "jsonl bad feature entry", in: `{"text":"a","features":[3]}`, wantErr: "features[0]"},
		{name: "csv without the label column", format: LabelledFormat{CSV: true}, in: "text,category\na,b\n", wantErr: `no label column "feature"`},
		{name: "csv without the text column", format: LabelledFormat{CSV: true}, in: "body,feature\na,b\n", wantErr: `no text column "text"`},
		{name: "empty csv", format: LabelledFormat{CSV: true}, in: "", wantErr: "header"},
		{name: "ragged csv", format: LabelledFormat{CSV: true}, in: "text,feature\na,b,c\n", wantErr: "wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadLabelled(strings.NewReader(tc.in), tc.format)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestResolveLabels(t *testing.T) {
	tg, err := enrich.LoadTagger("") // the default taxonomy
	if err != nil {
		t.Fatal(err)
	}
	sents := []Sentence{
		{Text: "a", Opinions: []Opinion{{Category: "checkout"}, {Category: "Login and Account Access"}}},
		{Text: "b", Opinions: []Opinion{{Category: "CHECKOUT"}, {Category: "no such thing"}}},
		{Text: "c", Opinions: []Opinion{{Category: "no such thing"}}},
	}
	unknown := ResolveLabels(tg, sents)
	want := []Sentence{
		{Text: "a", Opinions: []Opinion{{Category: "checkout"}, {Category: "login"}}},
		{Text: "b", Opinions: []Opinion{{Category: "checkout"}, {Category: "no such thing"}}},
		{Text: "c", Opinions: []Opinion{{Category: "no such thing"}}},
	}
	if !reflect.DeepEqual(sents, want) {
		t.Errorf("resolved %+v, want %+v", sents, want)
	}
	if !reflect.DeepEqual(unknown, map[string]int{"no such thing": 2}) {
		t.Errorf("unknown = %v", unknown)
	}
}
