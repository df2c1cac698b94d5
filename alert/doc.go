// Package alert stores spike alerts in Redis and delivers them to receivers.
//
// Scope: an Outbox keeps every alert version as history (lifecycle, evidence,
// delivery status and notes) and queues one delivery per receiver in the same
// atomic Redis step as the version itself, so an alert that was stored is
// delivered at least once even if the process that raised it dies. Any number
// of processes may Publish and Run on the same Redis: Publish is idempotent on
// (Alert.ID, Alert.Sequence), so a spike raised by several processors is
// stored and delivered once; each delivery is claimed under a lease, so a
// crashed worker's delivery is retried by another one. Receivers are a signed
// JSON webhook, a Slack incoming webhook, Prometheus Alertmanager
// (/api/v2/alerts), a Kafka topic and Grafana annotations.
//
// Non-goals: this package does not detect spikes, compute priorities or decide
// when an alert resolves (impactmatrix does, and publishes each change as a new
// Sequence); it does not route, group, silence or page (Alertmanager does); it
// does not guarantee exactly-once delivery to a receiver, which must dedupe on
// Alert.Fingerprint or on (Alert.ID, Alert.Sequence) after a retry.
//
// # Redis layout
//
// All keys share the hash tag {<prefix>:alerts}, so every atomic step (a Lua
// script) touches one slot and works on Redis Cluster. Alert volume is small
// (a few per hour), so one slot is not a hot spot; the trade-off is that the
// history cannot be spread over cluster nodes. Keys, for prefix "socialpulse":
//
//	{socialpulse:alerts}:a:<id>          hash: versions, latest, delivery status, notes, receiver state
//	{socialpulse:alerts}:idx:time        zset: alert ids by StartsAt (ms)
//	{socialpulse:alerts}:idx:f:<feature> zset: the same, per feature
//	{socialpulse:alerts}:open            hash: firing alert id -> "priority|owner"
//	{socialpulse:alerts}:q:<receiver>    zset: "<id>|<seq>" by due time (ms)
//	{socialpulse:alerts}:fl:<receiver>   hash: alert id -> "<seq>|<token>|<lease end ms>" while claimed
//	{socialpulse:alerts}:rs:<receiver>   string: lock that spaces out periodic re-sends
//
// # Retention and clocks
//
// Records expire Retention after their last version; indexes drop expired ids
// as they are found. Lease and backoff times come from the local clock
// (OutboxOptions.Now), so processes sharing a Redis need roughly synchronised
// clocks (seconds of skew only shorten or lengthen a lease).
package alert
