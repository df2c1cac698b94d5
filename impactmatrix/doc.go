// Package impactmatrix keeps socialpulse's functional-impact matrix: for each
// product feature and sentiment class, how many posts arrived per event-time
// bucket, their summed sentiment score and their summed reach weight; and,
// per feature and bucket, a HyperLogLog of the authors of its negative
// mentions (authors.go).
//
// Delta aggregates a batch of scored posts in memory. Store writes a Delta to
// Redis in one atomic step together with the Kafka offset it covers, so a
// redelivered batch is never counted twice, and reads rolling windows back by
// summing buckets. Keys carry a hash tag per source partition, so every write
// touches a single Redis Cluster slot while the matrix as a whole spreads over
// the cluster.
//
// Non-goals: reading Kafka, scoring text or tagging features; callers pass
// classified posts in; detecting spikes in the counts (package detect).
package impactmatrix
