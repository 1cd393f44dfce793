"""Live streams (Server-Sent Events) belong to a login session: each is counted against it and re-checks it.

* **A cap per session.** One session may hold at most ``per_session`` streams at once (default 4: the desk's
  inbox and live transcript, the wallboard, one more tab) in this app process; one more is refused with 429
  ``too_many_streams`` before it opens. Refusing the newcomer rather than closing the oldest keeps the
  streams already open steady: a page whose stream is refused retries every few seconds (its own code), and
  gets a place once a tab is closed — a closed tab's stream is noticed and freed at its next heartbeat.
* **The session re-checked at each heartbeat.** A stream is authorised when it opens, but it may last for
  hours: at least every heartbeat the session is resolved again, and the stream ends when it is gone
  (logged out, expired, the password reset — ``set_password`` deletes the account's sessions — or the
  account disabled) or now names someone else (role or unit changed: the channels chosen at the start are
  no longer the right ones). The browser reconnects and is refused (401) or gets the right channels.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass

from aiohttp import web

from callcenter.adapters.http.api import MEMBER_KEY
from callcenter.adapters.http.auth import CLOCK, COOKIE, STAFF
from callcenter.adapters.http.refusals import TooManyStreams
from callcenter.staff.model import NotAuthenticated, StaffMember

log = logging.getLogger(__name__)

DEFAULT_PER_SESSION = 4


@dataclass(eq=False)
class StreamLease:
    """One open stream of a session; ``holds()`` says whether it may go on."""

    streams: SessionStreams
    key: str
    token: str
    member: StaffMember
    app: web.Application
    every: float
    checked_at: float  # the event loop's time of the last check (or the opening)
    released: bool = False

    async def holds(self, now: float) -> bool:
        """False once the session is gone or names someone else; asks the store at most every ``every`` s
        (``now``: the event loop's monotonic time)."""
        if now - self.checked_at < self.every:
            return True
        self.checked_at = now
        try:
            current = await self.app[STAFF].resolve(self.token, self.app[CLOCK].now())
        except Exception:  # the store unreachable: end the stream; the browser reconnects when it is back
            log.warning(
                "stream of %s: session check failed; ending the stream", self.member.id, exc_info=True
            )
            return False
        if current is None or current.actor != self.member.actor:
            log.info("stream of %s ends: the session is no longer valid", self.member.id)
            return False
        return True

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.streams.release(self.key)


class SessionStreams:
    """The streams open per session (by the hash of its token), at most ``per_session`` each."""

    def __init__(self, per_session: int = DEFAULT_PER_SESSION) -> None:
        if per_session < 1:
            raise ValueError("per_session must be at least 1")
        self.per_session = per_session
        self._open: dict[str, int] = {}

    def open(self, request: web.Request, every: float) -> StreamLease:
        """A lease for a stream of the request's session; ``TooManyStreams`` when the session is full."""
        token = request.cookies.get(COOKIE)
        if MEMBER_KEY not in request or not token:
            raise NotAuthenticated("please log in")
        key = hashlib.sha256(token.encode()).hexdigest()
        held = self._open.get(key, 0)
        if held >= self.per_session:
            raise TooManyStreams(
                f"at most {self.per_session} live streams per login; close another page first",
                limit=self.per_session,
            )
        self._open[key] = held + 1
        now = asyncio.get_running_loop().time()
        return StreamLease(self, key, token, request[MEMBER_KEY], request.app, every, now)

    def release(self, key: str) -> None:
        left = self._open.get(key, 0) - 1
        if left > 0:
            self._open[key] = left
        else:
            self._open.pop(key, None)

    def held(self) -> int:
        """Streams open in all sessions."""
        return sum(self._open.values())


SESSION_STREAMS = web.AppKey("session_streams", SessionStreams)


def open_stream(request: web.Request, every: float) -> StreamLease:
    """A lease for a new stream of this request's session, re-checked every ``every`` seconds."""
    return request.app[SESSION_STREAMS].open(request, every)
