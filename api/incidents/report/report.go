// Package report renders the post-incident report of an incident, as the
// API serves it (incidents.Detail), as self-contained HTML or as Markdown:
// the body of "socialpulse incidents report" and "incidents show".
//
// Scope: the words, numbers, chart and escaping of the report. Non-goals:
// fetching the incident (the CLI does, through the API) and computing the
// measures (package incident does, on the server).
package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/incident"
)

// report is what both report formats show, in words and numbers.
type report struct {
	D        incidents.Detail
	Period   string
	Measures []reportRow
	Effects  []reportEffect
	Chart    *reportChart
	Made     string
	// AfterCare is the after-care tail: a summary line and a row per day;
	// empty while the incident is open.
	AfterCare     string
	AfterCareDays []reportDay
}

type reportDay struct {
	Day, Share, Band, LeaveIntent, Status string
	Above                                 bool
}

type reportRow struct{ Name, Value, Formula string }

type reportEffect struct {
	Time, Type, Author, Text    string
	Volume, Share, Sentiment    string
	Significance, Completeness  string
	VolumeSignificant, ShareSig bool
}

// reportChart is the inline SVG chart of negative volume: a polyline, the
// baseline band and a marker per milestone.
type reportChart struct {
	W, H                 int
	Line                 string
	BandY, BandH, MeanY  float64
	Left, Right, Top, Y0 float64
	YMax                 string
	From, To             string
	Markers              []reportMarker
}

