package feature

import "strings"

// termSource says where a term comes from; a written term is the strongest
// evidence of its feature, a related word the weakest (TagOptions.Strongest).
type termSource uint8

const (
	srcRelated  termSource = iota + 1 // a related word or WordNet expansion
	srcNameWord                       // one word of a feature's id or name
	srcWritten                        // a written term or pattern, or the whole id or name
)

// nameTermsWith returns the terms a feature gets from its ID and Name: the ID
// and Name as phrases, each content word of them, and a few related words
// for common complaint themes ("delivery" → "package", "parcel", "courier").
// This makes a taxonomy written from feature names alone useful. NewTagger
// drops a name term that two features share, or that another feature lists
// as a term, so "late flight" and "cancelled flight" do not both claim
// "flight".
//
// rel holds the related words (relatedWords; nil: none); the second
// result says where each term comes from.
func nameTermsWith(f Feature, rel map[string][]string) ([]string, []termSource) {
	if f.NoNameTerms {
		return nil, nil
	}
	var out []string
	var srcs []termSource
	seen := map[string]bool{}
	src := srcWritten
	add := func(s string) {
		norm, n, _ := normalizePhrase(s, false)
		if n == 0 || seen[string(norm)] {
			return
		}
		seen[string(norm)] = true
		out = append(out, strings.TrimSpace(s))
		srcs = append(srcs, src)
	}
	id := strings.ReplaceAll(f.ID, "_", " ")
	add(id)
	add(f.Name)
	for _, name := range []string{id, f.Name} {
		words := lowerWords(name)
		for i, w := range words {
			w = strings.Trim(w, "'-")
			src = srcRelated
			if i > 0 { // a two-word theme such as "customer service"
				for _, r := range rel[relatedKey(words[i-1]+" "+w)] {
					add(r)
				}
			}
			if len(w) < 3 || nameStopword(w) {
				continue
			}
			src = srcNameWord
			add(w)
			src = srcRelated
			for _, r := range rel[relatedKey(w)] {
				add(r)
			}
		}
	}
	return out, srcs
}

// descriptionWords returns the content words of a feature's description:
// lowercase words of at least three letters that are neither function
// words nor words any complaint or review uses.
func descriptionWords(d string) []string {
	var out []string
	for _, w := range lowerWords(d) {
		w = strings.ReplaceAll(strings.Trim(w, "'-"), "'", "")
		if len(w) < 3 || nameStopword(w) || suggestStopword(w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// lowerWords splits a name or description into lowercase words: letters,
// digits, apostrophes, hyphens and non-ASCII runes.
func lowerWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '\'' || r == '-' || r > 127)
	})
}

// relatedKey normalises a word or phrase for relatedWords.
func relatedKey(s string) string {
	norm, _, _ := normalizePhrase(s, false)
	return string(norm)
}

// nameStopword reports words of a feature name that say nothing about what
// a post is about ("Billing issue", "Other problems").
func nameStopword(w string) bool {
	switch w {
	case "issue", "issues", "problem", "problems", "complaint", "complaints", "bad", "poor",
		"other", "general", "misc", "miscellaneous", "can't", "cant", "cannot", "tell", "and",
		"the", "for", "with", "not", "our", "your", "about", "related", "etc", "wrong",
		"experience", "trouble", "troubles", "concern", "concerns", "question", "questions",
		"request", "requests", "feedback", "negative", "positive", "unknown", "none",
		"product", "products", "item", "items", "thing", "things", "stuff", "error", "errors",
		"failure", "failures", "fail", "fails", "broken", "new", "all", "any", "management",
		"customer", "customers", "client", "clients", "user", "users":
		return true
	}
	return false
}

// relatedWords maps the stem of a name word to words customers use for the
// same theme. Every member of a group is related to every other member.
func relatedWords() map[string][]string {
	groups := [][]string{
		{"delivery", "deliver", "shipping", "shipment", "package", "parcel", "courier", "tracking number", "dispatch", "postage"},
		{"late", "delay", "delayed", "overdue", "still waiting", "hasn't arrived", "not arrived", "running late"},
		{"refund", "reimburse", "reimbursement", "money back", "chargeback"},
		{"return", "send back", "sent back", "return label"},
		{"cancel", "canceled", "cancellation"},
		{"login", "log in", "sign in", "password", "locked out", "2fa", "verification code"},
		{"account", "my account", "profile", "username"},
		{"payment", "pay", "credit card", "debit card", "card declined", "paypal", "transaction"},
		{"billing", "bill", "invoice", "charged", "overcharged", "charged twice", "fee", "fees"},
		{"price", "pricing", "expensive", "overpriced", "cost", "too much", "price increase"},
		{"support", "customer service", "customer support", "customer care", "agent", "representative", "on hold", "helpline", "call center", "live chat", "no response", "no reply"},
		{"staff", "employee", "rude", "attendant", "crew", "cashier", "manager", "worker"},
		{"quality", "defective", "faulty", "cheaply made", "poor quality", "stopped working", "falling apart"},
		{"damage", "damaged", "smashed", "cracked", "dented", "torn"},
		{"lost", "missing", "never arrived", "never received", "misplaced"},
		{"luggage", "baggage", "bags", "suitcase"},
		{"booking", "book", "reservation", "reserve", "rebook", "itinerary", "ticket"},
		{"longlines", "long line", "long lines", "queue", "wait in line", "waiting in line", "wait time"},
		{"wait", "waiting", "waited", "still waiting"},
		{"app", "mobile app", "application", "crash", "crashing", "keeps crashing"},
		{"website", "site", "web site", "webpage", "404"},
		{"outage", "is down", "went down", "not working", "unavailable", "not loading", "offline", "service down"},
		{"slow", "speed", "lag", "laggy", "takes forever", "loading"},
		{"internet", "connection", "wifi", "network", "signal", "broadband", "no service", "disconnect", "coverage"},
		{"order", "my order", "purchase", "ordered"},
		{"privacy", "security", "breach", "leak", "hacked", "scam", "fraud", "phishing", "personal data"},
		{"email", "notification", "spam", "newsletter", "sms", "text message"},
		{"subscription", "subscribe", "membership", "renewal", "auto renew", "free trial"},
		{"search", "search results", "search bar", "filter"},
		{"cart", "basket", "shopping cart", "add to cart"},
		{"checkout", "check out", "place order", "place my order"},
		{"battery", "charging", "battery life", "drain"},
		{"screen", "display", "monitor", "resolution"},
		{"warranty", "guarantee", "repair", "replacement"},
		{"technician", "appointment", "no show", "installation", "engineer"},
		{"size", "sizing", "too small", "too big", "fit"},
		{"food", "meal", "dish", "taste", "menu"},
		{"seat", "seats", "legroom", "seating"},
	}
	m := map[string][]string{}
	for _, g := range groups {
		for _, w := range g {
			k := relatedKey(w)
			for _, r := range g {
				if r != w {
					m[k] = append(m[k], r)
				}
			}
		}
	}
	return m
}
