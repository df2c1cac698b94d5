package synth

// Kind is what a template is meant to be.
type Kind struct {
	Feature string // "" for none
	Label   string // negative, neutral or positive
}

// Templates lists every template with what it is meant to be.
func Templates() map[string]Kind {
	out := map[string]Kind{}
	for f, ts := range Complaints {
		for _, t := range ts {
			out[t] = Kind{f, "negative"}
		}
	}
	for _, f := range features {
		for _, t := range f.questions {
			out[t] = Kind{f.id, "neutral"}
		}
		for _, t := range f.praise {
			out[t] = Kind{f.id, "positive"}
		}
	}
	for _, ts := range Unmapped {
		for _, t := range ts {
			out[t] = Kind{"", "negative"}
		}
	}
	for _, t := range chatterPraise {
		out[t] = Kind{"", "positive"}
	}
	for _, t := range chatterNeutral {
		out[t] = Kind{"", "neutral"}
	}
	return out
}

// Slots returns the values of a slot.
func Slots(name string) []string { return slots[name] }
