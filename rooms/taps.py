"""The tap pipeline in Redis: one atomic script per packet, no database row per tap.

Keys of room ``R`` share the hash tag ``{room:R}`` (one Redis Cluster slot):
``taps`` (user → count), ``reached`` (user → ms the count last grew), ``lastts`` (user → last
client timestamp), ``win:<user>`` (recent packets for the 2-second anti-cheat window),
``cheaters`` (set) and ``first`` (who reached the hero target first). Redis's own clock is the
authority, so players spread over several web processes are judged alike.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings

from chancetap.runtime.redis_client import redis_async_client, redis_sync_client
from rooms.engine import TapRefusal

TTL_SECONDS = 3600
BONUS_TTL_SECONDS = 2 * 86400  # a bonus run lasts up to 24 h; its taps outlive it

# The tap rules of rooms.engine.TapBook, ported to Redis (rooms/tests/test_tap_book.py holds the
# two to the same verdicts on random packet streams). A web process flushes all packets its
# sockets received for one room in one call per tick, and learns in the same call whether the
# room's counts moved (its own or other processes' packets); the bonus room sends one packet per
# call. The server decides, by the time the receiving process got each packet:
# - after the end (``ends_ms``) or after a hero room has its winner (``first`` is set), a packet is
#   refused (-4) and never counted, however late the flush or the settlement runs;
# - the 2-second anti-cheat window is kept here, per room and player, for all processes alike (a
#   player with a socket on each of two processes is judged on the sum): a sorted set of the
#   player's recent packets scored by received ms. (The receiving process's own window still flags
#   what it alone saw — ``flagged`` — which only ever agrees with this one.)
# Timestamps going backwards are checked against the last one in Redis, so a packet replayed after
# a reconnect is refused whichever process gets it.
# ARGV: known version, target, ttl, n, window ms, limit, ends ms (0: unknown), then
# n × (user, count, client ts, received ms, flagged).
# Returns {version, {code, first, …per packet}, counts as a flat list or {} if unchanged}.
FLUSH_SCRIPT = """
local prefix = KEYS[1]
local known, target = tonumber(ARGV[1]), tonumber(ARGV[2])
local ttl, n = tonumber(ARGV[3]), tonumber(ARGV[4])
local window_ms, limit, ends_ms = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local cheaters, lastts, tapsk = prefix .. 'cheaters', prefix .. 'lastts', prefix .. 'taps'
local finished = redis.call('EXISTS', prefix .. 'first') == 1
local results = {}
local accepted = false

local function over_limit(user, received, count)
  local win = prefix .. 'win:' .. user
  local seq = redis.call('INCR', prefix .. 'wseq')
  redis.call('ZADD', win, received, seq .. ':' .. count)
  redis.call('ZREMRANGEBYSCORE', win, '-inf', received - 2 * window_ms)
  redis.call('PEXPIRE', win, 4 * window_ms)
  local total = 0
  for _, entry in ipairs(redis.call('ZRANGEBYSCORE', win, '(' .. (received - window_ms), '+inf')) do
    total = total + tonumber(string.sub(entry, string.find(entry, ':') + 1))
  end
  return total > limit
end

