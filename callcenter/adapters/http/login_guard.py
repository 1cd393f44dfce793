"""The login guard of one app process: the address buckets and failed-login locks (staff/throttle.py),
their counters for admins, and the WARNING line when a login gets locked.

The alert names the login, a masked source (network part kept, host part starred, plus a short keyed
hash that tells addresses apart within this process) and the counts — never a password.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import secrets
from collections import Counter
from typing import Any

from callcenter.core.errors import TooManyAttempts
from callcenter.staff.model import LoginLocked
from callcenter.staff.throttle import AddressBuckets, FailedLogins, Lockout, LoginPolicy

log = logging.getLogger(__name__)
MAX_LOCKS_SHOWN = 50


class LoginGuard:
    def __init__(self, policy: LoginPolicy | None = None) -> None:
        self.policy = policy or LoginPolicy()
        self.buckets = AddressBuckets(self.policy)
        self.failures = FailedLogins(self.policy)
        self.counts: Counter[str] = Counter()
        self._key = secrets.token_bytes(16)  # the masked sources' hash key: this process only

    def admit(self, login: str, source: str, now: float) -> None:
        """Before any lookup or hashing: ``TooManyAttempts`` if the address has no token left,
        ``LoginLocked`` if this login is locked from this address."""
        wait = self.buckets.take(source, now)
        if wait > 0:
            self.counts["rate_limited"] += 1
            raise TooManyAttempts("too many attempts from this address; try again later", wait)
        locked = self.failures.locked_for(login, source, now)
        if locked > 0:
            self.counts["refused_locked"] += 1
            raise LoginLocked("too many wrong passwords for this login from here; try again later", locked)

    def failed(self, login: str, source: str, now: float) -> None:
        self.counts["failed"] += 1
        lockout = self.failures.record(login, source, now)
        if lockout is not None:
            self.counts["lockouts"] += 1
            self._alert(lockout)

    def succeeded(self, login: str, source: str, now: float) -> None:
        self.counts["succeeded"] += 1
        self.failures.clear(login, source)
        self.buckets.give_back(source, now)

    def unlock(self, login: str) -> int:
        return self.failures.unlock(login)

    def masked(self, source: str) -> str:
        """``203.0.113.*#1a2b3c4d``: the network part and a keyed hash, never the whole address."""
        tag = hashlib.blake2s(source.encode(), key=self._key, digest_size=4).hexdigest()
        try:
            address = ipaddress.ip_address(source)
        except ValueError:
            return f"*#{tag}"
        if address.version == 4:
            return ".".join(str(address).split(".")[:3]) + f".*#{tag}"
        network = ipaddress.ip_network(f"{address}/48", strict=False).network_address
        return f"{network}*#{tag}"

    def stats(self, now: float) -> dict[str, Any]:
        """Counters since start-up and the pairs locked now (masked sources), for admins."""
        locks = self.failures.locks(now)
        return {
            "since_start": {
                k: self.counts[k]
                for k in ("succeeded", "failed", "lockouts", "refused_locked", "rate_limited")
            },
            "locked_now": len(locks),
            "locks": [
                {"login": login, "source": self.masked(source), "seconds_left": round(left)}
                for login, source, left in locks[:MAX_LOCKS_SHOWN]
            ],
            "tracked": {"addresses": len(self.buckets), "login_sources": len(self.failures)},
            "policy": {
                "attempts_per_minute": self.policy.attempts_per_minute,
                "burst": self.policy.burst,
                "max_failures": self.policy.max_failures,
                "lockout_seconds": self.policy.lockout_seconds,
            },
        }

    def _alert(self, lockout: Lockout) -> None:
        log.warning(
            "login locked: login=%r source=%s failures=%d; this login: %d recent failures from %d "
            "sources; locked for %.0f s from that source only",
            lockout.login,
            self.masked(lockout.source),
            lockout.failures,
            lockout.account_failures,
            lockout.account_sources,
            self.policy.lockout_seconds,
        )
