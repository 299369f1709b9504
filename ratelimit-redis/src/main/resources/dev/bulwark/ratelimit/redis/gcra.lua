-- One GCRA decision on one bucket, atomically, on Redis's own clock (see RedisRateLimiterStore).
-- KEYS[1]  the bucket; its value is "S U": the instant it is full again, as whole seconds S of
--          the Redis clock plus U units (1/q microsecond) into that second. Two numbers, so every
--          quantity stays an integer below 2^53, which Lua's doubles hold exactly.
-- ARGV[1]  'a' acquire, 'r' refund, 'p' available permits
-- ARGV[2]  a: units per permit; ARGV[3] q: units per microsecond; ARGV[4] tolerance: burst * a
-- ARGV[5]  permits; ARGV[6] the caller's max wait in units (acquire only)
-- ARGV[7], ARGV[8]  optional clock (seconds, microseconds) instead of TIME: a seam for tests
-- Returns for 'a': the wait in microseconds (>= 0) if granted, -(retry after in microseconds) if
-- refused; for 'r': 1; for 'p': the permits available now.
local a = tonumber(ARGV[2])
local q = tonumber(ARGV[3])
local tolerance = tonumber(ARGV[4])
local n = tonumber(ARGV[5])
local s, us
if ARGV[7] then
  s = tonumber(ARGV[7])
  us = tonumber(ARGV[8])
else
  local t = redis.call('TIME')
  s = tonumber(t[1])
  us = tonumber(t[2])
end
local perSecond = 1000000 * q
local now = us * q -- units past second s

local function ceildiv(x, y)
  local r = math.floor(x / y)
  if r * y < x then r = r + 1 end
  if (r - 1) * y >= x then r = r - 1 end
  return r
end

-- the stored instant, in units past second s (nil when the key has no bucket)
local full = nil
local v = redis.call('GET', KEYS[1])
if v then
  local S, U = string.match(v, '^(%d+) (%d+)$')
  if S then
    full = (tonumber(S) - s) * perSecond + tonumber(U)
  end
end

local debt = 0
if full and full > now then debt = full - now end

local function store(f)
  -- f: units past second s at which the bucket is full; expire the key then
  if f <= now then
    redis.call('DEL', KEYS[1])
    return
  end
  local S2 = s + math.floor(f / perSecond)
  local U2 = f - (S2 - s) * perSecond
  if U2 < 0 then S2 = S2 - 1; U2 = U2 + perSecond end
  if U2 >= perSecond then S2 = S2 + 1; U2 = U2 - perSecond end
  local ttl = ceildiv(f - now, q * 1000)
  redis.call('SET', KEYS[1], string.format('%d %d', S2, U2), 'PX', math.max(1, ttl))
end

local op = ARGV[1]
if op == 'a' then
  local cost = n * a
  local wait = debt + cost - tolerance
  if wait > tonumber(ARGV[6]) then
    return -ceildiv(wait, q)
  end
  local waitMicros = 0
  if wait > 0 then waitMicros = ceildiv(wait, q) end
  -- a waiter goes ahead on a whole microsecond: account for it as an arrival then
  store(now + math.max(debt, waitMicros * q) + cost)
  return waitMicros
elseif op == 'r' then
  if full then store(full - n * a) end
  return 1
else
  if debt >= tolerance then return 0 end
  return math.floor((tolerance - debt) / a)
end
