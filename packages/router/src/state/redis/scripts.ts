/**
 * @module The Lua scripts behind every shared check-and-update: each runs atomically in Redis, so
 * replicas never act between a read and a write. Numbers cross as strings (`fmt`: `%.17g`, whole numbers
 * below 10^14 by `tostring`), so a JS double round-trips exactly; Redis would truncate a Lua number reply to an integer.
 */
import { createHash } from "node:crypto";

/** A script and its SHA1, run with EVALSHA (EVAL once when Redis answers NOSCRIPT). */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

/**
 * A number as text that reads back as the same double: `%.17g`, except whole numbers below 10^14
 * (timestamps, counts, rpm and tpm), which Lua's own number-to-text (`%.14g`) writes exactly and which
 * cost Redis less than half as much to format (string.format is ≈ 1.2 µs a call; ADMIT and SETTLE_ADJUST
 * format a dozen numbers per request).
 */
const FMT = `local tostring, format, floor = tostring, string.format, math.floor
local function fmt(x)
 if x > -1e14 and x < 1e14 and floor(x) == x then return tostring(x) end
 return format('%.17g', x)
end`;

function script(name: string, lua: string): LuaScript {
  const body = `${FMT}\n${lua}`;
  return { name, lua: body, sha: createHash("sha1").update(body).digest("hex") };
}

/*
 * The scripts are indented by one space. In router.mjs this module rides as a brotli-compressed chunk
 * unpacked at start (packages/compiler/src/emit/router-bundle.ts, REDIS_SCRIPTS_CHUNK): it must stay
 * plain data, with no state and no classes, and what it exports is listed there.
 */

/**
 * Writes to a team's budget keys that a script defers to its end (`W`): the ledger's fields (the last
 * reservation's, formatted only then), the holds' amounts and expiries (one HSET and one ZADD for a whole ADMIT batch) and
 * the keys' TTLs. `flush` runs them; a scan for lapsed holds flushes first, so it sees every hold.
 * The final state is the one per-request writes would leave. `W.base` is the ledger row as read
 * (ledger_read): while period, bounds, limit, mode and spend are still those, only the fields a
 * reservation changes are written (reserved, holds, lapse).
 */
const DEFERRED_WRITES = `
local W = { held = {}, expiry = {}, ttl = {} }
local function flush()
 local l, b = W.ledger, W.base
 if l then
  if b and b[1] == l[1] and tonumber(b[2]) == l[2] and tonumber(b[3]) == l[3] and b[8] == l[4] and b[9] == l[5] and tonumber(b[4]) == l[6] then
   redis.call('HSET', KEYS[1], 'reserved', fmt(l[7]), 'holds', l[8], 'lapse', l[9] == math.huge and '' or fmt(l[9]))
  else
   redis.call('HSET', KEYS[1], 'period', l[1], 'start', fmt(l[2]), 'end', fmt(l[3]), 'limit', l[4], 'mode', l[5], 'spent', fmt(l[6]), 'reserved', fmt(l[7]), 'holds', l[8], 'lapse', l[9] == math.huge and '' or fmt(l[9]))
  end
  W.ledger, W.base = nil, nil
 end
 if #W.held > 0 then
  redis.call('HSET', KEYS[2], unpack(W.held))
  redis.call('ZADD', KEYS[3], unpack(W.expiry))
  W.held, W.expiry = {}, {}
 end
 for i = 1, 4 do
  if W.ttl[i] then redis.call('PEXPIRE', KEYS[i], W.ttl[i]) W.ttl[i] = nil end
 end
end
`;

/**
 * Expire a team's lapsed reservations (their replica died, or the attempt outlived the reservation
 * TTL): their hold is freed and their ids move to the lapsed set, where a late settle still charges.
 * KEYS: ledger, held, expiry, lapsed. The ledger keeps `holds` (how many reservations are held) and
 * `lapse` (no hold expires before it: the earliest expiry, or less), so a call that cannot find a
 * lapsed hold skips the scan — a busy team scans about once per reservation TTL, not per request.
 * Returns the updated reserved amount, holds and lapse bound.
 */