for i = 0, n - 1 do
  local base = 8 + 5 * i
  local user, count = ARGV[base], tonumber(ARGV[base + 1])
  local client_ts, received = tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  local code, first = 0, 0
  if finished or (ends_ms > 0 and received > ends_ms) then
    code = -4
  elseif redis.call('SISMEMBER', cheaters, user) == 1 then
    code = -1
  elseif ARGV[base + 4] == '1' or over_limit(user, received, count) then
    redis.call('SADD', cheaters, user)
    redis.call('EXPIRE', cheaters, ttl)
    code = -3
  else
    local last = redis.call('HGET', lastts, user)
    if last and client_ts < tonumber(last) then
      code = -2
    else
      redis.call('HSET', lastts, user, client_ts)
      code = redis.call('HINCRBY', tapsk, user, count)
      redis.call('HSET', prefix .. 'reached', user, received)
      accepted = true
      if target > 0 and code >= target then
        if redis.call('SET', prefix .. 'first', user, 'NX', 'EX', ttl) then first = 1 end
        finished = true
      end
    end
  end
  results[#results + 1] = code
  results[#results + 1] = first
end
if accepted then
  redis.call('INCR', prefix .. 'ver')
  for _, k in ipairs({'taps', 'reached', 'lastts', 'ver', 'wseq'}) do
    redis.call('EXPIRE', prefix .. k, ttl)
  end
end
local version = tonumber(redis.call('GET', prefix .. 'ver') or '0')
local counts = {}
if version ~= known then counts = redis.call('HGETALL', tapsk) end
return {version, results, counts}
"""

STATUS = {
    -1: TapRefusal.CHEATER,
    -2: TapRefusal.BACKWARDS,
    -3: TapRefusal.FLAGGED,
    -4: TapRefusal.NOT_PLAYING,
}


def prefix(room_id: int) -> str:
    return f"{{room:{room_id}}}:"


def bonus_prefix(run_id: int) -> str:
    """Bonus runs use the same keys and script as rooms, under their own hash tag."""
    return f"{{bonus:{run_id}}}:"


BONUS_ADD_SCRIPT = """
local taps = redis.call('HINCRBY', KEYS[1] .. 'taps', ARGV[1], tonumber(ARGV[2]))
redis.call('EXPIRE', KEYS[1] .. 'taps', tonumber(ARGV[4]))
local first = 0
if taps >= tonumber(ARGV[3]) then
  local ttl = tonumber(ARGV[4])
  if redis.call('SET', KEYS[1] .. 'first', ARGV[1], 'NX', 'EX', ttl) then first = 1 end
end
return {taps, first}
"""


@dataclass(frozen=True)
class TapResult:
    taps: int
    first_to_target: bool
    server_ms: int
    refused: TapRefusal | None = None


def _result(code: int, first: int, server_ms: int = 0) -> TapResult:
    if code < 0:
        return TapResult(taps=0, first_to_target=False, server_ms=server_ms, refused=STATUS[code])
    return TapResult(taps=code, first_to_target=bool(first), server_ms=server_ms)


@lru_cache(maxsize=1)
def sync_client() -> redis.Redis:
    return redis_sync_client(settings.REDIS_URL, decode_responses=True)


def taps_record(
    room_id: int,
    user_id: int,
    count: int,
    client_ts: int,
    *,
    window_ms: int = 2000,
    limit: int = 50,
    target: int = 0,
    key_prefix: str | None = None,
) -> TapResult:
    """One packet, received now, through the flush script (tests and tools; the web processes
    batch theirs with ``rooms_flush_async``)."""
    received_ms = int(time.time() * 1000)
    request = FlushRequest(
        room_id=room_id,
        known_version=-1,
        target=target,
        packets=[(user_id, count, client_ts, received_ms, False)],
        window_ms=window_ms,
        limit=limit,
    )
    reply = sync_client().eval(
        FLUSH_SCRIPT, 1, key_prefix or prefix(room_id), *_flush_args(request)
    )
    flat = reply[1]
    return _result(int(flat[0]), int(flat[1]), received_ms)


@dataclass(frozen=True)
class RoomTaps:
    taps: dict[int, int]
    reached_ms: dict[int, int]
    cheaters: frozenset[int]
    first_to_target: int | None


def room_taps_read(room_id: int) -> RoomTaps:
    client = sync_client()
    p = prefix(room_id)
    pipe = client.pipeline()
    pipe.hgetall(p + "taps")
    pipe.hgetall(p + "reached")
    pipe.smembers(p + "cheaters")
    pipe.get(p + "first")
    taps, reached, cheaters, first = pipe.execute()
    return RoomTaps(
        taps={int(k): int(v) for k, v in taps.items()},
        reached_ms={int(k): int(v) for k, v in reached.items()},
        cheaters=frozenset(int(c) for c in cheaters),
        first_to_target=int(first) if first else None,
    )


_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary()
)


def async_client() -> aioredis.Redis:
    """One asyncio Redis client per event loop (connections belong to the loop that made them)."""
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        client = redis_async_client(settings.REDIS_URL, decode_responses=True)
        _async_clients[loop] = client
    return client


@dataclass(frozen=True)
class FlushRequest:
    """One room's packets received by this process since the last tick (possibly none)."""

    room_id: int
    known_version: int
    target: int
    # (user, count, client ts ms, received ms, broke the anti-cheat window)
    packets: list[tuple[int, int, int, int, bool]]
    ends_ms: int = 0  # the game's end: packets received later are refused (0: not known)
    window_ms: int = 2_000  # the anti-cheat rule (rooms.engine.Rules)
    limit: int = 50
    ttl_seconds: int = TTL_SECONDS
    key_prefix: str | None = None  # default: the room's keys; bonus runs pass bonus_prefix()

    @property
    def keys_prefix(self) -> str:
        return self.key_prefix or prefix(self.room_id)


def _flush_args(r: FlushRequest) -> list[int]:
    args = [r.known_version, r.target, r.ttl_seconds, len(r.packets), r.window_ms, r.limit]
    args.append(r.ends_ms)
    for user, count, client_ts, received_ms, flagged in r.packets:
        args += [user, count, client_ts, received_ms, int(flagged)]
    return args


@dataclass(frozen=True)
class RoomFlush:
    room_id: int
    version: int
    results: list[TapResult]  # one per packet, in order
    counts: dict[str, int] | None  # every player's count when the version moved, else None


def _pairs(flat: list[Any]) -> dict[str, int]:
    return {str(flat[i]): int(flat[i + 1]) for i in range(0, len(flat), 2)}


async def rooms_flush_async(
    client: aioredis.Redis, requests: list[FlushRequest]
) -> list[RoomFlush | Exception]:
    """Count the rooms' packets and read their changed counts.

    One pipelined round trip: a script call for each room with packets, a plain ``GET`` of the
    version for each room without (the common case for rooms whose players sit on other
    processes) — plus a second round trip for the counts of those whose version moved.
    """
    script = client.register_script(FLUSH_SCRIPT)
    pipe = client.pipeline(transaction=False)
    for r in requests:
        if not r.packets:
            pipe.get(r.keys_prefix + "ver")
            continue
        await script(keys=[r.keys_prefix], args=_flush_args(r), client=pipe)
    replies = await pipe.execute(raise_on_error=False)
    out: list[RoomFlush | Exception] = []
    moved: list[int] = []
    for index, (r, reply) in enumerate(zip(requests, replies, strict=True)):
        if isinstance(reply, Exception):
            out.append(reply)
        elif not r.packets:
            version = int(reply or 0)
            out.append(RoomFlush(r.room_id, version, [], None))
            if version != r.known_version:
                moved.append(index)
        else:
            version, flat, counts = int(reply[0]), reply[1], reply[2]
            results = [_result(int(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2)]
            changed = _pairs(counts) if version != r.known_version else None
            out.append(RoomFlush(r.room_id, version, results, changed))
    if moved:
        pipe = client.pipeline(transaction=False)
        for index in moved:
            pipe.hgetall(requests[index].keys_prefix + "taps")
        for index, taps in zip(moved, await pipe.execute(raise_on_error=False), strict=True):
            done = out[index]
            if isinstance(taps, Exception):
                out[index] = taps
            elif isinstance(done, RoomFlush):
                counts = {str(k): int(v) for k, v in taps.items()}
                out[index] = RoomFlush(done.room_id, done.version, [], counts)
    return out


async def bonus_add_many_async(
    client: aioredis.Redis, adds: list[tuple[int, int, int, int]]
) -> list[tuple[int, bool] | Exception]:
    """``bonus_add_async`` for many (run, user, count, target) in one pipelined round trip."""
    script = client.register_script(BONUS_ADD_SCRIPT)
    pipe = client.pipeline(transaction=False)
    for run_id, user_id, count, target in adds:
        await script(
            keys=[bonus_prefix(run_id)], args=[user_id, count, target, 2 * 86400], client=pipe
        )
    replies = await pipe.execute(raise_on_error=False)
    return [
        reply if isinstance(reply, Exception) else (int(reply[0]), bool(int(reply[1])))
        for reply in replies
    ]


async def room_progress_async(
    client: aioredis.Redis, room_id: int, known_version: int
) -> tuple[int, dict[int, int]] | None:
    """The room's counts when they changed since ``known_version`` (one GET when they did not)."""
    p = prefix(room_id)
    version = int(await client.get(p + "ver") or 0)
    if version == known_version:
        return None
    taps = await client.hgetall(p + "taps")
    return version, {int(k): int(v) for k, v in taps.items()}


async def bonus_add_async(
    client: aioredis.Redis, run_id: int, user_id: int, count: int, target: int
) -> tuple[int, bool]:
    """Add already-accepted game taps to a bonus run; (total, reached the target first)."""
    raw = await client.eval(
        BONUS_ADD_SCRIPT, 1, bonus_prefix(run_id), user_id, count, target, 2 * 86400
    )
    return int(raw[0]), bool(int(raw[1]))


def bonus_taps_read(run_id: int, user_id: int) -> int:
    return int(sync_client().hget(bonus_prefix(run_id) + "taps", str(user_id)) or 0)
