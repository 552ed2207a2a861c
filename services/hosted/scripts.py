"""The Lua scripts that change a game's live state in Redis, each one atomic.

Every script reads the server clock with ``TIME`` itself, so all handlers (and all Lambda
containers) agree on "now" and no client or container clock is ever trusted. Keys of one game
share a hash tag (``hg:{<game_id>}:...``), so a script touches one cluster slot.

Replies are lists whose first element is an outcome word; the store turns refusals into domain
errors by that word (never by message text).
"""

from __future__ import annotations

# Milliseconds since the epoch on the Redis clock.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: meta  ARGV: expected status, new status
TRANSITION = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'game_not_found'} end
-- one start, one end: of two racing transitions only the first finds the expected status
if status ~= ARGV[1] then return {'invalid_state', status} end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'open', '0')
return {'ok'}
"""

# KEYS: meta, accepted  ARGV: expected index, new index, question id, limit seconds, accepted...
ASK = _NOW + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'game_not_found'} end
if status ~= 'started' then return {'invalid_state', status} end
-- compare-and-set on the index: a double-clicked "next" asks one question, not two
if redis.call('HGET', KEYS[1], 'q_index') ~= ARGV[1] then return {'invalid_state', 'moved'} end
local deadline = tonumber(redis.call('HGET', KEYS[1], 'deadline_ms') or '0')
if redis.call('HGET', KEYS[1], 'open') == '1' and now <= deadline then
  return {'invalid_state', 'question_open'}
end
redis.call('DEL', KEYS[2])
for i = 5, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
local limit = tonumber(ARGV[4])
local new_deadline = now + limit * 1000
redis.call('HSET', KEYS[1], 'q_index', ARGV[2], 'qid', ARGV[3], 'open', '1',
  'asked_ms', tostring(now), 'deadline_ms', tostring(new_deadline), 'limit_s', ARGV[4])
return {'asked', tostring(now), tostring(new_deadline)}
"""

# KEYS: meta, answers of the open question
CLOSE = _NOW + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'game_not_found'} end
if status ~= 'started' or redis.call('HGET', KEYS[1], 'open') ~= '1' then
  return {'invalid_state', status}
end
local deadline = tonumber(redis.call('HGET', KEYS[1], 'deadline_ms'))
redis.call('HSET', KEYS[1], 'open', '0', 'deadline_ms', tostring(math.min(now, deadline)))
return {'closed', redis.call('HGET', KEYS[1], 'qid'), tostring(redis.call('HLEN', KEYS[2]))}
"""

# KEYS: meta, players, answers of question ARGV[2], accepted, seq
# ARGV: player id, question id, answer as given, answer normalised, seq ttl (s)
# The verdict and points are recorded with the answer; the standings take them at the reveal
# (APPLY), so nothing a player is sent before it says whether an answer was right.
ANSWER = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'game_not_found'} end
-- only the game's players answer (the host is not one)
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return {'not_in_game'} end
if status ~= 'started' or redis.call('HGET', KEYS[1], 'qid') ~= ARGV[2] then
  return {'question_not_open'}
end
-- one answer per player per question: a replay gets the first verdict, a change is refused
local first = redis.call('HGET', KEYS[3], ARGV[1])
if first then
  if cjson.decode(first)['normalized'] == ARGV[4] then return {'duplicate'} end
  return {'already_answered'}
end
if redis.call('HGET', KEYS[1], 'open') ~= '1' then return {'question_not_open'} end
""" + _NOW + """
-- the deadline is on this clock, whatever the client claims
if now > tonumber(redis.call('HGET', KEYS[1], 'deadline_ms')) then return {'deadline_passed'} end
local correct = ARGV[4] ~= '' and redis.call('SISMEMBER', KEYS[4], ARGV[4]) == 1
local points = 0
if correct then
  local elapsed = (now - tonumber(redis.call('HGET', KEYS[1], 'asked_ms'))) / 1000
  local span = math.max(tonumber(redis.call('HGET', KEYS[1], 'limit_s')) - 0.5, 0.001)
  local fraction = math.min(math.max((elapsed - 0.5) / span, 0), 1)
  points = math.floor(1000 * (1 - 0.5 * fraction) + 0.5)
end
redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({answer = ARGV[3], normalized = ARGV[4],
  correct = correct, points = points, at_ms = now}))
-- the host's answer_progress takes its seq here, with the count: a higher count, a higher seq
local seq = redis.call('INCR', KEYS[5])
redis.call('EXPIRE', KEYS[5], ARGV[5])
return {'accepted', tostring(redis.call('HLEN', KEYS[3])), tostring(redis.call('HLEN', KEYS[2])),
  tostring(seq)}
"""