const EXPIRE_LAPSED = `${DEFERRED_WRITES}
local function expire_lapsed(now, reserved, holds, lapse, lapse_keep_ms)
 if holds == 0 or (holds ~= nil and lapse ~= nil and now < lapse) then return reserved, holds or 0, lapse or math.huge end
 flush()
 local ids
 repeat
  ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 500)
  if #ids > 0 then
   local amts = redis.call('HMGET', KEYS[2], unpack(ids))
   local z = {}
   for i, id in ipairs(ids) do
    if amts[i] then reserved = reserved - tonumber(amts[i]) end
    z[2 * i - 1] = now
    z[2 * i] = id
   end
   redis.call('HDEL', KEYS[2], unpack(ids))
   redis.call('ZREM', KEYS[3], unpack(ids))
   redis.call('ZADD', KEYS[4], unpack(z))
   redis.call('PEXPIRE', KEYS[4], lapse_keep_ms)
  end
 until #ids < 500
 redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. fmt(now - lapse_keep_ms))
 holds = redis.call('HLEN', KEYS[2])
 if holds == 0 then return 0, 0, math.huge end
 local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
 return math.max(0, reserved), holds, tonumber(first[2] or now)
end
local function fmt_lapse(lapse)
 if lapse == math.huge then return '' end
 return fmt(lapse)
end
local function ledger_read()
 local L = redis.call('HMGET', KEYS[1], 'period', 'start', 'end', 'spent', 'reserved', 'holds', 'lapse', 'limit', 'mode')
 W.base = L
 return L
end
`;

/**
 * Reserve (or, with op "merge", add settled spend counted locally during an outage) against the
 * ledger's fields `L` (ledger_read's, or the previous reservation's in the same script); returns the
 * reply's four values (granted, overLimit, spent, reserved) and the ledger's fields after it, its
 * writes deferred (W, flush). `limit` and `amount` come as the caller's text (stored as sent: each reads
 * back as the same double), with `limit_n` the limit's value; the other numbers as numbers.
 * KEYS: ledger, held, expiry, lapsed. The keys' TTL is set when the ledger is created or its period
 * rolls, and when the first hold creates the held hash and expiry set again: at least `key_ttl` past
 * the period's end, so never while the team is busy.
 */
const BUDGET_RESERVE_FN = `
local function budget_reserve(op, period, pstart, pend, limit, limit_n, mode, amount_text, now, id, expires, lapse_keep, key_ttl, L)
 local reserved, holds, lapse = expire_lapsed(now, tonumber(L[5] or '0'), tonumber(L[6]), tonumber(L[7]), lapse_keep)
 local spent = 0
 if op == 'merge' and L[1] and tonumber(L[2]) > pstart then return 1, false, tonumber(L[4]), reserved, L end
 local fresh = true
 if L[1] and not (pstart > tonumber(L[2]) or period ~= L[1]) then
  pstart, pend, spent = tonumber(L[2]), tonumber(L[3]), tonumber(L[4])
  fresh = false
 end
 local amount = tonumber(amount_text)
 if not (amount > 0) then amount, amount_text = 0, '0' end
 local over, granted = false, true
 if op == 'merge' then
  spent = spent + amount
 else
  over = spent + reserved + amount > limit_n
  granted = mode == 'soft' or not over
  if granted then
   local n = #W.held
   W.held[n + 1], W.held[n + 2] = id, amount_text
   W.expiry[n + 1], W.expiry[n + 2] = expires, id
   reserved = reserved + amount
   holds = holds + 1
   lapse = math.min(lapse, expires)
  end
 end
 W.ledger = { period, pstart, pend, limit, mode, spent, reserved, holds, lapse }
 -- Whole ms: PEXPIRE takes an integer, and a caller's clock may have a fraction.
 local ttl = math.ceil(math.max(0, pend - now) + key_ttl)
 if fresh then
  for i = 1, 4 do W.ttl[i] = ttl end
 elseif granted and holds == 1 then
  -- The first hold makes the held hash and the expiry set anew (Redis drops an empty one).
  W.ttl[2], W.ttl[3] = ttl, ttl
 end
 return granted and 1 or 0, over, spent, reserved, { period, pstart, pend, spent, reserved, holds, lapse ~= math.huge and lapse }
end
`;

