package report

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/api/incidents"
)

// markupDetail is an incident without measures whose title, feature and
// quoted post carry markup.
func markupDetail() incidents.Detail {
	at := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	return incidents.Detail{
		Summary: incidents.Summary{ID: "checkout-1", Title: "Checkout <script>alert(1)</script>", State: "open",
			PriorityLabel: "P2", Features: []string{"checkout"}, Start: at},
		Samples: []incidents.Sample{{Feature: "checkout", Author: "ann", Text: "<img src=x onerror=alert(2)> **down**", Time: at}},
	}
}

func TestReportsShowIncidentTextAsText(t *testing.T) {
	tests := []struct {
		name      string
		write     func(io.Writer, incidents.Detail) error
		want, bad []string
	}{
		{"HTML escapes the title and the posts",
			HTML,
			[]string{"Checkout &lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;", "The matrix could not be read: no measures.", "No milestones recorded."},
			[]string{"<script>", "<img", `id="chart"`}},
		{"Markdown backslash-escapes the title and the posts",
			Markdown,
			[]string{`# Checkout \<script\>alert\(1\)\</script\>`, `\<img src=x onerror=alert\(2\)\> \*\*down\*\*`, "The matrix could not be read: no measures.", "2026-03-02 14:00 UTC to ongoing"},
			[]string{"<script>", ": <img", "**down**"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b, markupDetail()); err != nil {
				t.Fatal(err)
			}
			s := b.String()
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("report lacks %q:\n%s", w, s)
				}
			}
			for _, w := range tt.bad {
				if strings.Contains(s, w) {
					t.Errorf("report contains %q:\n%s", w, s)
				}
			}
		})
	}
}

func TestMarkdownEscapeKeepsOneInertLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain words stay", "checkout is down", "checkout is down"},
		{"newlines and runs of spaces become one space", "a\n\n  b\tc", "a b c"},
		{"emphasis, links and tables are escaped", "*x* [l](u) a|b", `\*x\* \[l\]\(u\) a\|b`},
		{"inline HTML is escaped", "<b>&amp;</b>", `\<b\>\&amp;\</b\>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mdEscape(tt.in); got != tt.want {
				t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestReportsMarkPostsTheFallbackModelTagged(t *testing.T) {
	d := markupDetail()
	d.Samples = append(d.Samples, incidents.Sample{Feature: "login", Author: "bo", Text: "cannot get in since noon", Time: d.Start, Inferred: true})
	for _, tt := range []struct {
		name       string
		write      func(io.Writer, incidents.Detail) error
		want, none string
	}{
		{"HTML marks the inferred feature", HTML, "<td>login (inferred)</td>", "<td>checkout (inferred)</td>"},
		{"Markdown marks the inferred feature", Markdown, ", login (inferred), bo: ", "checkout (inferred)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b, d); err != nil {
				t.Fatal(err)
			}
			if s := b.String(); !strings.Contains(s, tt.want) || strings.Contains(s, tt.none) {
				t.Fatalf("want %q and not %q in:\n%s", tt.want, tt.none, s)
			}
		})
	}
}