# KEYS: players, scores, correct, applied, then the answers of each question in ARGV[2..]
# ARGV: key ttl (s), question ids. Adds each question's points and correct answers to the
# standings once (a second reveal, or the end after a reveal, adds nothing); a player who left
# is not re-added.
APPLY = """
local applied = 0
for i = 2, #ARGV do
  if redis.call('SADD', KEYS[4], ARGV[i]) == 1 then
    applied = applied + 1
    local answers = redis.call('HGETALL', KEYS[3 + i])
    for j = 1, #answers, 2 do
      local verdict = cjson.decode(answers[j + 1])
      if verdict['correct'] and redis.call('HEXISTS', KEYS[1], answers[j]) == 1 then
        redis.call('ZINCRBY', KEYS[2], verdict['points'], answers[j])
        redis.call('HINCRBY', KEYS[3], answers[j], 1)
      end
    end
  end
end
for i = 2, 4 do redis.call('EXPIRE', KEYS[i], ARGV[1]) end
return {'applied', tostring(applied)}
"""

# KEYS: meta, players, scores, conns, seq  ARGV: player id, display name, connection id, ttl
JOIN = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'game_not_found'} end
if status == 'ended' then return {'invalid_state', status} end
if redis.call('HGET', KEYS[1], 'host_id') == ARGV[1] then return {'invalid_state', 'host'} end
-- a late joiner enters with score 0; a player joining again keeps the seat and the score
local new = redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
if new == 1 then redis.call('ZADD', KEYS[3], 'NX', 0, ARGV[1]) end
redis.call('HSET', KEYS[4], ARGV[1], ARGV[3])
-- the host's player_joined takes its seq here, with the count (as ANSWER's answer_progress)
local seq = redis.call('INCR', KEYS[5])
for i = 2, 5 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return {'joined', tostring(new), tostring(redis.call('HLEN', KEYS[2])), tostring(seq)}
"""

# KEYS: meta, players, scores, conns, correct, seq  ARGV: player id, ttl
LEAVE = """
if not redis.call('HGET', KEYS[1], 'status') then return {'game_not_found'} end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return {'not_in_game'} end
local name = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
local seq = redis.call('INCR', KEYS[6])  -- the host's player_left: its seq with the count
redis.call('EXPIRE', KEYS[6], ARGV[2])
return {'left', name, tostring(redis.call('HLEN', KEYS[2])), tostring(seq)}
"""

# KEYS: meta, players, conns  ARGV: player id, connection id
RESUME = """
if not redis.call('HGET', KEYS[1], 'status') then return {'game_not_found'} end
local role
if redis.call('HGET', KEYS[1], 'host_id') == ARGV[1] then role = 'host'
elseif redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then role = 'player'
else return {'not_in_game'} end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return {'resumed', role}
"""

# KEYS: conns  ARGV: player id, connection id (only that seat's current connection is removed)
DETACH = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return {'ok'}
"""

# KEYS: meta  -> the meta hash, flattened, then the server clock
SNAPSHOT = _NOW + """
local meta = redis.call('HGETALL', KEYS[1])
table.insert(meta, '__now_ms')
table.insert(meta, tostring(now))
return meta
"""

# KEYS: the connection's counter  ARGV: limit per second
RATE = """
local t = redis.call('TIME')
local window = redis.call('HGET', KEYS[1], 'w')
if window ~= t[1] then
  redis.call('HSET', KEYS[1], 'w', t[1], 'c', 1)
  redis.call('EXPIRE', KEYS[1], 5)
  return 1
end
return redis.call('HINCRBY', KEYS[1], 'c', 1)
"""