/**
 * KEYS: ledger, held, expiry, lapsed.
 * ARGV: op, period, periodStart, periodEnd, limit, mode, amount, now, id, expiresAt, lapseKeepMs, keyTtlMs.
 * Returns { granted, overLimit, spent, reserved }.
 */
export const BUDGET_RESERVE = script(
  "budget_reserve",
  `${EXPIRE_LAPSED}${BUDGET_RESERVE_FN}
local A = ARGV
local granted, over, spent, reserved = budget_reserve(A[1], A[2], tonumber(A[3]), tonumber(A[4]), A[5], tonumber(A[5]), A[6], A[7], tonumber(A[8]), A[9], tonumber(A[10]), tonumber(A[11]), tonumber(A[12]), ledger_read())
flush()
return { granted, over and 1 or 0, fmt(spent), fmt(reserved) }
`,
);

/**
 * Settle reservations once by id (a lapsed one still charges its real cost), several in one call:
 * the settlements of one team that a replica has ready in the same tick (run by SETTLE_ADJUST), their
 * holds read with one HMGET and freed with one HDEL and one ZREM.
 * KEYS: ledger, held, expiry, lapsed.
 * ARGV (from A[o]): now, dayStart, dayEnd, weekStart, weekEnd, monthStart, monthEnd, lapseKeepMs, count, then (id, cost) × count.
 * Returns { settled flags ('1'/'0' per id, in order), spent, reserved, limit, periodStart }.
 */
const BUDGET_SETTLE_FN = `
local function budget_settle(A, o)
 local count = tonumber(A[o + 8])
 local L = redis.call('HMGET', KEYS[1], 'period', 'start', 'end', 'spent', 'reserved', 'limit', 'holds', 'lapse')
 if not L[1] or count < 1 then return { string.rep('0', count), '0', '0', '0', '0' } end
 local now = tonumber(A[o])
 local reserved, holds, lapse = expire_lapsed(now, tonumber(L[5]), tonumber(L[7]), tonumber(L[8]), tonumber(A[o + 7]))
 local pstart, pend, spent = tonumber(L[2]), tonumber(L[3]), tonumber(L[4])
 local at = o + ({ day = 1, week = 3, month = 5 })[L[1]]
 local s, e = tonumber(A[at]), tonumber(A[at + 1])
 local ids = {}
 for i = 1, count do ids[i] = A[o + 7 + 2 * i] end
 local amts = redis.call('HMGET', KEYS[2], unpack(ids))
 local flags, freed, gone = {}, {}, {}
 for i = 1, count do
  local id, cost = ids[i], tonumber(A[o + 8 + 2 * i])
  local settled = false
  -- An id twice in one call settles once, as two calls in a row would.
  if amts[i] and not freed[id] then
   freed[id] = true
   gone[#gone + 1] = id
   reserved = reserved - tonumber(amts[i])
   holds = holds - 1
   settled = true
  elseif redis.call('ZREM', KEYS[4], id) == 1 then
   settled = true
  end
  if settled then
   if s ~= pstart then pstart, pend, spent = s, e, 0 end
   spent = spent + math.max(0, cost)
  end
  flags[i] = settled and '1' or '0'
 end
 if #gone > 0 then
  redis.call('HDEL', KEYS[2], unpack(gone))
  redis.call('ZREM', KEYS[3], unpack(gone))
 end
 if holds <= 0 then holds, reserved, lapse = 0, 0, math.huge end
 redis.call('HSET', KEYS[1], 'start', fmt(pstart), 'end', fmt(pend), 'spent', fmt(spent), 'reserved', fmt(math.max(0, reserved)), 'holds', holds, 'lapse', fmt_lapse(lapse))
 return { table.concat(flags), fmt(spent), fmt(math.max(0, reserved)), L[6], fmt(pstart) }
end
`;

