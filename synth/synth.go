// Package synth generates synthetic social posts about an online shop:
// background chatter across features and sentiments, complaints about
// things no taxonomy feature covers, incidents in which complaints about
// one feature surge, and trends in which a new unmapped complaint rises.
// The demo, the end-to-end tests and the load generator use it.
//
// The stream is shaped to look like real data to the processor:
//
//   - every feature gets complaints, neutral questions and praise, in
//     proportions that differ by feature (login is mostly complaints,
//     the mobile app mostly praise), so no feature is all one class;
//   - texts are templates with slots (products, times, order numbers,
//     carriers, contact channels, counts), so sample posts rarely repeat;
//   - a steady share of posts complain about things the default taxonomy
//     does not cover (a wishlist, reviews, sizes), and a Trend makes a new
//     one rise (loyalty points, a gift certificate balance, dark mode), for
//     the emerging-terms miner to find;
//   - an incident spills over the way an outage does: during a checkout
//     incident some posts say the site is down or will not load, and some
//     are about payments.
//
// Output is deterministic for a seed and the event times asked for. Each
// post costs a few small allocations (its strings and author); templates
// are expanded into a buffer the generator reuses.
//
// Non-goals: realism beyond what exercising the pipeline and showing the
// demo needs; the accuracy of socialpulse is measured on real data, never
// on these posts.
package synth

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"
)

// Post is the JSON shape socialpulse reads from Kafka.
type Post struct {
	ID        string  `json:"id"`
	Text      string  `json:"text"`
	CreatedAt string  `json:"created_at,omitempty"`
	Platform  string  `json:"platform,omitempty"`
	Lang      string  `json:"lang,omitempty"`
	URL       string  `json:"url,omitempty"`
	Author    *Author `json:"author,omitempty"`
}

// Author is a post's author.
type Author struct {
	ID        string `json:"id"`
	Handle    string `json:"handle"`
	Followers int64  `json:"followers"`
}

// Incident makes complaints about one feature surge.
type Incident struct {
	// Feature is a key of Complaints (e.g. "checkout").
	Feature string
	// Start and End bound the incident in event time.
	Start, End time.Time
	// Share is the fraction of posts during the incident that are
	// incident complaints (0..1). Most are about Feature; an outage of
	// checkout, payment or login also brings complaints about the
	// features it takes down with it (see Spillover).
	Share float64
	// Decay is how long the surge takes to die away after End: the share
	// falls linearly from Share at End to zero at End+Decay, as posts
	// keep coming after a fix. Zero stops the surge at End.
	Decay time.Duration
}

// share is the incident's share of posts at t (zero outside it).
func (inc *Incident) share(t time.Time) float64 {
	switch {
	case t.Before(inc.Start):
		return 0
	case t.Before(inc.End):
		return inc.Share
	case inc.Decay > 0 && t.Before(inc.End.Add(inc.Decay)):
		return inc.Share * (1 - float64(t.Sub(inc.End))/float64(inc.Decay))
	}
	return 0
}

// Trend makes complaints about something no taxonomy feature covers rise:
// from none before Start, their share of posts grows linearly to Share at
// Start+Ramp and stays there.
type Trend struct {
	// Topic is a key of Unmapped.
	Topic string
	Start time.Time
	Ramp  time.Duration
	Share float64
}

func (tr *Trend) share(t time.Time) float64 {
	switch {
	case t.Before(tr.Start):
		return 0
	case tr.Ramp > 0 && t.Before(tr.Start.Add(tr.Ramp)):
		return tr.Share * float64(t.Sub(tr.Start)) / float64(tr.Ramp)
	}
	return tr.Share
}

// Trends returns the demo's rising unmapped complaints, starting at start:
// loyalty points after one minute, a gift certificate balance after four
// and dark mode after eight, each growing to 1% of posts over five
// minutes.
func Trends(start time.Time) []Trend {
	return []Trend{
		{Topic: "loyalty", Start: start.Add(time.Minute), Ramp: 5 * time.Minute, Share: 0.01},
		{Topic: "giftcert", Start: start.Add(4 * time.Minute), Ramp: 5 * time.Minute, Share: 0.01},
		{Topic: "darkmode", Start: start.Add(8 * time.Minute), Ramp: 5 * time.Minute, Share: 0.01},
	}
}

// Generator produces posts. It is not safe for concurrent use.
type Generator struct {
	rng       *rand.Rand
	seed      uint64
	seq       int
	buf       []byte
	Incidents []Incident
	Trends    []Trend
}

// New returns a generator with a fixed seed.
func New(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seed: seed, buf: make([]byte, 0, 256)}
}

// Shares of posts outside incidents and trends.
const (
	// featureShare of posts are about a feature of the default taxonomy.
	featureShare = 0.72
	// unmappedShare of posts complain about something no feature covers
	// (the steady topics of Unmapped).
	unmappedShare = 0.05
	// the rest is chatter about the shop that names no feature.
)

// Next returns the next post with event time t.
func (g *Generator) Next(t time.Time) Post {
	g.seq++
	g.buf = g.text(g.buf[:0], t)
	followers := int64(g.rng.ExpFloat64() * 800)
	uid := g.rng.IntN(50000)
	return Post{
		// Ids are unique across generators with different seeds, so
		// that posts of several generators are never taken for copies.
		ID:        "synth-" + strconv.FormatUint(g.seed, 10) + "-" + strconv.Itoa(g.seq),
		Text:      string(g.buf),
		CreatedAt: t.UTC().Format(time.RFC3339Nano),
		Platform:  platforms[g.rng.IntN(len(platforms))],
		Lang:      "en",
		URL:       "https://social.example/p/" + strconv.Itoa(g.seq),
		Author:    &Author{ID: "u" + strconv.Itoa(uid), Handle: "@user" + strconv.Itoa(uid), Followers: followers},
	}
}

