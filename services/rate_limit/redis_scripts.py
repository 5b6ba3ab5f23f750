"""The shared limiter's state in Redis: key layout and the Lua scripts that change it atomically.

Times are milliseconds on the callers' wall clocks (`now_ms` is an argument, never Redis
`TIME`, so tests can drive a fake clock). Every key of one agent carries the hash tag
`{agent}`, so a Redis Cluster keeps them in one slot and each script touches one node.

Per agent, under `<prefix>{<agent>}:`
- `gcra`     hash: `tat` (GCRA theoretical arrival time), `epoch` (id of the current bucket,
             replaced when a policy change resets it), `policy` (fingerprint of the policy
             that set it). Expires a minute after `tat`: an expired bucket is a full one.
- `queue`    zset: every caller waiting in either stage -> its deadline. Entries past their
             deadline are purged, so a crashed process cannot keep places forever.
- `line`     zset: callers waiting for a concurrency slot -> ticket (FIFO order).
- `seq`      counter for tickets (expires with the line).
- `leases`   zset: permits in flight -> lease expiry (a crashed process's slots come back).
- `rejected:<minute>` hash: second -> rejections, kept 62 minutes; `rejected` total.
Releases are announced on the channel `<prefix>released` with the agent as message.
"""

from dataclasses import dataclass

from redis.asyncio import Redis

# Script replies: status codes shared with the Python side.
ADMITTED, REFUSED_RATE, REFUSED_FULL = 0, 1, 2
GRANTED, WAITING, TIMED_OUT, LINE_FULL = 0, 1, 2, 3
QUEUE_TTL_MS = 660_000  # longest queue time (600 s) plus a minute
REJECTION_BUCKET_TTL_S = 62 * 60


@dataclass(frozen=True, slots=True)
class AgentKeys:
    prefix: str
    agent: str

    def _key(self, name: str) -> str:
        return f"{self.prefix}{{{self.agent}}}:{name}"

    @property
    def gcra(self) -> str:
        return self._key("gcra")

    @property
    def queue(self) -> str:
        return self._key("queue")

    @property
    def line(self) -> str:
        return self._key("line")

    @property
    def seq(self) -> str:
        return self._key("seq")

    @property
    def leases(self) -> str:
        return self._key("leases")

    @property
    def rejected_total(self) -> str:
        return self._key("rejected")

    def rejected_bucket(self, minute: int) -> str:
        return self._key(f"rejected:{minute}")


def _lua(body: str) -> str:
    """A script with its shared helper; numbers cross as %.17g text, as replies truncate them."""
    helper = "local function fmt(x) return string.format('%.17g', x) end\n"
    return helper + body.replace("$QUEUE_TTL_MS", str(QUEUE_TTL_MS))


# KEYS gcra, queue. ARGV now, T, tau, budget, max_queue_length, waiter id, deadline, new epoch.
# Reply {status, wait_ms, epoch}: ADMITTED reserves the slot (and queues the caller when
# wait_ms > 0); REFUSED_* take nothing (and drop the caller's old place, if it had one) and
# wait_ms is the predicted wait.
RESERVE = _lua("""
local now, interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat')) or now
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[8]
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end
local wait = tat - tolerance - now
if wait < 0.01 then wait = 0 end  -- float noise of ms since 1970 (see gcra.EPSILON)
if wait > 0 then
  -- a caller re-queued after a policy change keeps the place it already counts for...
  local counted = redis.call('ZSCORE', KEYS[2], ARGV[6])
  local refusal = nil
  if wait > tonumber(ARGV[4]) + 0.01 then
    refusal = 1
  elseif not counted and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
    refusal = 2
  end
  if refusal then
    redis.call('ZREM', KEYS[2], ARGV[6])  -- ...unless it is refused now
    return {refusal, fmt(wait), epoch}
  end
  redis.call('ZADD', KEYS[2], ARGV[7], ARGV[6])
  redis.call('PEXPIRE', KEYS[2], $QUEUE_TTL_MS)
end
local new_tat = math.max(tat, now) + interval
redis.call('HSET', KEYS[1], 'tat', fmt(new_tat))
redis.call('PEXPIRE', KEYS[1], math.ceil(new_tat - now) + 60000)
return {0, fmt(wait), epoch}
""")

# KEYS gcra, queue. ARGV epoch, T, waiter id. Returns an unused reservation: moves `tat`
# back by T if the bucket it came from is still the current one. Reply 1 if returned.
GIVE_BACK = _lua("""
redis.call('ZREM', KEYS[2], ARGV[3])
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat'))
if not tat then return 0 end
redis.call('HSET', KEYS[1], 'tat', fmt(tat - tonumber(ARGV[2])))
return 1
""")

# KEYS gcra. ARGV policy fingerprint, new epoch. Starts a fresh, full bucket unless the
# bucket was already set by this very policy (every process configures on start and on each
# update; only the first of them may reset). Reply {epoch, 1 if reset}.
CONFIGURE = """
local current = redis.call('HGET', KEYS[1], 'epoch')
if current and redis.call('HGET', KEYS[1], 'policy') == ARGV[1] then return {current, 0} end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'policy', ARGV[1], 'epoch', ARGV[2])
return {ARGV[2], 1}
"""

# KEYS leases, queue, line, seq. ARGV now, cap (0 = none), lease expiry, caller id, deadline,
# max_queue_length. A caller may take a slot when fewer callers are ahead of it in line than
# slots are free. Reply {status, earliest lease expiry or ''}: GRANTED (lease taken, caller
# out of the queue), WAITING (in line), TIMED_OUT (deadline passed), LINE_FULL.
LEASE = _lua("""
local now, cap, id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('ZREM', KEYS[3], gone)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local free = 1e18
if cap > 0 then free = cap - redis.call('ZCARD', KEYS[1]) end
local rank = redis.call('ZRANK', KEYS[3], id)
local ahead = rank or redis.call('ZCARD', KEYS[3])
if ahead < free then
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], ARGV[3], id)
  redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3]) - now) + 60000)
  return {0, ''}
end
if not rank then
  if tonumber(ARGV[5]) <= now then return {2, ''} end
  local queued = redis.call('ZSCORE', KEYS[2], id)
  if not queued and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then return {3, ''} end
  redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), id)
  redis.call('PEXPIRE', KEYS[4], $QUEUE_TTL_MS)
  redis.call('ZADD', KEYS[2], ARGV[5], id)
  redis.call('PEXPIRE', KEYS[2], $QUEUE_TTL_MS)
  redis.call('PEXPIRE', KEYS[3], $QUEUE_TTL_MS)
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {1, first[2] or ''}
""")

# KEYS leases, line, queue. ARGV caller id, channel, agent. Drops the caller's lease or place
# in line and announces it, so waiters anywhere re-check. Reply: entries removed.
LEAVE = """
local n = redis.call('ZREM', KEYS[1], ARGV[1]) + redis.call('ZREM', KEYS[2], ARGV[1])
n = n + redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return n
"""


class Scripts:
    """The scripts registered on one client (EVALSHA, reloaded by redis-py after a restart)."""

    def __init__(self, client: "Redis") -> None:
        self.reserve = client.register_script(RESERVE)
        self.give_back = client.register_script(GIVE_BACK)
        self.configure = client.register_script(CONFIGURE)
        self.lease = client.register_script(LEASE)
        self.leave = client.register_script(LEAVE)