/**
 * A team's rate-limit buckets (functions, so ADMIT and SETTLE_ADJUST run them on their own KEYS).
 * rl_read reads the hash's fields once into `H` (rl ra tl ta x; false when absent); rate_limit
 * updates `H` and records the writes in `P`; rl_write writes them once, however many requests a
 * script took for. The hash keeps `x`, the expiry last given to the key (callers' clock): PEXPIRE runs
 * only when that falls short of when the buckets would be full again plus a minute, and then sets ten
 * minutes more.
 */
const RATE_LIMIT_FN = `
local MINUTE = 60000
local RL_FIELDS = { 'rl', 'ra', 'tl', 'ta', 'x' }
local function bucket(cap, level, at, now)
 if cap == nil then return nil end
 if not level then return { cap, cap, now } end
 level, at = tonumber(level), tonumber(at)
 return { cap, math.min(cap, level + (math.max(0, now - at) * cap) / MINUTE), math.max(now, at) }
end
local function wait(b, amount)
 if b[1] <= 0 then return -1 end
 local need = math.min(amount, b[1]) - b[2]
 if need <= 0 then return 0 end
 return math.ceil((need * MINUTE) / b[1])
end
local function rl_read(key)
 return redis.call('HMGET', key, unpack(RL_FIELDS)), { set = {}, del = {} }
end
local function take(r, t, amount)
 local wr = r and wait(r, 1) or 0
 local wt = t and wait(t, amount) or 0
 if wr == 0 and wt == 0 then
  if r then r[2] = r[2] - 1 end
  if t then t[2] = t[2] - math.max(0, amount) end
  return true, 0
 elseif wr < 0 or wt < 0 then return false, -1 end
 return false, math.max(wr, wt)
end
local function keep(H, P, r, t, now)
 local ttl = 60000
 for k = 0, 1 do
  local x, stored = (k == 0) and r or t, H[2 * k + 1]
  for j = 2 * k + 1, 2 * k + 2 do
   if x then
    H[j] = x[j - 2 * k + 1]
    P.set[j], P.del[j] = H[j], nil
   elseif stored then
    H[j] = false
    P.set[j], P.del[j] = nil, true
   end
  end
  if x and x[1] > 0 then ttl = math.max(ttl, math.ceil(((x[1] - x[2]) * MINUTE) / x[1]) + 60000) end
 end
 if not H[5] or tonumber(H[5]) < now + ttl then
  H[5] = now + ttl + 600000
  P.set[5], P.pexpire = H[5], ttl + 600000
 end
end
local function rate_limit(H, P, op, rpm, tpm, amount, now)
 now = tonumber(now)
 local r = bucket(tonumber(rpm), H[1], H[2], now)
 local t = bucket(tonumber(tpm), H[3], H[4], now)
 amount = tonumber(amount)
 local allowed, retry = true, 0
 if op == 'take' then
  allowed, retry = take(r, t, amount)
 elseif op == 'adjust' and t then
  t[2] = math.min(t[1], t[2] - amount)
 end
 if op ~= 'peek' then keep(H, P, r, t, now) end
 return { allowed and 1 or 0, fmt(retry), r and fmt(r[1]) or '', r and fmt(r[2]) or '', t and fmt(t[1]) or '', t and fmt(t[2]) or '' }
end
-- What a bucket's headers show (token-bucket.ts bucketSnapshot, the same arithmetic): whole units left and ms until full.
local function shown(b)
 if not b then return 0, 0 end
 local reset = 0
 if b[1] > 0 then reset = math.max(0, math.ceil(((b[1] - b[2]) * MINUTE) / b[1])) end
 return math.max(0, math.floor(b[2])), reset
end
local function rl_write(key, P)
 local set, del = {}, {}
 for i = 1, 5 do
  if P.set[i] then set[#set + 1] = RL_FIELDS[i]; set[#set + 1] = fmt(P.set[i]) end
  if P.del[i] then del[#del + 1] = RL_FIELDS[i] end
 end
 if #set > 0 then redis.call('HSET', key, unpack(set)) end
 if P.pexpire then redis.call('PEXPIRE', key, P.pexpire) end
 if #del > 0 then redis.call('HDEL', key, unpack(del)) end
end
`;

