/**
 * The Lua scripts behind RedisToolCallLimits. Each runs atomically on the server, so every
 * operation is one round trip and no two workers can interleave a read and a write. Time is
 * Redis's own (TIME), never a worker's clock: workers whose clocks drift still share one window.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Admits one try or refuses it.
 * KEYS: open-until, probe, window. ARGV: hasBreaker (0|1), probeTtlMs, probeToken, limit
 * (0 = none), intervalMs, windowMember.
 * Returns {1, isProbe, 0} when admitted, {0, reason, retryAfterMs} when refused.
 */
export const ADMIT = `${NOW}
local probe = 0
if ARGV[1] == '1' then
  local openUntil = tonumber(redis.call('GET', KEYS[1]) or '')
  if openUntil then
    if now < openUntil then return {0, 'circuit-open', openUntil - now} end
    -- Half-open: exactly one worker makes the trial call; the others are refused until it reports.
    if not redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[2]) then
      return {0, 'circuit-open', math.max(1, redis.call('PTTL', KEYS[2]))}
    end
    probe = 1
  end
end
local limit = tonumber(ARGV[4])
if limit > 0 then
  local interval = tonumber(ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - interval)
  if redis.call('ZCARD', KEYS[3]) >= limit then
    if probe == 1 then redis.call('DEL', KEYS[2]) end
    local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    return {0, 'rate-limited', math.max(1, tonumber(oldest[2]) + interval - now)}
  end
  redis.call('ZADD', KEYS[3], now, ARGV[6])
  -- The window forgets itself once its newest start is older than the interval.
  redis.call('PEXPIRE', KEYS[3], interval)
end
return {1, probe, 0}
`;

/**
 * Counts one try's outcome towards the breaker, as cockatiel's ConsecutiveBreaker does:
 * a success resets the count (and closes the breaker when it was the trial call), a failure
 * adds one and opens the breaker at the threshold; a failed trial call opens it again.
 * KEYS: open-until, probe, failures. ARGV: outcome (success|failure), threshold,
 * halfOpenAfterMs, probeToken ('' when this try was not the trial), staleMs.
 */
export const RECORD = `${NOW}
local isProbe = ARGV[4] ~= ''
local halfOpenAfter = tonumber(ARGV[3])
local stale = tonumber(ARGV[5])
local function releaseProbe()
  if isProbe and redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
end
local function open()
  redis.call('SET', KEYS[1], now + halfOpenAfter, 'PX', halfOpenAfter + stale)
end
if ARGV[1] == 'success' then
  redis.call('DEL', KEYS[3])
  if isProbe then redis.call('DEL', KEYS[1]) end
  releaseProbe()
  return 'closed'
end
local failures = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], stale)
if isProbe then
  open()
  releaseProbe()
  return 'open'
end
local openUntil = tonumber(redis.call('GET', KEYS[1]) or '')
if failures >= tonumber(ARGV[2]) and not (openUntil and now < openUntil) then
  open()
  return 'open'
end
return openUntil and 'open' or 'closed'
`;

/**
 * The breaker's state, read only. KEYS: open-until, probe.
 * Returns closed, open or half-open.
 */
export const CIRCUIT = `${NOW}
local openUntil = tonumber(redis.call('GET', KEYS[1]) or '')
if not openUntil then return 'closed' end
if now < openUntil then return 'open' end
return 'half-open'
`;