var platforms = []string{"x", "bluesky", "mastodon", "reddit"}

// text appends the text of the next post at t to b.
func (g *Generator) text(b []byte, t time.Time) []byte {
	r := g.rng.Float64()
	for i := range g.Incidents {
		inc := &g.Incidents[i]
		s := inc.share(t)
		if r < s {
			return g.fill(b, g.incidentTemplates(inc.Feature))
		}
		r -= s
	}
	for i := range g.Trends {
		tr := &g.Trends[i]
		s := tr.share(t)
		if r < s {
			return g.fill(b, Unmapped[tr.Topic])
		}
		r -= s
	}
	// The rest is scaled to the posts left after incidents and trends by
	// drawing again.
	switch r := g.rng.Float64(); {
	case r < featureShare:
		f := g.feature()
		switch c := g.rng.Float64(); {
		case c < f.mix[0]:
			return g.fill(b, Complaints[f.id])
		case c < f.mix[0]+f.mix[1]:
			return g.fill(b, f.questions)
		default:
			return g.fill(b, f.praise)
		}
	case r < featureShare+unmappedShare:
		return g.fill(b, Unmapped[steadyTopics[g.rng.IntN(len(steadyTopics))]])
	case r < featureShare+unmappedShare+(1-featureShare-unmappedShare)/2:
		return g.fill(b, chatterPraise)
	default:
		return g.fill(b, chatterNeutral)
	}
}

// incidentTemplates picks the complaints an incident post about feature
// is drawn from: the feature's own, or those of a feature the outage
// spills over to.
func (g *Generator) incidentTemplates(feature string) []string {
	r := g.rng.Float64()
	for _, s := range Spillover[feature] {
		if r < s.Share {
			return Complaints[s.Feature]
		}
		r -= s.Share
	}
	return Complaints[feature]
}

// feature picks a feature by its weight.
func (g *Generator) feature() *featureMix {
	r := g.rng.Float64() * totalWeight
	for i := range features {
		if r < features[i].weight {
			return &features[i]
		}
		r -= features[i].weight
	}
	return &features[len(features)-1]
}

// JSON is Next encoded as JSON.
func (g *Generator) JSON(t time.Time) []byte {
	b, _ := json.Marshal(g.Next(t)) // a Post of strings and ints always encodes
	return b
}

// Statement returns a post by the shop's own account (Handle) at t with
// text, for a brand's response during an incident.
func (g *Generator) Statement(t time.Time, text string) Post {
	g.seq++
	return Post{
		ID:        "synth-" + strconv.FormatUint(g.seed, 10) + "-" + strconv.Itoa(g.seq),
		Text:      text,
		CreatedAt: t.UTC().Format(time.RFC3339Nano),
		Platform:  "x",
		Lang:      "en",
		URL:       "https://social.example/p/" + strconv.Itoa(g.seq),
		Author:    &Author{ID: "brand", Handle: Handle, Followers: 250000},
	}
}

// Handle is the shop's own account, which the posts mention.
const Handle = "@shop"

// Malformed returns the i-th of a rotating set of records that socialpulse
// must dead-letter, each broken in a different way.
func Malformed(i int) []byte {
	n := strconv.Itoa(i)
	cases := []string{
		`{"id":"bad-` + n + `","text":"truncated`,
		`{"text":"no id here ` + n + `"}`,
		`{"id":"bad-` + n + `"}`,
		`{"id":"bad-` + n + `","text":42}`,
		`{"id":"bad-` + n + `","text":"bad time","created_at":"last tuesday"}`,
		`{"id":"bad-` + n + `","text":"bad author","author":{"followers":"lots"}}`,
		`["not","an","object",` + n + `]`,
		`not json at all ` + n,
	}
	return []byte(cases[i%len(cases)])
}

// fill appends a random template of ts to b with its slots filled.
func (g *Generator) fill(b []byte, ts []string) []byte {
	tpl := ts[g.rng.IntN(len(ts))]
	for i := 0; i < len(tpl); i++ {
		if tpl[i] != '{' {
			b = append(b, tpl[i])
			continue
		}
		j := i + 1
		for j < len(tpl) && tpl[j] != '}' {
			j++
		}
		b = g.slot(b, tpl[i+1:j])
		i = j
	}
	return b
}

// slot appends a value for the named slot.
func (g *Generator) slot(b []byte, name string) []byte {
	switch name {
	case "n":
		return strconv.AppendInt(b, int64(2+g.rng.IntN(40)), 10)
	case "order":
		return strconv.AppendInt(append(b, '#'), int64(1_000_000+g.rng.IntN(9_000_000)), 10)
	}
	vs := slots[name]
	if len(vs) == 0 {
		return append(append(append(b, '{'), name...), '}')
	}
	return append(b, vs[g.rng.IntN(len(vs))]...)
}

// Example is tpl with each slot filled by its first value ({n} by 3 and
// {order} by #1234567): a fixed text for a template.
func Example(tpl string) string {
	var b []byte
	for i := 0; i < len(tpl); i++ {
		if tpl[i] != '{' {
			b = append(b, tpl[i])
			continue
		}
		j := i + 1
		for j < len(tpl) && tpl[j] != '}' {
			j++
		}
		switch name := tpl[i+1 : j]; name {
		case "n":
			b = append(b, '3')
		case "order":
			b = append(b, "#1234567"...)
		default:
			if vs := slots[name]; len(vs) > 0 {
				b = append(b, vs[0]...)
			} else {
				b = append(b, tpl[i:min(j+1, len(tpl))]...)
			}
		}
		i = j
	}
	return string(b)
}