/**
 * Per-minute token buckets (requests and tokens) of one team, refilled to `now` as token-bucket.ts does.
 * KEYS: limits. ARGV: op (take | adjust | peek), rpm or '', tpm or '', tokens (take) or delta (adjust), now.
 * Returns { allowed, retryAfterMs (-1 = never), rpmCapacity, rpmLevel, tpmCapacity, tpmLevel } ('' when absent).
 */
export const RATE_LIMIT = script(
  "rate_limit",
  `${RATE_LIMIT_FN}
local H, P = rl_read(KEYS[1])
local reply = rate_limit(H, P, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
rl_write(KEYS[1], P)
return reply
`,
);

/**
 * Governed requests' admissions in one round trip: for each, take from the rate limits, and only when
 * that is allowed reserve the budget (a refused reservation keeps the take, as the two scripts in
 * sequence would). Several requests of one team that a replica admits in the same tick go in one call,
 * in order, each exactly as if alone; the ledger and the buckets are read once and written once per
 * call, not per request.
 * KEYS: ledger, held, expiry, lapsed, limits (one team: one hash tag).
 * ARGV: the team's terms once — period, periodStart, periodEnd, limit, mode, rpm or '', tpm or '',
 * holdMs (a reservation's expiry is now + holdMs), lapseKeepMs, keyTtlMs — then four per request:
 * amount, now, id, tokens. Everything that is the same for the batch is sent and read once.
 * Returns per request ten integers or texts: allowed, retryAfterMs (-1 = never), requests left and ms
 * until full, tokens left and ms until full (0, 0 without that limit: what the headers show, computed
 * as token-bucket.ts does, so no level is formatted), then BUDGET_RESERVE's four (0, 0, '0', '0' when
 * the rate limit refused).
 */
export const ADMIT = script(
  "admit",
  `${EXPIRE_LAPSED}${BUDGET_RESERVE_FN}${RATE_LIMIT_FN}
local A = ARGV
local period, pstart, pend, limit, mode = A[1], tonumber(A[2]), tonumber(A[3]), A[4], A[5]
local limit_n, rpm, tpm, hold, lapse_keep, key_ttl = tonumber(A[4]), tonumber(A[6]), tonumber(A[7]), tonumber(A[8]), tonumber(A[9]), tonumber(A[10])
local L = ledger_read()
local H, P = rl_read(KEYS[5])
local out, n = {}, 0
for i = 11, #A, 4 do
 local now = tonumber(A[i + 1])
 local r = bucket(rpm, H[1], H[2], now)
 local t = bucket(tpm, H[3], H[4], now)
 local allowed, retry = take(r, t, tonumber(A[i + 3]))
 keep(H, P, r, t, now)
 out[n + 1], out[n + 2] = allowed and 1 or 0, retry
 out[n + 3], out[n + 4] = shown(r)
 out[n + 5], out[n + 6] = shown(t)
 if allowed then
  local granted, over, spent, reserved
  granted, over, spent, reserved, L = budget_reserve('reserve', period, pstart, pend, limit, limit_n, mode, A[i], now, A[i + 2], now + hold, lapse_keep, key_ttl, L)
  out[n + 7], out[n + 8], out[n + 9], out[n + 10] = granted, over and 1 or 0, fmt(spent), fmt(reserved)
 else
  out[n + 7], out[n + 8], out[n + 9], out[n + 10] = 0, 0, '0', '0'
 end
 n = n + 10
end
flush()
rl_write(KEYS[5], P)
return out
`,
);

/**
 * Settle reservations of one team and, when `tpm` is given and the delta is not 0, correct its token
 * bucket by their requests' summed token delta, in one round trip. KEYS: ledger, held, expiry, lapsed,
 * limits. ARGV: rpm or '', tpm or '', delta tokens, then budget_settle's (now is ARGV[4]). Returns budget_settle's reply.
 */
