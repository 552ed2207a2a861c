"""The Lua scripts that change a live game in Redis, each one atomic (one round trip each).

Each script reads the server clock with ``TIME`` itself, so every handler agrees on "now" and no
client clock is trusted. A game's keys share a hash tag (``lg:{<game_id>}:...``): one cluster
slot. Replies are lists whose first element is an outcome word; the store turns refusals into
domain errors by that word, never by message text. Every broadcast takes its ``seq`` from the
same script that changes the state it announces, so sequence order is state order.
"""

from __future__ import annotations

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# Scoreboards, best first, flat {id, name, score, ...}; KEYS[2] players, KEYS[5] scores.
# ``board``: every player (the end of a game). ``scorers``: the players with points, which is
# what a winner or a join shows (everyone else has 0): at most one per question asked, where
# the whole board grows with the game (a 1,000-player board is ~70 KB per message).
_BOARD = """
local function lines(players_key, ranked)
  local out = {}
  for i = 1, #ranked, 2 do
    table.insert(out, ranked[i])
    table.insert(out, redis.call('HGET', players_key, ranked[i]) or ranked[i])
    table.insert(out, ranked[i + 1])
  end
  return out
end
local function board(players_key, scores_key)
  return lines(players_key, redis.call('ZREVRANGE', scores_key, 0, -1, 'WITHSCORES'))
end
local function scorers(players_key, scores_key)
  return lines(players_key,
    redis.call('ZREVRANGEBYSCORE', scores_key, '+inf', '(0', 'WITHSCORES'))
end
"""

# KEYS: meta, players, scores  ARGV: player id, display name, TTL seconds
JOIN = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'game_not_found'} end
if status == 'ended' then return {'invalid_state', status} end
-- the host runs the game and does not play in it
local host_id = redis.call('HGET', KEYS[1], 'host_id')
if host_id == ARGV[1] then return {'invalid_state', 'host'} end
-- a late joiner enters with 0; joining again (a QoS 1 redelivery) keeps seat and score
local new = redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
local seq = '0'
if new == 1 then
  redis.call('ZADD', KEYS[3], 'NX', 0, ARGV[1])
  seq = tostring(redis.call('HINCRBY', KEYS[1], 'seq', 1))
end
for _, key in ipairs(KEYS) do redis.call('EXPIRE', key, tonumber(ARGV[3])) end
return {'joined', tostring(new), tostring(redis.call('HLEN', KEYS[2])), seq, host_id or ''}
"""

# KEYS: meta, players  ARGV: host id
START = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'game_not_found'} end
if redis.call('HGET', KEYS[1], 'host_id') ~= ARGV[1] then return {'not_host'} end
-- a redelivered start finds the game started: the same answer, no second broadcast
if status == 'started' then
  return {'repeat', redis.call('HGET', KEYS[1], 'start_seq'), tostring(redis.call('HLEN', KEYS[2]))}
end
if status ~= 'lobby' then return {'invalid_state', status} end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'status', 'started', 'start_seq', tostring(seq))
return {'started', tostring(seq), tostring(redis.call('HLEN', KEYS[2]))}
"""

# KEYS: meta, accepted of the new question, requests
# ARGV: host id, request id or '', question count, new question id, limit seconds,
#       the correct answer as written, expected current index, accepted (normalised)...
ASK = _NOW + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'game_not_found'} end
if redis.call('HGET', KEYS[1], 'host_id') ~= ARGV[1] then return {'not_host'} end
if status ~= 'started' then return {'invalid_state', status} end
-- a redelivered next_question (same request id) asks nothing new
if ARGV[2] ~= '' and redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 1 then
  return {'repeat'}
end
local current = redis.call('HGET', KEYS[1], 'q_index')
-- compare-and-set on the index: two racing "next" commands ask one question, not two
if current ~= ARGV[7] then return {'invalid_state', 'moved'} end
local index = tonumber(current) + 1
if index >= tonumber(ARGV[3]) then return {'no_more_questions'} end
if ARGV[2] ~= '' then
  redis.call('SADD', KEYS[3], ARGV[2])
  redis.call('EXPIRE', KEYS[3], 86400)
end
local previous = redis.call('HGET', KEYS[1], 'qid') or ''
local ended_seq = '0'
if previous ~= '' then ended_seq = tostring(redis.call('HINCRBY', KEYS[1], 'seq', 1)) end
local previous_answer = redis.call('HGET', KEYS[1], 'answer') or ''
for i = 8, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
local deadline = now + tonumber(ARGV[5]) * 1000
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'q_index', tostring(index), 'qid', ARGV[4], 'open', '1',
  'deadline_ms', tostring(deadline), 'limit_s', ARGV[5], 'answer', ARGV[6],
  'q_seq', tostring(seq))
