// Package stream is socialpulse's Kafka adapter: a consumer-group member that
// hands each assigned partition to a handler in offset order, and producers
// for the dead-letter, enriched-post and alert topics.
//
// Where a partition resumes is the handler's decision (socialpulse keeps the
// authoritative offset in Redis beside the counts it covers); Kafka commits
// are made after a batch is durable and serve lag monitoring and a fallback
// start point. Non-goals: decoding, scoring or storing posts; the handler
// does that.
package stream
