package incident

import (
	"math"
	"time"
)

// The after-care watch.
//
// Customers remember an outage after it is fixed. For AfterCareOptions.Period
// after an incident ends (default 30 days) the watch reports, per day, the
// negative share of the affected features against their pre-incident
// baseline, and how many posts about them express an intent to leave or a
// loss of trust (LeaveIntentPhrases).

// Defaults of AfterCareOptions.
const (
	DefaultAfterCarePeriod = 30 * 24 * time.Hour
	// DefaultAfterCareBaseline is how much history before the incident's
	// start the after-care baseline share is pooled from.
	DefaultAfterCareBaseline = 7 * 24 * time.Hour
	// Day is the length of one after-care day: days are counted from the
	// incident's end, [End+i·Day, End+(i+1)·Day).
	Day = 24 * time.Hour
)

// AfterCareOptions configure AfterCare.
type AfterCareOptions struct {
	// Period is how long after the incident's end the watch runs. Default:
	// DefaultAfterCarePeriod.
	Period time.Duration
	// BandK is the width of the daily band in binomial standard errors.
	// Default: DefaultBandK (2).
	BandK float64
}

func (o AfterCareOptions) withDefaults() AfterCareOptions {
	if o.Period <= 0 {
		o.Period = DefaultAfterCarePeriod
	}
	if o.BandK <= 0 {
		o.BandK = DefaultBandK
	}
	return o
}

// DayCounts is one after-care day of the affected features' counts, read by
// the caller.
type DayCounts struct {
	// Start is the day's start (End + i·Day).
	Start time.Time
	// Negative and Scored are the day's negative and scored mentions.
	Negative, Scored float64
	// LeaveIntent is the day's posts about the features that express an
	// intent to leave or distrust.
	LeaveIntent int64
	// Available is false when the day's counts could not be read (the
	// matrix no longer keeps it); such a day is reported without a share.
	Available bool
}

// AfterCareDay is one day of the watch.
type AfterCareDay struct {
	Start       time.Time `json:"start"`
	Negative    float64   `json:"negative"`
	Scored      float64   `json:"scored"`
	Share       float64   `json:"share"`
	LeaveIntent int64     `json:"leaveIntent"`
	// Upper is the day's band: BaselineShare + k·√(p(1−p)/Scored).
	Upper float64 `json:"upper"`
	// Above is true when Share > Upper: the day's negative share is still
	// significantly above the pre-incident baseline.
	Above bool `json:"above"`
	// Complete is false for the day still going on.
	Complete  bool `json:"complete"`
	Available bool `json:"available"`
}

// AfterCareWatch is the after-care tail of an incident.
type AfterCareWatch struct {
	// From is the incident's end; To is From + Period.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// BaselineShare is the pooled negative share before the incident.
	BaselineShare float64        `json:"baselineShare"`
	Days          []AfterCareDay `json:"days"`
	// DaysAbove counts the days with Above set; LastAbove is the start of
	// the latest such day (zero if none).
	DaysAbove int       `json:"daysAbove"`
	LastAbove time.Time `json:"lastAbove,omitzero"`
	// LeaveIntent is the sum of the days' LeaveIntent.
	LeaveIntent int64 `json:"leaveIntent"`
	// Complete is true once the whole period has passed.
	Complete bool `json:"complete"`
}

// AfterCareDays returns the starts of the after-care days of an incident
// that ended at end, as of now: the days that have begun, at most
// Period/Day of them. None while the incident is open (end zero).
func AfterCareDays(end, now time.Time, o AfterCareOptions) []time.Time {
	o = o.withDefaults()
	if end.IsZero() {
		return nil
	}
	var out []time.Time
	n := int(o.Period / Day)
	for i := range n {
		d := end.Add(time.Duration(i) * Day)
		if d.After(now) {
			break
		}
		out = append(out, d)
	}
	return out
}

// AfterCare computes the watch of an incident that ended at end from its
// days (as AfterCareDays gives them, with the caller's counts), the
// baseline's pooled negative share p, as of now. A day's negative share is
// Negative/Scored; it is above the baseline when it exceeds
// p + k·√(p(1−p)/Scored), a one-sided binomial test at k standard errors.
func AfterCare(end, now time.Time, p float64, days []DayCounts, o AfterCareOptions) AfterCareWatch {
	o = o.withDefaults()
	w := AfterCareWatch{From: end, To: end.Add(o.Period), BaselineShare: p, Days: []AfterCareDay{}}
	if end.IsZero() {
		return w
	}
	w.Complete = !now.Before(w.To)
	for _, d := range days {
		ad := AfterCareDay{Start: d.Start, Negative: d.Negative, Scored: d.Scored, LeaveIntent: d.LeaveIntent,
			Complete: !now.Before(d.Start.Add(Day)), Available: d.Available}
		w.LeaveIntent += d.LeaveIntent
		if d.Available && d.Scored > 0 {
			ad.Share = d.Negative / d.Scored
			ad.Upper = p + o.BandK*math.Sqrt(p*(1-p)/d.Scored)
			ad.Above = ad.Share > ad.Upper
		}
		if ad.Above {
			w.DaysAbove++
			w.LastAbove = d.Start
		}
		w.Days = append(w.Days, ad)
	}
	return w
}
