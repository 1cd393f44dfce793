"""Live transcripts on Redis: the tap registry, pub/sub of every event, the stored finals, coverage.

Keys (``prefix`` default ``cc:live``), see docs/live-transcription.md:

- ``<prefix>:tap:<uuid>`` hash {call_id, speaker, offset_s, server}, 6 h: written before Asterisk opens
  the AudioSocket stream, read by the live worker when the stream says its UUID. No words in it.
- ``<prefix>:call:<call_id>`` pub/sub channel: every LiveEvent as JSON (partials and finals); not stored.
- ``<prefix>:segments:<call_id>`` list of FINAL events as JSON: the caller's words.
- ``<prefix>:covered:<call_id>`` hash speaker -> seconds of that side's recording closed into finals.
- ``<prefix>:started:<call_id>`` hash speaker -> where that side's live stream starts in its recording
  (a stream that started late leaves the recording's head to the after-call job).
- ``<prefix>:ended:<call_id>`` hash speaker -> "1" once that side's stream ended and was flushed.
- ``<prefix>:seq:<call_id>:<speaker>`` counter behind each event's ``seq``.

The per-call keys (all but the tap entries) expire ``ttl_s`` after the call's last write
(``live_transcript_ttl_s``, default 1 h: every write sets the TTL again), and the after-call job deletes
them as soon as the call's transcript is stored (``forget``): the citizen's words live on only in the
database, with the work order.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis

from callcenter.asr.live import LiveEvent, LiveKind, Tap, event_from_json, to_json
from callcenter.asr.model import Speaker
from callcenter.core.ids import CallId

log = logging.getLogger(__name__)

PREFIX = "cc:live"
TAP_TTL_S = 6 * 3600
CALL_TTL_S = 3600  # live_transcript_ttl_s's default (callcenter/config/settings.py)


def _str(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisLiveTranscripts:
    """Works with clients made with or without ``decode_responses``."""

    def __init__(self, redis: Redis, prefix: str = PREFIX, ttl_s: int = CALL_TTL_S) -> None:
        self._redis: Any = redis  # redis-py's reply types are too loose to check usefully
        self._prefix = prefix
        self._ttl_s = ttl_s

    def channel(self, call_id: CallId) -> str:
        return f"{self._prefix}:call:{call_id}"

    def _key(self, what: str, name: str) -> str:
        return f"{self._prefix}:{what}:{name}"

    # --- the tap registry -------------------------------------------------------------------------

    async def register_tap(
        self, uuid: str, call_id: CallId, speaker: Speaker, offset_s: float, server: str
    ) -> None:
        if not math.isfinite(offset_s) or offset_s < 0:
            raise ValueError("offset_s must be a finite number of seconds from 0")
        key = self._key("tap", uuid.lower())
        fields = {
            "call_id": call_id,
            "speaker": speaker.value,
            "offset_s": repr(offset_s),
            "server": server,
            "registered_at": repr(time.time()),  # the live worker measures the stream's real start from it
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=fields)
            pipe.expire(key, TAP_TTL_S)
            await pipe.execute()

    async def tap(self, uuid: str) -> Tap | None:
        """The registered tap, or None when unknown (or its entry is malformed: logged)."""
        raw = await self._redis.hgetall(self._key("tap", uuid.lower()))
        if not raw:
            return None
        fields = {_str(k): _str(v) for k, v in raw.items()}
        try:
            offset = float(fields["offset_s"])
            if not math.isfinite(offset) or not fields["call_id"]:
                raise ValueError("bad offset or empty call id")
            registered = float(fields["registered_at"]) if "registered_at" in fields else None
            return Tap(
                CallId(fields["call_id"]),
                Speaker(fields["speaker"]),
                offset,
                fields.get("server", ""),
                registered if registered is not None and math.isfinite(registered) else None,
            )
        except (KeyError, ValueError) as exc:
            log.error("live tap %s: malformed registry entry (%s): %.200r", uuid, exc, fields)
            return None

    # --- events -----------------------------------------------------------------------------------

    async def next_seq(self, call_id: CallId, speaker: Speaker) -> int:
        """The next event number of one side of a call (1, 2, …), shared by every stream of that side."""
        key = self._key("seq", f"{call_id}:{speaker.value}")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self._ttl_s)
            seq, _ = await pipe.execute()
        return int(seq)

    async def publish(self, event: LiveEvent) -> None:
        """Every event goes to the call's channel; a FINAL is also stored (RPUSH) for the after-call merge."""
        message = to_json(event)
        async with self._redis.pipeline(transaction=True) as pipe:
            if event.kind is LiveKind.FINAL:
                key = self._key("segments", event.call_id)
                pipe.rpush(key, message)
                pipe.expire(key, self._ttl_s)
            pipe.publish(self.channel(event.call_id), message)
            await pipe.execute()

    async def set_covered(self, call_id: CallId, speaker: Speaker, seconds: float) -> None:
        """Everything of ``speaker``'s recording before ``seconds`` is in ``finals`` (never moves back)."""
        key = self._key("covered", call_id)
        current = await self._redis.hget(key, speaker.value)
        if current is not None and float(_str(current)) >= seconds:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, speaker.value, repr(float(seconds)))
            pipe.expire(key, self._ttl_s)
            await pipe.execute()

    async def set_started(self, call_id: CallId, speaker: Speaker, seconds: float) -> None:
        """Where ``speaker``'s live stream starts in the recording (written with its first coverage)."""
        key = self._key("started", call_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, speaker.value, repr(float(seconds)))
            pipe.expire(key, self._ttl_s)
            await pipe.execute()

    async def mark_ended(self, call_id: CallId, speaker: Speaker) -> None:
        key = self._key("ended", call_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, speaker.value, "1")
            pipe.expire(key, self._ttl_s)
            await pipe.execute()

    async def forget(self, call_id: CallId) -> int:
        """Delete the call's stored finals, coverage, end marks and counters (its transcript is stored in
        the database now); how many keys there were."""
        return int(await self._redis.delete(*self.call_keys(call_id)))

    def call_keys(self, call_id: CallId) -> list[str]:
        """Every key this store may hold for one call (tap entries aside: they hold no words)."""
        keys = [self._key(what, call_id) for what in ("segments", "covered", "started", "ended")]
        return keys + [self._key("seq", f"{call_id}:{speaker.value}") for speaker in Speaker]

    # --- reading back -----------------------------------------------------------------------------

    async def finals(self, call_id: CallId) -> list[LiveEvent]:
        """The stored FINAL events in publishing order; a malformed entry is logged and skipped."""
        events = []
        for raw in await self._redis.lrange(self._key("segments", call_id), 0, -1):
            try:
                events.append(event_from_json(raw))
            except ValueError as exc:
                log.warning("live call %s: malformed stored final skipped (%s)", call_id, exc)
        return events

    async def covered(self, call_id: CallId) -> dict[Speaker, float]:
        return await self._seconds("covered", call_id)

    async def started(self, call_id: CallId) -> dict[Speaker, float]:
        return await self._seconds("started", call_id)

    async def _seconds(self, what: str, call_id: CallId) -> dict[Speaker, float]:
        raw = await self._redis.hgetall(self._key(what, call_id))
        result: dict[Speaker, float] = {}
        for name, value in raw.items():
            with contextlib.suppress(ValueError):
                result[Speaker(_str(name))] = float(_str(value))
        return result

    async def ended(self, call_id: CallId) -> set[Speaker]:
        raw = await self._redis.hgetall(self._key("ended", call_id))
        result: set[Speaker] = set()
        for name in raw:
            with contextlib.suppress(ValueError):
                result.add(Speaker(_str(name)))
        return result

    async def subscribe(self, call_id: CallId) -> AsyncIterator[LiveEvent]:
        """Every event of the call published from now on, until the consumer stops iterating (the
        connection is given back then). Malformed messages are logged and skipped."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.channel(call_id))
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                try:
                    event = event_from_json(message["data"])
                except ValueError as exc:
                    log.warning("live call %s: malformed event skipped (%s)", call_id, exc)
                    continue
                yield event
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
            await pubsub.aclose()