export const SETTLE_ADJUST = script(
  "settle_adjust",
  `${EXPIRE_LAPSED}${BUDGET_SETTLE_FN}${RATE_LIMIT_FN}
local delta = tonumber(ARGV[3])
if ARGV[2] ~= '' and delta ~= 0 then
 -- rate_limit's 'adjust', without the reply nobody reads (its levels would be formatted for nothing).
 local H, P = rl_read(KEYS[5])
 local now = tonumber(ARGV[4])
 local r = bucket(tonumber(ARGV[1]), H[1], H[2], now)
 local t = bucket(tonumber(ARGV[2]), H[3], H[4], now)
 t[2] = math.min(t[1], t[2] - delta)
 keep(H, P, r, t, now)
 rl_write(KEYS[5], P)
end
return budget_settle(ARGV, 4)
`,
);

/** Canary fields read by the cache refresh and the snapshot. */
/** One arm's count and sum fields, stored in the route's hash as `<arm>:<field>` (canary-window.ts). */
export const CANARY_ARM_FIELDS = ["requests", "errors", "validationFailures", "costUsd", "costed", "scoreSum", "scores"] as const;
/** The route hash's other fields, in the order CANARY_READ returns them (the arms' fields follow: canary's, then baseline's). */
export const CANARY_FIELDS = ["model", "percent", "step", "updatedAt", "reason", "since", "steps"] as const;
const READ_FIELDS = [...CANARY_FIELDS, ...CANARY_ARM_FIELDS.map((f) => `canary:${f}`), ...CANARY_ARM_FIELDS.map((f) => `baseline:${f}`)]
  .map((f) => `'${f}'`)
  .join(", ");

/** Drop a route's canary hash and both arms' latency lists (Lua helper; `key` is the hash). */
const CLEAR_CANARY = `
local function clear_canary(key)
  redis.call('DEL', key, key .. ':lat:canary', key .. ':lat:baseline')
end
`;

/**
 * A release became active: keep canaries whose model and steps are unchanged, start new or changed
 * ones at their first step, drop removed ones. KEYS: routes set, channel.
 * ARGV: route key base, now, then (route, model, stepsKey, firstPercent) per canary.
 */
export const CANARY_ACTIVATE = script(
  "canary_activate",
  `${CLEAR_CANARY}
local base, now = ARGV[1], ARGV[2]
local wanted = {}
for i = 3, #ARGV, 4 do wanted[ARGV[i]] = true end
for _, route in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not wanted[route] then
    clear_canary(base .. route)
    redis.call('SREM', KEYS[1], route)
  end
end
for i = 3, #ARGV, 4 do
  local key = base .. ARGV[i]
  local cur = redis.call('HMGET', key, 'model', 'steps')
  if not (cur[1] == ARGV[i + 1] and cur[2] == ARGV[i + 2]) then
    clear_canary(key)
    redis.call('HSET', key, 'model', ARGV[i + 1], 'steps', ARGV[i + 2], 'percent', ARGV[i + 3], 'step', 0, 'updatedAt', now, 'reason', 'canary started', 'since', now)
    redis.call('SADD', KEYS[1], ARGV[i])
  end
end
redis.call('PUBLISH', KEYS[2], '*')
return 1
`,
);

/**
 * Set a route's canary share and start a fresh guard window (both arms). KEYS: routes set, route key, channel.
 * ARGV: route, percent, step or '', now, hasReason ('1'/'0'), reason.
 */
export const CANARY_SET = script(
  "canary_set",
  `${CLEAR_CANARY}
local step = ARGV[3]
if step == '' then step = redis.call('HGET', KEYS[2], 'step') or '0' end
local model = redis.call('HGET', KEYS[2], 'model') or ''
local steps = redis.call('HGET', KEYS[2], 'steps') or ''
clear_canary(KEYS[2])
redis.call('HSET', KEYS[2], 'model', model, 'steps', steps, 'percent', ARGV[2], 'step', step, 'updatedAt', ARGV[4], 'since', ARGV[4])
if ARGV[5] == '1' then redis.call('HSET', KEYS[2], 'reason', ARGV[6]) end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PUBLISH', KEYS[3], ARGV[1])
return 1
`,
);

