"""Login throttling: a token bucket per source address, and failed-login locks per (login, address).

Why two: Argon2 is slow and memory-hard on purpose, so every guess costs the server as much as the
guesser; the bucket stops one address from making many guesses (or many hashes) in a short time, before
any hashing. The lock stops one address from guessing one account's password: five wrong passwords for
a login from one address refuse that login *from that address* for a while — never the account from
everywhere, so an attacker hammering ``admin`` cannot lock the real admin out of their own desk.

Both tables live in memory and are bounded: at most ``max_tracked`` keys each, the least recently used
dropped first, and entries that have nothing left to say (a full bucket, failures older than the
window) dropped as the tables are used — so junk logins cannot grow the process. Times are seconds
from any fixed origin, passed in by the caller (rules never read the clock).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    attempts_per_minute: float = 10.0  # per source address, the bucket's refill
    burst: int = 5  # attempts an address may make at once
    max_failures: int = 5  # wrong passwords for one login from one address before it is locked there
    lockout_seconds: float = 900.0  # how long that lock lasts, and the window failures are counted in
    max_tracked: int = 10_000  # keys per table (addresses; login+address pairs)


class AddressBuckets:
    """One token bucket per source address; an attempt takes a token, a successful login gives it back
    (so many staff behind one NAT address logging in at shift start are never held up)."""

    def __init__(self, policy: LoginPolicy) -> None:
        self._policy = policy
        self._rate = policy.attempts_per_minute / 60.0
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # address → (tokens, at)

    def take(self, address: str, now: float) -> float:
        """0.0 when a token was taken; else the seconds until the next one."""
        tokens = self._tokens(address, now)
        if tokens < 1.0:
            return (1.0 - tokens) / self._rate
        self._store(address, tokens - 1.0, now)
        return 0.0

    def give_back(self, address: str, now: float) -> None:
        if address in self._buckets:
            self._store(address, min(float(self._policy.burst), self._tokens(address, now) + 1.0), now)

    def _tokens(self, address: str, now: float) -> float:
        tokens, at = self._buckets.get(address, (float(self._policy.burst), now))
        return min(float(self._policy.burst), tokens + max(0.0, now - at) * self._rate)

    def _store(self, address: str, tokens: float, now: float) -> None:
        self._buckets[address] = (tokens, now)
        self._buckets.move_to_end(address)
        self._prune(now)

    def _prune(self, now: float) -> None:
        """Drop the least recently used buckets beyond the bound, and full ones (the same as none)."""
        while len(self._buckets) > self._policy.max_tracked:
            self._buckets.popitem(last=False)
        while self._buckets:
            oldest = next(iter(self._buckets))
            if self._tokens(oldest, now) < self._policy.burst:
                break
            del self._buckets[oldest]

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass(slots=True)
class _Failures:
    times: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


@dataclass(frozen=True, slots=True)
class Lockout:
    """A login locked for one source address (the alert says so, with the account's wider picture)."""

    login: str
    source: str
    failures: int  # wrong passwords from this source that made the lock
    account_failures: int  # recent wrong passwords for this login from every tracked source
    account_sources: int  # how many sources those came from
    until: float


class FailedLogins:
    """Recent wrong passwords per (login, source address); ``max_failures`` within ``lockout_seconds``
    lock that pair for ``lockout_seconds``. Bounded like ``AddressBuckets``."""

    def __init__(self, policy: LoginPolicy) -> None:
        self._policy = policy
        self._pairs: OrderedDict[tuple[str, str], _Failures] = OrderedDict()
        self._sources: dict[str, set[str]] = {}  # login → sources with a record (the account's picture)

    def locked_for(self, login: str, source: str, now: float) -> float:
        """Seconds this pair stays locked; 0.0 when it is not."""
        record = self._pairs.get((login, source))
        return max(0.0, record.locked_until - now) if record is not None else 0.0

    def record(self, login: str, source: str, now: float) -> Lockout | None:
        """One more wrong password; the ``Lockout`` when this one locks the pair. (The failures are kept:
        all lie within the window before the lock, so they have aged out when it ends.)"""
        key = (login, source)
        record = self._pairs.pop(key, None) or _Failures()
        self._pairs[key] = record  # now the most recently used
        self._sources.setdefault(login, set()).add(source)
        self._forget_old(record, now)
        record.times.append(now)
        lockout = None
        if len(record.times) >= self._policy.max_failures:
            record.locked_until = now + self._policy.lockout_seconds
            failures, sources = self.account_failures(login, now)
            lockout = Lockout(login, source, len(record.times), failures, sources, record.locked_until)
        self._prune(now)
        return lockout

    def clear(self, login: str, source: str) -> None:
        """A right password from this source: its count starts again."""
        self._drop((login, source))

    def unlock(self, login: str) -> int:
        """An admin's unlock (or password reset): every source's record for ``login``; how many."""
        keys = [(login, s) for s in self._sources.get(login, set())]
        for key in keys:
            self._drop(key)
        return len(keys)

    def account_failures(self, login: str, now: float) -> tuple[int, int]:
        """Recent wrong passwords for ``login`` across tracked sources, and how many sources."""
        counts = [self._recent(self._pairs[(login, s)], now) for s in self._sources.get(login, set())]
        return sum(counts), sum(1 for c in counts if c)

    def locks(self, now: float) -> list[tuple[str, str, float]]:
        """(login, source, seconds left) of every pair locked now, longest first."""
        pairs = self._pairs.items()
        found = [
            (login, source, r.locked_until - now) for (login, source), r in pairs if r.locked_until > now
        ]
        return sorted(found, key=lambda lock: -lock[2])

    def __len__(self) -> int:
        return len(self._pairs)

    def _recent(self, record: _Failures, now: float) -> int:
        return sum(1 for t in record.times if now - t < self._policy.lockout_seconds)

    def _forget_old(self, record: _Failures, now: float) -> None:
        while record.times and now - record.times[0] >= self._policy.lockout_seconds:
            record.times.popleft()

    def _expired(self, record: _Failures, now: float) -> bool:
        return record.locked_until <= now and self._recent(record, now) == 0

    def _prune(self, now: float) -> None:
        while len(self._pairs) > self._policy.max_tracked:
            self._drop(next(iter(self._pairs)))
        while self._pairs:
            oldest = next(iter(self._pairs))
            if not self._expired(self._pairs[oldest], now):
                break
            self._drop(oldest)

    def _drop(self, key: tuple[str, str]) -> None:
        if self._pairs.pop(key, None) is None:
            return
        login, source = key
        sources = self._sources.get(login, set())
        sources.discard(source)
        if not sources:
            self._sources.pop(login, None)
