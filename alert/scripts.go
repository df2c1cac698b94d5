package alert

import "github.com/redis/go-redis/v9"

// The Lua scripts below are each one atomic step. They build the alert hash
// key from the key base (ARGV) because the alert id is only known inside the
// script (claim) or to keep the KEYS list short; every such key carries the
// same hash tag as the declared keys, so the script stays in one slot on
// Redis Cluster.
//
// Alert hash fields:
//
//	latest, seq, feature   latest version (JSON), its sequence, its feature
//	v:<seq>                version JSON
//	st:<r>:<seq>           delivery state: pending, delivered, failed, superseded
//	att:<r>:<seq>          delivery attempts
//	err:<r>:<seq>          last delivery error
//	at:<r>:<seq>           last delivery state change (unix ms)
//	sent:<r>               highest sequence delivered to receiver r
//	rs:<r>                 receiver state (StatefulReceiver)
//	n:<unix ns>:<rand>     note JSON

// publishScript stores one alert version and queues its deliveries.
//
// KEYS: 1 alert hash, 2 time index, 3 feature index, 4 open hash, 5.. queues.
// ARGV: 1 seq, 2 version JSON, 3 startsAt ms, 4 now ms, 5 retention ms, 6 id,
// 7 state, 8 "priority|owner", 9 key base, 10 feature, 11.. receiver names
// (one per queue). Returns 1 if stored, 0 if this version already existed.
var publishScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'v:' .. ARGV[1]) == 1 then
  return 0
end
local seq = tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'v:' .. ARGV[1], ARGV[2])
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if seq > cur then
  redis.call('HSET', KEYS[1], 'latest', ARGV[2], 'seq', ARGV[1], 'feature', ARGV[10])
  if ARGV[7] == 'firing' then
    redis.call('HSET', KEYS[4], ARGV[6], ARGV[8])
  else
    redis.call('HDEL', KEYS[4], ARGV[6])
  end
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[6])
local member = ARGV[6] .. '|' .. ARGV[1]
for i = 5, #KEYS do
  local r = ARGV[i + 6]
  redis.call('ZADD', KEYS[i], ARGV[4], member)
  redis.call('HSET', KEYS[1], 'st:' .. r .. ':' .. ARGV[1], 'pending', 'at:' .. r .. ':' .. ARGV[1], ARGV[4])
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
for _, k in ipairs({KEYS[2], KEYS[3]}) do
  for _, id in ipairs(redis.call('ZRANGE', k, 0, 19)) do
    if redis.call('EXISTS', ARGV[9] .. ':a:' .. id) == 0 then
      redis.call('ZREM', k, id)
    end
  end
end
return 1
`)

// claimScript leases the first due delivery of one receiver whose alert has
// no other version in flight to that receiver. Deliveries of expired alerts
// are dropped, and versions older than one already delivered are marked
// superseded, so a receiver never sees an alert go back in time.
//
// KEYS: 1 queue, 2 in-flight hash. ARGV: 1 now ms, 2 lease ms, 3 token,
// 4 key base, 5 receiver, 6 batch. Returns {member, version JSON, attempt,
// receiver state, next due ms}; member is "" when nothing is due, and next
// due is -1 when the queue is empty.
var claimScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[6]))
for _, m in ipairs(due) do
  local p = string.find(m, '|', 1, true)
  local id = string.sub(m, 1, p - 1)
  local seq = string.sub(m, p + 1)
  local ak = ARGV[4] .. ':a:' .. id
  local v = redis.call('HGET', ak, 'v:' .. seq)
  if not v then
    redis.call('ZREM', KEYS[1], m)
  else
    local sent = tonumber(redis.call('HGET', ak, 'sent:' .. ARGV[5]) or '0')
    if tonumber(seq) < sent then
      redis.call('ZREM', KEYS[1], m)
      redis.call('HSET', ak, 'st:' .. ARGV[5] .. ':' .. seq, 'superseded', 'at:' .. ARGV[5] .. ':' .. seq, ARGV[1])
    else
      local busy = false
      local fl = redis.call('HGET', KEYS[2], id)
      if fl then
        local fend = string.match(fl, '|([^|]*)$')
        if tonumber(fend) > now then
          busy = true
        end
      end
      if not busy then
        local lend = now + tonumber(ARGV[2])
        redis.call('ZADD', KEYS[1], lend, m)
        redis.call('HSET', KEYS[2], id, seq .. '|' .. ARGV[3] .. '|' .. lend)
        local att = redis.call('HINCRBY', ak, 'att:' .. ARGV[5] .. ':' .. seq, 1)
        local rs = redis.call('HGET', ak, 'rs:' .. ARGV[5]) or ''
        return {m, v, att, rs, lend}
      end
    end
  end
end
local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #nxt == 0 then
  return {'', '', 0, '', -1}
end
return {'', '', 0, '', nxt[2]}
`)

