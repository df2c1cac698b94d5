// Package stream is socialpulse's Kafka adapter: a consumer-group member that
// hands each assigned partition to a handler in offset order, producers for
// the dead-letter, enriched-post and alert topics, and a reader of a topic's
// recent history for the command line tools (ReadHistory: no group, no
// commits).
//
// Where a partition resumes is the handler's decision (socialpulse keeps the
// authoritative offset in Redis beside the counts it covers); Kafka commits
// are made after a batch is durable and serve lag monitoring and a fallback
// start point. Non-goals: decoding, scoring or storing posts; the handler
// does that.
package stream