/**
 * Count an attempt into its arm of the route's guard window (canary-window.ts countAttempt; client
 * faults are not sent). An attempt without an arm counts as canary when it is the canary model's;
 * a canary-arm attempt of another model (a canary since replaced) is not counted. Returns 1 when counted.
 * KEYS: route key, canary latencies, baseline latencies. ARGV: model, arm ('canary', 'baseline' or ''), ok ('1'/'0'), validation ('1'/'0'),
 * latencyMs, costUsd or '', maxSamples.
 */
export const CANARY_RECORD = script(
  "canary_record",
  `
local model = redis.call('HGET', KEYS[1], 'model')
if not model then return 0 end
local arm = ARGV[2]
if arm == '' and ARGV[1] == model then arm = 'canary' end
if not (arm == 'baseline' or (arm == 'canary' and ARGV[1] == model)) then return 0 end
redis.call('HINCRBY', KEYS[1], arm .. ':requests', 1)
if ARGV[3] ~= '1' then
  redis.call('HINCRBY', KEYS[1], arm .. ':errors', 1)
  if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[1], arm .. ':validationFailures', 1) end
  return 1
end
local lat = KEYS[2]
if arm == 'baseline' then lat = KEYS[3] end
redis.call('RPUSH', lat, ARGV[5])
redis.call('LTRIM', lat, -tonumber(ARGV[7]), -1)
if ARGV[6] ~= '' then
  redis.call('HINCRBYFLOAT', KEYS[1], arm .. ':costUsd', ARGV[6])
  redis.call('HINCRBY', KEYS[1], arm .. ':costed', 1)
end
return 1
`,
);

/**
 * Count a feedback score (0..1) into its arm (canary-window.ts countScore). Returns 0, counting
 * nothing, when the route has no canary, the request was served before the window began, or a
 * canary-arm score names another model than the current canary. KEYS: route key. ARGV: arm, model, score, servedAt.
 */
export const CANARY_FEEDBACK = script(
  "canary_feedback",
  `
local cur = redis.call('HMGET', KEYS[1], 'model', 'since')
if not cur[1] or tonumber(ARGV[4]) < tonumber(cur[2] or 0) then return 0 end
if ARGV[1] == 'canary' and ARGV[2] ~= cur[1] then return 0 end
redis.call('HINCRBYFLOAT', KEYS[1], ARGV[1] .. ':scoreSum', ARGV[3])
redis.call('HINCRBY', KEYS[1], ARGV[1] .. ':scores', 1)
return 1
`,
);

/**
 * Every canary of the environment: { route, fields (CANARY_FIELDS, then each arm's CANARY_ARM_FIELDS), canary latencies, baseline latencies }.
 * KEYS: routes set. ARGV: route key base, withLatencies ('1'/'0').
 */
export const CANARY_READ = script(
  "canary_read",
  `
local out = {}
for _, route in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. route
  local row = redis.call('HMGET', key, ${READ_FIELDS})
  local lc, lb = {}, {}
  if ARGV[2] == '1' then
    lc = redis.call('LRANGE', key .. ':lat:canary', 0, -1)
    lb = redis.call('LRANGE', key .. ':lat:baseline', 0, -1)
  end
  table.insert(out, { route, row, lc, lb })
end
return out
`,
);

/** Hold or renew a controller lease (time from the callers' clocks). KEYS: lease. ARGV: holder, ttlMs, now. Returns 1 while held. */
export const LEASE = script(
  "lease",
  `
local v = redis.call('HMGET', KEYS[1], 'holder', 'expiresAt')
local ttl, now = tonumber(ARGV[2]), tonumber(ARGV[3])
if v[1] and v[1] ~= ARGV[1] and now < tonumber(v[2]) then return 0 end
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'expiresAt', fmt(now + ttl))
redis.call('PEXPIRE', KEYS[1], math.max(1, ttl) + 60000)
return 1
`,
);

/**
 * Forget the least recently used releases beyond retain/maxBytes, never the active one or the
 * rollback target; then drop forgotten hashes (and adjacent repeats) from the activation stack.
 * KEYS: body, bytes, uploaded, activated, used, stack, active, seq, channel.
 */