// ackScript records a successful delivery. The queue entry and claim are
// removed only if the token still owns the claim (the lease was not taken
// over); the delivery is recorded either way, since it happened.
//
// KEYS: 1 queue, 2 in-flight hash. ARGV: 1 member, 2 id, 3 seq, 4 token,
// 5 now ms, 6 key base, 7 receiver, 8 receiver state, 9 "1" to store it.
// Returns 1 if the claim was still owned.
var ackScript = redis.NewScript(`
local fl = redis.call('HGET', KEYS[2], ARGV[2])
local mine = ARGV[3] .. '|' .. ARGV[4] .. '|'
local own = fl and string.sub(fl, 1, #mine) == mine
if own then
  redis.call('HDEL', KEYS[2], ARGV[2])
  redis.call('ZREM', KEYS[1], ARGV[1])
end
local ak = ARGV[6] .. ':a:' .. ARGV[2]
if redis.call('EXISTS', ak) == 1 then
  local sent = tonumber(redis.call('HGET', ak, 'sent:' .. ARGV[7]) or '0')
  if tonumber(ARGV[3]) > sent then
    redis.call('HSET', ak, 'sent:' .. ARGV[7], ARGV[3])
  end
  redis.call('HSET', ak, 'st:' .. ARGV[7] .. ':' .. ARGV[3], 'delivered', 'at:' .. ARGV[7] .. ':' .. ARGV[3], ARGV[5])
  if ARGV[9] == '1' then
    redis.call('HSET', ak, 'rs:' .. ARGV[7], ARGV[8])
  end
end
if own then
  return 1
end
return 0
`)

// failScript records a failed attempt and schedules the retry, or gives up.
//
// KEYS: 1 queue, 2 in-flight hash. ARGV: 1 member, 2 id, 3 seq, 4 token,
// 5 now ms, 6 key base, 7 receiver, 8 error text, 9 retry at ms, 10 "1" to
// give up. Returns 1 if the claim was still owned (otherwise nothing changes).
var failScript = redis.NewScript(`
local fl = redis.call('HGET', KEYS[2], ARGV[2])
local mine = ARGV[3] .. '|' .. ARGV[4] .. '|'
if not fl or string.sub(fl, 1, #mine) ~= mine then
  return 0
end
redis.call('HDEL', KEYS[2], ARGV[2])
local ak = ARGV[6] .. ':a:' .. ARGV[2]
local st = 'pending'
if ARGV[10] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  st = 'failed'
else
  redis.call('ZADD', KEYS[1], ARGV[9], ARGV[1])
end
if redis.call('EXISTS', ak) == 1 then
  local f = ARGV[7] .. ':' .. ARGV[3]
  redis.call('HSET', ak, 'st:' .. f, st, 'err:' .. f, ARGV[8], 'at:' .. f, ARGV[5])
end
return 1
`)

// resendScript re-queues the latest version of every firing alert for one
// receiver, at most once per interval across all processes.
//
// KEYS: 1 open hash, 2 queue, 3 lock. ARGV: 1 now ms, 2 interval ms, 3 key
// base. Returns the number of alerts queued, or -1 if another process
// re-sent within the interval.
var resendScript = redis.NewScript(`
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return -1
end
local n = 0
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  local seq = redis.call('HGET', ARGV[3] .. ':a:' .. id, 'seq')
  if seq then
    n = n + redis.call('ZADD', KEYS[2], 'NX', ARGV[1], id .. '|' .. seq)
  end
end
return n
`)

// noteScript adds a note to an existing alert. KEYS: 1 alert hash. ARGV:
// 1 field, 2 note JSON. Returns 0 if the alert does not exist.
var noteScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`)
