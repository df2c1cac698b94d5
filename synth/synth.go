// Package synth generates synthetic social posts about an online shop:
// background chatter across features and sentiments, plus incidents in which
// complaints about one feature surge. The demo, the end-to-end tests and the
// load generator use it.
//
// Output is deterministic for a seed. Non-goals: realism beyond what
// exercising the pipeline needs; the accuracy of socialpulse is measured on
// real data, never on these posts.
package synth

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
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
	// complaints about Feature (0..1).
	Share float64
}

// Generator produces posts. It is not safe for concurrent use.
type Generator struct {
	rng       *rand.Rand
	seed      uint64
	seq       int
	Incidents []Incident
}

// New returns a generator with a fixed seed.
func New(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seed: seed}
}

// Complaints are per-feature complaint templates ({n} becomes a number).
var Complaints = map[string][]string{
	"checkout": {
		"checkout keeps failing with an error, third time today #CheckoutFail",
		"@shop your checkout is broken, I can't place my order",
		"stuck on the checkout page for {n} minutes, nothing happens",
		"tried to check out {n} times and it just spins. so frustrating",
	},
	"payment": {
		"my card was declined again even though it works everywhere else",
		"charged twice for the same order and still waiting for a reply",
		"payment failed but the money left my account?? @shop",
		"paypal payment keeps erroring out at the last step",
	},
	"login": {
		"can't log in to my account since this morning",
		"password reset email never arrives, locked out for {n} hours",
		"login page just reloads, is the site down? @shop",
		"2fa code never comes so I can't sign in",
	},
	"search": {
		"search results are useless today, nothing relevant shows up",
		"the search bar returns an error for every query",
	},
	"shipping": {
		"my package never arrived and tracking hasn't moved in {n} days",
		"delivery was late again, tracking number says lost",
	},
}

var praise = []string{
	"love the new app update, checkout was super quick",
	"great service today, my order arrived early!",
	"the search is so much better now, found it in seconds",
	"thanks @shop, refund processed fast. impressed",
	"best prices this week, just ordered {n} things",
}

var neutral = []string{
	"does anyone know when the winter sale starts?",
	"what time does customer support open on weekends?",
	"just ordered a new jacket from @shop",
	"is there a student discount code?",
	"looking at the new phones on the site",
	"how do I change my delivery address after ordering?",
}

var background = []string{"checkout", "payment", "login", "search", "shipping"}

// Next returns the next post with event time t.
func (g *Generator) Next(t time.Time) Post {
	g.seq++
	var text string
	if inc := g.activeIncident(t); inc != nil && g.rng.Float64() < inc.Share {
		text = g.pick(Complaints[inc.Feature])
	} else {
		switch r := g.rng.Float64(); {
		case r < 0.25:
			text = g.pick(Complaints[background[g.rng.IntN(len(background))]])
		case r < 0.55:
			text = g.pick(praise)
		default:
			text = g.pick(neutral)
		}
	}
	followers := int64(g.rng.ExpFloat64() * 800)
	uid := g.rng.IntN(50000)
	return Post{
		// Ids are unique across generators with different seeds, so
		// that posts of several generators are never taken for copies.
		ID:        "synth-" + strconv.FormatUint(g.seed, 10) + "-" + strconv.Itoa(g.seq),
		Text:      text,
		CreatedAt: t.UTC().Format(time.RFC3339Nano),
		Platform:  []string{"x", "bluesky", "mastodon", "reddit"}[g.rng.IntN(4)],
		Lang:      "en",
		URL:       "https://social.example/p/" + strconv.Itoa(g.seq),
		Author:    &Author{ID: "u" + strconv.Itoa(uid), Handle: "@user" + strconv.Itoa(uid), Followers: followers},
	}
}

// JSON is Next encoded as JSON.
func (g *Generator) JSON(t time.Time) []byte {
	b, _ := json.Marshal(g.Next(t)) // a Post of strings and ints always encodes
	return b
}

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

func (g *Generator) activeIncident(t time.Time) *Incident {
	for i := range g.Incidents {
		if inc := &g.Incidents[i]; !t.Before(inc.Start) && t.Before(inc.End) {
			return inc
		}
	}
	return nil
}

func (g *Generator) pick(ts []string) string {
	s := ts[g.rng.IntN(len(ts))]
	if strings.Contains(s, "{n}") {
		s = strings.ReplaceAll(s, "{n}", strconv.Itoa(2+g.rng.IntN(40)))
	}
	return s
}
