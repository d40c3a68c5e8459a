/**
 * Lua scripts of RedisPresence. Each runs atomically in Redis, so "first /
 * last live session cluster-wide" is decided without races between nodes.
 *
 * Keys (P = keyPrefix, passed as ARGV[1] because most keys are derived
 * inside the scripts; this needs a standalone Redis, not Redis Cluster):
 *   P user:<userId>:sessions   hash sessionId -> nodeId
 *   P node:<nodeId>:sessions   hash sessionId -> userId (sweep, removeNode)
 *   P node:<nodeId>:alive      string with PX TTL, refreshed by heartbeat
 *   P nodes                    set of node ids that may hold sessions
 *   P lastseen                 hash userId -> ms of last connect/disconnect
 *   P user:<userId>:hidden     hash sessionId -> ms hidden since, 0 = visible
 *                              (presence:visibility; a session absent here
 *                              never reported and counts as visible)
 *
 * A session counts only while its node's alive key exists. Whenever a
 * script looks at a user's sessions it drops those of dead nodes, so that
 * "went offline" is reported once, by whichever call removes the user's
 * last session record (removeSession, sweep or removeNode).
 */
const PRELUDE = `
local P = ARGV[1]
local function userKey(u) return P .. 'user:' .. u .. ':sessions' end
local function nodeKey(n) return P .. 'node:' .. n .. ':sessions' end
local function aliveKey(n) return P .. 'node:' .. n .. ':alive' end
local function hiddenKey(u) return P .. 'user:' .. u .. ':hidden' end
local alive = {}
local function isAlive(n)
  local v = alive[n]
  if v == nil then
    v = redis.call('EXISTS', aliveKey(n)) == 1
    alive[n] = v
  end
  return v
end
-- Live sessions of user u; drops records that point at dead nodes.
local function liveCount(u)
  local flat = redis.call('HGETALL', userKey(u))
  local count = 0
  for i = 1, #flat, 2 do
    local sid, node = flat[i], flat[i + 1]
    if isAlive(node) then
      count = count + 1
    else
      redis.call('HDEL', userKey(u), sid)
      redis.call('HDEL', nodeKey(node), sid)
      redis.call('HDEL', hiddenKey(u), sid)
    end
  end
  return count
end
-- Records session s of user u on node n; true when u thereby came online.
local function add(u, s, n)
  local owner = redis.call('HGET', userKey(u), s)
  local before = liveCount(u)
  if owner and owner ~= n then redis.call('HDEL', nodeKey(owner), s) end
  redis.call('HSET', userKey(u), s, n)
  redis.call('HSET', nodeKey(n), s, u)
  redis.call('SADD', P .. 'nodes', n)
  return before == 0 and isAlive(n)
end
-- Removes every session of node n; returns users left with no live session.
local function dropNode(n, now)
  local flat = redis.call('HGETALL', nodeKey(n))
  local touched, order = {}, {}
  for i = 1, #flat, 2 do
    local sid, u = flat[i], flat[i + 1]
    if redis.call('HGET', userKey(u), sid) == n then
      redis.call('HDEL', userKey(u), sid)
      redis.call('HDEL', hiddenKey(u), sid)
      if not touched[u] then
        touched[u] = true
        order[#order + 1] = u
      end
    end
  end
  redis.call('DEL', nodeKey(n))
  redis.call('SREM', P .. 'nodes', n)
  local offline = {}
  for _, u in ipairs(order) do
    if liveCount(u) == 0 then
      redis.call('HSET', P .. 'lastseen', u, now)
      offline[#offline + 1] = u
    end
  end
  return offline
end
`;

/** ARGV: prefix, userId, sessionId, nodeId, now -> {firstSession} */
export const ADD_SESSION = `${PRELUDE}
local u, s, n, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local first = add(u, s, n)
redis.call('HSET', P .. 'lastseen', u, now)
return first and 1 or 0
`;