return {'asked', tostring(index), tostring(deadline), tostring(seq), previous, ended_seq,
  (previous ~= '' and redis.call('HGET', KEYS[1], 'winner:' .. previous)) or '',
  previous_answer}
"""

# KEYS: meta, players, answers of the question, accepted of the question, scores
# ARGV: player id, question id, answer normalised
ANSWER = _BOARD + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'game_not_found'} end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return {'not_in_game'} end
if status ~= 'started' or redis.call('HGET', KEYS[1], 'qid') ~= ARGV[2] then
  return {'question_not_open'}
end
local winner_field = 'winner:' .. ARGV[2]
-- one answer per player per question: any repeat gets the first verdict, nothing changes
local first = redis.call('HGET', KEYS[3], ARGV[1])
if first then
  local verdict, seq = string.match(first, '^([%a_]+)|(%d+)$')
  local out = {'repeat', verdict, redis.call('HGET', KEYS[1], winner_field) or '', seq,
    redis.call('HGET', KEYS[1], 'answer')}
  if verdict == 'correct' then
    for _, v in ipairs(scorers(KEYS[2], KEYS[5])) do table.insert(out, v) end
  end
  return out
end
if redis.call('HGET', KEYS[1], 'open') ~= '1' then return {'question_not_open'} end
""" + _NOW + """
-- the deadline is on this clock, whatever the client claims
if now > tonumber(redis.call('HGET', KEYS[1], 'deadline_ms')) then return {'deadline_passed'} end
local verdict = 'incorrect'
local seq = '0'
if ARGV[3] ~= '' and redis.call('SISMEMBER', KEYS[4], ARGV[3]) == 1 then
  -- exactly one winner: the first correct answer to run here takes the question
  if redis.call('HSETNX', KEYS[1], winner_field, ARGV[1]) == 1 then
    verdict = 'correct'
    redis.call('ZINCRBY', KEYS[5], 1, ARGV[1])
    seq = tostring(redis.call('HINCRBY', KEYS[1], 'seq', 1))
  else
    verdict = 'not_first'
  end
end
redis.call('HSET', KEYS[3], ARGV[1], verdict .. '|' .. seq)
redis.call('EXPIRE', KEYS[3], 86400)
local out = {'answered', verdict, redis.call('HGET', KEYS[1], winner_field) or '', seq,
  redis.call('HGET', KEYS[1], 'answer')}
if verdict == 'correct' then
  for _, v in ipairs(scorers(KEYS[2], KEYS[5])) do table.insert(out, v) end
end
return out
"""

# KEYS: meta, players, scores  ARGV: host id
END = _BOARD + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'game_not_found'} end
if redis.call('HGET', KEYS[1], 'host_id') ~= ARGV[1] then return {'not_host'} end
local outcome = 'repeat'
if status ~= 'ended' then
  outcome = 'ended'
  local previous = redis.call('HGET', KEYS[1], 'qid') or ''
  local ended_seq = '0'
  if previous ~= '' and redis.call('HGET', KEYS[1], 'open') == '1' then
    ended_seq = tostring(redis.call('HINCRBY', KEYS[1], 'seq', 1))
  end
  local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  redis.call('HSET', KEYS[1], 'status', 'ended', 'open', '0', 'end_seq', tostring(seq),
    'closed_seq', ended_seq)
end
local previous = redis.call('HGET', KEYS[1], 'qid') or ''
local out = {outcome, redis.call('HGET', KEYS[1], 'end_seq'), previous,
  redis.call('HGET', KEYS[1], 'closed_seq'),
  (previous ~= '' and redis.call('HGET', KEYS[1], 'winner:' .. previous)) or '',
  redis.call('HGET', KEYS[1], 'q_index'), redis.call('HGET', KEYS[1], 'answer') or ''}
for _, v in ipairs(board(KEYS[2], KEYS[3])) do table.insert(out, v) end
return out
"""

# KEYS: meta, players, scores  -> meta (flat), then '__board', the scorers
SNAPSHOT = _NOW + _BOARD + """
local meta = redis.call('HGETALL', KEYS[1])
if #meta == 0 then return {'game_not_found'} end
local out = {'snapshot', tostring(now)}
for _, v in ipairs(meta) do table.insert(out, v) end
table.insert(out, '__board')
for _, v in ipairs(scorers(KEYS[2], KEYS[3])) do table.insert(out, v) end
return out
"""

# KEYS: meta, players, scores, accepted of the open question (or a dummy)
# ARGV: meta fields (flat, count first), players (flat, count), scores (flat), accepted...
# Writes only when the game is absent: two handlers rebuilding at once rebuild it once.
RESTORE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
local i = 1
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]); i = i + 2 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[3], tonumber(ARGV[i + 2]), ARGV[i])
  i = i + 3
end
while i <= #ARGV do redis.call('SADD', KEYS[4], ARGV[i]); i = i + 1 end
return {'restored'}
"""