type reportMarker struct {
	X, LabelY float64
	Label     string
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func fmtSeconds(p *float64, missing string) string {
	if p == nil {
		return missing
	}
	return (time.Duration(*p) * time.Second).Round(time.Second).String()
}

func signed(v float64, format string) string {
	if v >= 0 {
		return "+" + fmt.Sprintf(format, v)
	}
	return fmt.Sprintf(format, v)
}

func buildReport(d incidents.Detail) report {
	r := report{D: d, Made: time.Now().UTC().Format("2006-01-02 15:04 UTC")}
	end := "ongoing"
	if !d.End.IsZero() {
		end = fmtTime(d.End)
	}
	r.Period = fmtTime(d.Start) + " to " + end
	if m := d.Measures; m != nil {
		r.Measures = []reportRow{
			{"Time to detect", fmtSeconds(m.TimeToDetectSeconds, "unknown (no excess before the alert)"), "first alert - first excess bucket (" + fmtTime(m.Onset) + " to " + fmtTime(m.Alert) + ")"},
			{"Time to first response", fmtSeconds(m.TimeToFirstResponseSeconds, "no statement recorded"), "first statement - first alert"},
			{"Time to recover", fmtSeconds(m.TimeToRecoverSeconds, "not yet recovered"), "back inside the baseline band (volume and share) - first alert; recovered " + fmtTime(m.Recovered)},
			{"Excess negative posts", fmt.Sprintf("%.0f", m.ExcessNegative), "sum of max(0, negative - baseline) per bucket"},
			{"Reach-weighted excess", fmt.Sprintf("%.1f", m.ExcessReach), "sum of max(0, negative reach - baseline reach) per bucket"},
			{"Peak", fmt.Sprintf("%.0f negative posts at %s", m.PeakNegative, fmtTime(m.Peak)), "the bucket with the most negative posts"},
			{"Baseline", fmt.Sprintf("%.1f negative posts and %.1f%% negative per bucket; band up to %.1f posts and %.1f%%",
				m.Baseline.Negative, 100*m.Baseline.Share, m.VolumeUpper, 100*m.ShareUpper), "the " + m.Baseline.To.Sub(m.Baseline.From).String() + " before the start"},
		}
		for _, e := range m.Effects {
			re := reportEffect{Time: fmtTime(e.Milestone.Time), Type: string(e.Milestone.Type), Author: milestoneAuthor(e.Milestone), Text: e.Milestone.Text,
				Volume:            fmt.Sprintf("%.0f → %.0f (%s per bucket)", e.Before.Negative, e.After.Negative, signed(e.VolumeChange, "%.1f")),
				Share:             fmt.Sprintf("%.1f%% → %.1f%% (%s points)", 100*e.Before.Share, 100*e.After.Share, signed(100*e.ShareChange, "%.1f")),
				Sentiment:         fmt.Sprintf("%.2f → %.2f (%s)", e.Before.MeanSentiment, e.After.MeanSentiment, signed(e.SentimentChange, "%.2f")),
				VolumeSignificant: e.VolumeSignificant, ShareSig: e.ShareSignificant}
			re.Significance = fmt.Sprintf("volume p=%.2g%s, share p=%.2g%s", e.VolumeP, star(e.VolumeSignificant), e.ShareP, star(e.ShareSignificant))
			if !e.Complete {
				re.Completeness = "window still filling or outside the data"
			}
			r.Effects = append(r.Effects, re)
		}
	}
	r.Chart = chart(d)
	r.AfterCare, r.AfterCareDays = afterCareRows(d)
	return r
}

// afterCareRows describes d's after-care watch: a summary and one row per
// day.
func afterCareRows(d incidents.Detail) (string, []reportDay) {
	w := d.AfterCare
	if w == nil {
		return "", nil
	}
	sum := fmt.Sprintf("From the end (%s) to %s: %d of %d days with the negative share above the band around the pre-incident share of %.1f%%; %d posts saying they are leaving or no longer trust the brand.",
		fmtTime(w.From), fmtTime(w.To), w.DaysAbove, len(w.Days), 100*w.BaselineShare, w.LeaveIntent)
	if !w.LastAbove.IsZero() {
		sum += " Last day above: " + fmtTime(w.LastAbove) + "."
	}
	if !w.Complete {
		sum += " The watch is still running."
	}
	var rows []reportDay
	for i, day := range w.Days {
		rd := reportDay{Day: fmt.Sprintf("%d (%s)", i+1, day.Start.UTC().Format("2006-01-02")), LeaveIntent: fmt.Sprintf("%d", day.LeaveIntent), Above: day.Above}
		switch {
		case !day.Available:
			rd.Share, rd.Band, rd.Status = "-", "-", "no longer in the matrix"
		case day.Scored == 0:
			rd.Share, rd.Band, rd.Status = "-", "-", "no posts"
		default:
			rd.Share = fmt.Sprintf("%.1f%% (%.0f of %.0f)", 100*day.Share, day.Negative, day.Scored)
			rd.Band = fmt.Sprintf("up to %.1f%%", 100*day.Upper)
			rd.Status = "within"
			if day.Above {
				rd.Status = "above"
			}
		}
		if !day.Complete {
			rd.Status += ", day still going"
		}
		rows = append(rows, rd)
	}
	return sum, rows
}

// milestoneAuthor is who recorded a milestone, marking the statements
// recorded automatically from the brand's own posts.
func milestoneAuthor(m incident.Milestone) string {
	if m.Source == alert.SourceBrandPost {
		return m.Author + " (brand post, recorded automatically)"
	}
	return m.Author
}

func star(b bool) string {
	if b {
		return " (significant)"
	}
	return ""
}

// chart draws the timeline's negative posts; nil without points.
func chart(d incidents.Detail) *reportChart {
	tl := d.Timeline
	if tl == nil || len(tl.Points) == 0 {
		return nil
	}
	c := &reportChart{W: 900, H: 280, Left: 50, Right: 880, Top: 20, Y0: 250}
	span := tl.To.Sub(tl.From)
	if span <= 0 {
		return nil
	}
	step := span / time.Duration(len(tl.Points))
	// The band is per matrix bucket; a point may merge several.
	per := 1.0
	var mean, upper float64
	if m := d.Measures; m != nil && m.Baseline.Buckets > 0 {
		bucket := m.Baseline.To.Sub(m.Baseline.From) / time.Duration(m.Baseline.Buckets)
		if bucket > 0 {
			per = float64(step) / float64(bucket)
		}
		mean, upper = m.Baseline.Negative*per, m.VolumeUpper*per
	}
	ymax := upper * 1.1
	for _, p := range tl.Points {
		ymax = math.Max(ymax, p.Negative*1.05)
	}
	ymax = math.Max(ymax, 1)
	x := func(t time.Time) float64 {
		return c.Left + (c.Right-c.Left)*float64(t.Sub(tl.From))/float64(span)
	}
	y := func(v float64) float64 { return c.Y0 - (c.Y0-c.Top)*v/ymax }
	var b strings.Builder
	for _, p := range tl.Points {
		fmt.Fprintf(&b, "%.1f,%.1f ", x(p.Start.Add(step/2)), y(p.Negative))
	}
	c.Line = strings.TrimSpace(b.String())
	lower := math.Max(0, 2*mean-upper)
	c.BandY, c.BandH, c.MeanY = y(upper), y(lower)-y(upper), y(mean)
	c.YMax = fmt.Sprintf("%.0f", ymax)
	c.From, c.To = fmtTime(tl.From), fmtTime(tl.To)
	mark := func(t time.Time, label string) {
		if !t.IsZero() && !t.Before(tl.From) && !t.After(tl.To) {
			// Labels step down in three rows so that close markers stay legible.
			c.Markers = append(c.Markers, reportMarker{X: x(t), LabelY: c.Top + 10 + float64(12*(len(c.Markers)%3)), Label: label})
		}
	}
	if m := d.Measures; m != nil {
		mark(m.Alert, "alert")
		mark(m.Recovered, "recovered")
	}
	for _, ms := range d.Milestones {
		mark(ms.Time, ms.Type)
	}
	return c
}

// reportHTML is the HTML report. html/template escapes every value for its
// context, so customer posts and milestone texts cannot add markup; the
// Content-Security-Policy forbids loading anything.
var reportHTML = template.Must(template.New("report").Funcs(template.FuncMap{
	"add":     func(a, b float64) float64 { return a + b },
	"sub":     func(a, b float64) float64 { return a - b },
	"fmtTime": fmtTime,
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Incident report: {{.D.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:960px;padding:0 1rem;color:#1f2328;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #eaeef2}
th{background:#f6f8fa}.muted{color:#59636e}.sig{font-weight:600;color:#0a7d32}.post{white-space:pre-wrap}
svg{width:100%;height:auto;background:#fff;border:1px solid #d0d7de}
</style>
</head>
<body>
<h1>{{.D.Title}}</h1>
<p class="muted">Incident {{.D.ID}} · {{.D.PriorityLabel}} · {{.D.State}} · {{.Period}}</p>
<p>Affected features: {{range $i, $f := .D.Features}}{{if $i}}, {{end}}{{$f}}{{end}}{{if .D.Words}} · shared words: {{range $i, $w := .D.Words}}{{if $i}}, {{end}}{{$w}}{{end}}{{end}}</p>
{{with .Chart}}
<h2>Negative posts</h2>
<svg id="chart" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="Negative posts over time with the baseline band and milestones">
<rect x="{{.Left}}" y="{{.BandY}}" width="{{printf "%.1f" (sub .Right .Left)}}" height="{{printf "%.1f" .BandH}}" fill="#2da44e" fill-opacity="0.15"/>
<line x1="{{.Left}}" x2="{{.Right}}" y1="{{printf "%.1f" .MeanY}}" y2="{{printf "%.1f" .MeanY}}" stroke="#2da44e" stroke-dasharray="4 3"/>
<line x1="{{.Left}}" x2="{{.Right}}" y1="{{.Y0}}" y2="{{.Y0}}" stroke="#8c959f"/>
<line x1="{{.Left}}" x2="{{.Left}}" y1="{{.Top}}" y2="{{.Y0}}" stroke="#8c959f"/>
<text x="{{sub .Left 6}}" y="{{add .Top 4}}" text-anchor="end" font-size="11">{{.YMax}}</text>
<text x="{{sub .Left 6}}" y="{{.Y0}}" text-anchor="end" font-size="11">0</text>
<text x="{{.Left}}" y="{{add .Y0 20}}" font-size="11">{{.From}}</text>
<text x="{{.Right}}" y="{{add .Y0 20}}" text-anchor="end" font-size="11">{{.To}}</text>
{{range .Markers}}<line class="marker" x1="{{printf "%.1f" .X}}" x2="{{printf "%.1f" .X}}" y1="{{$.Chart.Top}}" y2="{{$.Chart.Y0}}" stroke="#cf222e" stroke-dasharray="3 3"/>
<text x="{{printf "%.1f" (add .X 3)}}" y="{{.LabelY}}" font-size="10" fill="#cf222e">{{.Label}}</text>
{{end}}<polyline points="{{.Line}}" fill="none" stroke="#0969da" stroke-width="2"/>
</svg>
<p class="muted">Blue: negative posts about the affected features. Green: the baseline mean (dashed) and band. Red: the alert, milestones and recovery.</p>
{{end}}
<h2>Measures</h2>
{{if .Measures}}<table><tr><th>Measure</th><th>Value</th><th>Definition</th></tr>
{{range .Measures}}<tr><td>{{.Name}}</td><td>{{.Value}}</td><td class="muted">{{.Formula}}</td></tr>
{{end}}</table>{{else}}<p>The matrix could not be read: no measures.</p>{{end}}
<h2>Milestones and their effect</h2>
{{if .Effects}}<table><tr><th>Time</th><th>Milestone</th><th>Negative posts (30 min before → after)</th><th>Negative share</th><th>Mean sentiment</th><th>Test</th></tr>
{{range .Effects}}<tr><td>{{.Time}}</td><td><b>{{.Type}}</b> by {{.Author}}{{if .Text}}<br><span class="post">{{.Text}}</span>{{end}}</td><td>{{.Volume}}</td><td>{{.Share}}</td><td>{{.Sentiment}}</td><td{{if or .VolumeSignificant .ShareSig}} class="sig"{{end}}>{{.Significance}}{{if .Completeness}}<br><span class="muted">{{.Completeness}}</span>{{end}}</td></tr>
{{end}}</table>{{else}}<p>No milestones recorded.</p>{{end}}
<h2>After-care</h2>
{{if .AfterCare}}<p>{{.AfterCare}}</p>
<table id="aftercare"><tr><th>Day</th><th>Negative share</th><th>Band</th><th>Leaving or distrust</th><th>Status</th></tr>
{{range .AfterCareDays}}<tr><td>{{.Day}}</td><td>{{.Share}}</td><td>{{.Band}}</td><td>{{.LeaveIntent}}</td><td{{if .Above}} class="sig"{{end}}>{{.Status}}</td></tr>
{{end}}</table>{{else}}<p>The after-care watch starts when the incident ends.</p>{{end}}
<h2>Spikes</h2>
<table><tr><th>Feature</th><th>Priority</th><th>Started</th><th>Alerted</th><th>Ended</th><th>Summary</th></tr>
{{range .D.Spikes}}<tr><td>{{.Feature}}</td><td>{{.PriorityLabel}}</td><td>{{fmtTime .StartsAt}}</td><td>{{fmtTime .AlertedAt}}</td><td>{{fmtTime .EndsAt}}</td><td>{{.Summary}}</td></tr>
{{end}}</table>
<h2>Representative posts</h2>
{{if .D.Samples}}<table><tr><th>Time</th><th>Feature</th><th>Author</th><th>Post</th></tr>
{{range .D.Samples}}<tr><td>{{fmtTime .Time}}</td><td>{{.Feature}}{{if .Inferred}} (inferred){{end}}</td><td>{{.Author}}</td><td class="post">{{.Text}}</td></tr>
{{end}}</table>{{else}}<p>No posts were quoted.</p>{{end}}
{{range .D.Warnings}}<p class="muted">Warning: {{.}}</p>{{end}}
<p class="muted">Made by socialpulse at {{.Made}}. Before/after windows are 30 minutes of whole buckets; volume is compared with a conditional Poisson rate test and share with a two-proportion z-test, significant at p &lt; 0.05.</p>
</body>
</html>
`))

// HTML writes the self-contained HTML report of d: it loads nothing (its
// Content-Security-Policy forbids it), and every text from the incident is
// escaped for its context.
func HTML(w io.Writer, d incidents.Detail) error {
	return reportHTML.Execute(w, buildReport(d))
}

// mdEscape makes s inert in Markdown: one line, every punctuation
// character that Markdown or inline HTML could act on backslash-escaped.
func mdEscape(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()<>#+-.!|~&\"'", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Markdown writes the Markdown report of d, with the same measures as the
// HTML one and every text from the incident made inert.
func Markdown(w io.Writer, d incidents.Detail) error {
	r := buildReport(d)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", mdEscape(d.Title))
	fmt.Fprintf(&b, "Incident %s · %s · %s · %s\n\n", mdEscape(d.ID), d.PriorityLabel, d.State, r.Period)
	var feats []string
	for _, f := range d.Features {
		feats = append(feats, mdEscape(f))
	}
	fmt.Fprintf(&b, "Affected features: %s\n\n", strings.Join(feats, ", "))
	b.WriteString("## Measures\n\n")
	if len(r.Measures) == 0 {
		b.WriteString("The matrix could not be read: no measures.\n\n")
	} else {
		b.WriteString("| Measure | Value | Definition |\n|---|---|---|\n")
		for _, m := range r.Measures {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", m.Name, m.Value, m.Formula)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Milestones and their effect\n\n")
	if len(r.Effects) == 0 {
		b.WriteString("No milestones recorded.\n\n")
	} else {
		b.WriteString("| Time | Milestone | Negative posts (30 min before → after) | Negative share | Mean sentiment | Test |\n|---|---|---|---|---|---|\n")
		for _, e := range r.Effects {
			what := "**" + mdEscape(e.Type) + "** by " + mdEscape(e.Author)
			if e.Text != "" {
				what += ": " + mdEscape(e.Text)
			}
			test := e.Significance
			if e.Completeness != "" {
				test += "; " + e.Completeness
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", e.Time, what, e.Volume, e.Share, e.Sentiment, test)
		}
		b.WriteString("\n")
	}
	b.WriteString("## After-care\n\n")
	if r.AfterCare == "" {
		b.WriteString("The after-care watch starts when the incident ends.\n\n")
	} else {
		b.WriteString(r.AfterCare + "\n\n| Day | Negative share | Band | Leaving or distrust | Status |\n|---|---|---|---|---|\n")
		for _, day := range r.AfterCareDays {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", day.Day, day.Share, day.Band, day.LeaveIntent, day.Status)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Spikes\n\n| Feature | Priority | Started | Alerted | Ended | Summary |\n|---|---|---|---|---|---|\n")
	for _, s := range d.Spikes {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdEscape(s.Feature), s.PriorityLabel, fmtTime(s.StartsAt),
			fmtTime(s.AlertedAt), fmtTime(s.EndsAt), mdEscape(s.Summary))
	}
	b.WriteString("\n## Representative posts\n\n")
	if len(d.Samples) == 0 {
		b.WriteString("No posts were quoted.\n")
	}
	for _, s := range d.Samples {
		who := s.Author
		if who == "" {
			who = "?"
		}
		feat := mdEscape(s.Feature)
		if s.Inferred {
			feat += " (inferred)"
		}
		fmt.Fprintf(&b, "- %s, %s, %s: %s\n", fmtTime(s.Time), feat, mdEscape(who), mdEscape(s.Text))
	}
	for _, warn := range d.Warnings {
		fmt.Fprintf(&b, "\nWarning: %s\n", warn)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