/** ARGV: prefix, userId, sessionId, nodeId, now -> {lastSession} */
export const REMOVE_SESSION = `${PRELUDE}
local u, s, n, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
-- Unknown (already swept) or recorded for another node: nothing changes.
if redis.call('HGET', userKey(u), s) ~= n then return 0 end
redis.call('HDEL', userKey(u), s)
redis.call('HDEL', nodeKey(n), s)
redis.call('HDEL', hiddenKey(u), s)
if liveCount(u) > 0 then return 0 end
redis.call('HSET', P .. 'lastseen', u, now)
return 1
`;

/** ARGV: prefix, nodeId, ttlMs -> 1 when the alive key existed before */
export const HEARTBEAT = `${PRELUDE}
local n, ttl = ARGV[2], ARGV[3]
local was = redis.call('EXISTS', aliveKey(n))
redis.call('SET', aliveKey(n), '1', 'PX', ttl)
redis.call('SADD', P .. 'nodes', n)
return was
`;

/** ARGV: prefix, nodeId, now, then userId, sessionId pairs -> users that came online */
export const RESTORE_SESSIONS = `${PRELUDE}
local n = ARGV[2]
local online, seen = {}, {}
for i = 4, #ARGV, 2 do
  local u = ARGV[i]
  if add(u, ARGV[i + 1], n) and not seen[u] then
    seen[u] = true
    online[#online + 1] = u
    redis.call('HSET', P .. 'lastseen', u, ARGV[3])
  end
end
return online
`;

/** ARGV: prefix, nodeId, now -> users that went offline */
export const REMOVE_NODE = `${PRELUDE}
redis.call('DEL', aliveKey(ARGV[2]))
alive[ARGV[2]] = false
return dropNode(ARGV[2], ARGV[3])
`;

/** ARGV: prefix, now -> users that went offline */
export const SWEEP = `${PRELUDE}
local offline = {}
for _, n in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
  if not isAlive(n) then
    for _, u in ipairs(dropNode(n, ARGV[2])) do offline[#offline + 1] = u end
  end
end
return offline
`;

/** ARGV: prefix, userIds... -> flat {online(0|1), lastSeen('' when never)} per user */
export const QUERY = `${PRELUDE}
local out = {}
for i = 2, #ARGV do
  local u = ARGV[i]
  local flat = redis.call('HGETALL', userKey(u))
  local online = 0
  for j = 2, #flat, 2 do
    if isAlive(flat[j]) then
      online = 1
      break
    end
  end
  out[#out + 1] = online
  out[#out + 1] = redis.call('HGET', P .. 'lastseen', u) or ''
end
return out
`;

/** ARGV: prefix, userId, sessionId, visible (1|0), at -> 0 */
export const SET_VISIBILITY = `${PRELUDE}
local u, s, visible, at = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
-- Only sessions presence knows: a report racing a disconnect must not outlive the session.
if not redis.call('HGET', userKey(u), s) then return 0 end
if visible == '1' then
  redis.call('HSET', hiddenKey(u), s, 0)
else
  -- Hidden again while hidden keeps the earlier time: away counts from the first hide.
  local since = redis.call('HGET', hiddenKey(u), s)
  if not since or since == '0' then redis.call('HSET', hiddenKey(u), s, at) end
end
return 0
`;

/**
 * ARGV: prefix, now, hiddenForMs, userIds... -> the users among them with no
 * live session shown for the last hiddenForMs. Read-only: records of dead
 * nodes are left to the calls that report users offline.
 */
export const AWAY_USERS = `${PRELUDE}
local now, hiddenFor = tonumber(ARGV[2]), tonumber(ARGV[3])
local away = {}
for i = 4, #ARGV do
  local u = ARGV[i]
  local flat = redis.call('HGETALL', userKey(u))
  local present = false
  for j = 1, #flat, 2 do
    if isAlive(flat[j + 1]) then
      local since = tonumber(redis.call('HGET', hiddenKey(u), flat[j]) or '0')
      if since == 0 or now - since < hiddenFor then
        present = true
        break
      end
    end
  end
  if not present then away[#away + 1] = u end
end
return away
`;