const EVICT = `
local function evict(retain, max_bytes)
  local hashes = redis.call('ZRANGE', KEYS[5], 0, -1)
  local pairs_ = redis.call('HGETALL', KEYS[2])
  local size, total = {}, 0
  for i = 1, #pairs_, 2 do size[pairs_[i]] = tonumber(pairs_[i + 1]); total = total + size[pairs_[i]] end
  local count = #hashes
  if count <= retain and total <= max_bytes then return end
  local keep = {}
  local active = redis.call('GET', KEYS[7])
  if active then keep[active] = true end
  local prev = redis.call('LINDEX', KEYS[6], -2)
  if prev then keep[prev] = true end
  for _, h in ipairs(hashes) do
    if count <= retain and total <= max_bytes then break end
    if not keep[h] then
      for k = 1, 4 do redis.call('HDEL', KEYS[k], h) end
      redis.call('ZREM', KEYS[5], h)
      count = count - 1
      total = total - (size[h] or 0)
    end
  end
  local stack = redis.call('LRANGE', KEYS[6], 0, -1)
  redis.call('DEL', KEYS[6])
  local last = nil
  for _, h in ipairs(stack) do
    if h ~= last and redis.call('HEXISTS', KEYS[1], h) == 1 then redis.call('RPUSH', KEYS[6], h); last = h end
  end
end
local function touch(h, now)
  local seq = redis.call('INCR', KEYS[8]) % 1024
  redis.call('ZADD', KEYS[5], tonumber(now) * 1024 + seq, h)
end
`;

/** Store an uploaded release once. KEYS: as EVICT. ARGV: hash, body, bytes, now, retain, maxBytes. Returns 1 when created. */
export const RELEASE_PUT = script(
  "release_put",
  `${EVICT}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
touch(ARGV[1], ARGV[4])
evict(tonumber(ARGV[5]), tonumber(ARGV[6]))
return 1
`,
);

/**
 * Make a stored release active: a rollback to the previous one pops the stack, anything else pushes;
 * then tell the other replicas. KEYS: as EVICT. ARGV: hash, now, rollback ('1'/'0'), retain, maxBytes.
 * Returns 0 when the release is not stored.
 */
export const RELEASE_ACTIVATE = script(
  "release_activate",
  `${EVICT}
local h = ARGV[1]
if redis.call('HEXISTS', KEYS[1], h) == 0 then return 0 end
redis.call('HSET', KEYS[4], h, ARGV[2])
touch(h, ARGV[2])
if ARGV[3] == '1' and redis.call('LINDEX', KEYS[6], -2) == h then
  redis.call('RPOP', KEYS[6])
elseif redis.call('LINDEX', KEYS[6], -1) ~= h then
  redis.call('RPUSH', KEYS[6], h)
end
redis.call('LTRIM', KEYS[6], -tonumber(ARGV[4]), -1)
redis.call('SET', KEYS[7], h)
evict(tonumber(ARGV[4]), tonumber(ARGV[5]))
redis.call('PUBLISH', KEYS[9], h)
return 1
`,
);

/**
 * Read releases: ARGV[1] = 'get' with ARGV[2] = hash, or 'history' with ARGV[2] = limit (most recently used first).
 * KEYS: as EVICT. Returns { hash, body, bytes, uploaded, activated or '' } per release.
 */
export const RELEASE_READ = script(
  "release_read",
  `
local hashes
if ARGV[1] == 'get' then hashes = { ARGV[2] }
else hashes = redis.call('ZREVRANGE', KEYS[5], 0, tonumber(ARGV[2]) - 1) end
local out = {}
for _, h in ipairs(hashes) do
  local body = redis.call('HGET', KEYS[1], h)
  if body then
    table.insert(out, { h, body, redis.call('HGET', KEYS[2], h) or '0', redis.call('HGET', KEYS[3], h) or '0', redis.call('HGET', KEYS[4], h) or '' })
  end
end
return out
`,
);
