// Package incident turns spikes into incidents and measures the response
// and the recovery.
//
// An outage is rarely one feature's problem: a checkout failure raises
// spikes on checkout and on availability at once. Group joins spikes whose
// episodes overlap in time (allowing a join gap, DefaultJoinGap) into one
// Incident, so that IT sees one incident and PR one timeline. Measure then
// reads a per-bucket series of the affected features' counts against a
// pre-incident Baseline and reports time to detect, time to first response,
// time to recover, the excess negative posts (and their reach) and, for
// each Milestone, the change from the window before it to the window after
// it with a significance test. Assign gives a newly raised spike the
// incident id it carries in its alert, so receivers can page once per
// incident.
//
// Scope: pure functions over values the caller reads elsewhere (the spike
// history, the matrix, the milestones). The package does no I/O, keeps no
// state and uses only the standard library; the same inputs always give
// the same incidents and measures.
//
// Non-goals: storing milestones or reading the matrix (packages alert and
// impactmatrix; api/incidents wires them), paging (receivers), detecting
// spikes (impactmatrix.Detector) and grouping by shared posts (spikes are
// joined by time alone; shared evidence words are reported, not required).
// AfterCare computes the after-care watch over the weeks after resolution
// from daily counts the caller reads, and ExpressesLeaveIntent holds the one
// list of phrases that mark a post as saying it is leaving.
package incident
