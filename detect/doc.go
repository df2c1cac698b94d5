// Package detect finds spikes in count series: the pure, streaming detector
// that turns a series of per-bucket counts (negative mentions of one product
// feature per minute, in production) into fire, update and resolve events,
// and the priority (P1 to P4) of a firing spike.
//
// Scope: one Detector per count series, fed one bucket at a time by Observe,
// in O(1) time and without allocating per step; Priority for one spike. The
// package uses only the standard library, does no I/O, keeps no globals and
// never reads the clock: time comes only from the timestamps it is given, so
// the monitor and "socialpulse backtest" run exactly the same code.
//
// Non-goals: reading the counts (the monitor reads them from the matrix),
// choosing which series to watch, alert ids, delivery, deduplication across
// processors and persisting a detector's state; callers own those.
package detect
