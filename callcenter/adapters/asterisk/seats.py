"""One SIP secret per seat phone (坐席话机密码), kept in a small SQLite file that Asterisk reads live.

PJSIP takes the ``auth`` objects of the seat phones from this file through sorcery's realtime wizard
(asterisk_conf/sorcery.conf, extconfig.conf, res_config_sqlite3.conf): every REGISTER or INVITE of a seat
phone looks its secret up here, so a rotation takes effect at the phone's next request without any
reload. That is the least-privilege way to change a secret while Asterisk runs: the AMI ``Reload`` action
needs the ``system`` or ``config`` write class (manager.c registers it with EVENT_FLAG_CONFIG |
EVENT_FLAG_SYSTEM), and either opens a way to a shell (Originate of System(), UpdateConfig of any .conf);
the app's AMI user has neither. The app only writes rows of data here.

Who writes: the process that owns the file — on one machine the instance manager (root, at render) and
the app; in containers the app, on a volume Asterisk mounts read-only. The file is the app's, in the
asterisk group, mode 0640 (ownership.py); secrets never leave it except to an admin who rotates one
(shown once) and to the scripted test and demo phones on the same machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from callcenter.core.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

FILE_MODE = 0o640
_SEAT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")  # the same rule as PJSIP endpoint names (settings.py)
_SCHEMA = (
    # Columns of Asterisk's ps_auths that a userpass auth needs; Asterisk only ever reads this table.
    "CREATE TABLE IF NOT EXISTS ps_auths (id VARCHAR(40) PRIMARY KEY, auth_type VARCHAR(20) NOT NULL,"
    " username VARCHAR(40) NOT NULL, password VARCHAR(80) NOT NULL)",
    # When and by whom each secret was last set (Asterisk ignores this table).
    "CREATE TABLE IF NOT EXISTS seat_rotations (seat VARCHAR(40) PRIMARY KEY, rotated_at VARCHAR(40),"
    " rotated_by VARCHAR(64))",
)


@dataclass(frozen=True, slots=True)
class SeatSecretInfo:
    """A seat's secret without the secret: what the admin page lists."""

    seat: str
    rotated_at: str | None  # ISO 8601, None: generated at first start and never rotated
    rotated_by: str | None


def new_secret() -> str:
    """24 URL-safe characters (144 bits): nothing a SIP digest or a softphone's form would mangle."""
    return secrets.token_urlsafe(18)


class SeatSecrets:
    """The seat secrets file at ``path`` (this host's path). Synchronous: call it off the event loop."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def ensure(self, seats: Sequence[str]) -> list[str]:
        """Every seat has a secret (new seats get a generated one, kept for good); rows of seats that no
        longer exist are removed. Returns the seats that got a new secret. Idempotent."""
        for seat in seats:
            _check_seat(seat)
        if not self.path.exists():  # created private: the secrets are never readable by others
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                db.execute(statement)
            known = {row[0] for row in db.execute("SELECT id FROM ps_auths")}
            added = [seat for seat in seats if seat not in known]
            db.executemany(
                "INSERT INTO ps_auths (id, auth_type, username, password) VALUES (?, 'userpass', ?, ?)",
                [(seat, seat, new_secret()) for seat in added],
            )
            gone = sorted(known - set(seats))
            db.executemany("DELETE FROM ps_auths WHERE id = ?", [(seat,) for seat in gone])
            db.executemany("DELETE FROM seat_rotations WHERE seat = ?", [(seat,) for seat in gone])
            db.execute("COMMIT")
        self.path.chmod(FILE_MODE)
        if added or gone:
            log.info("seat secrets: %d generated, %d removed (%s)", len(added), len(gone), self.path)
        return added

    def secret(self, seat: str) -> str:
        """The seat's current secret (test and demo phones on this machine; never over the API)."""
        with self._connection() as db:
            row = db.execute("SELECT password FROM ps_auths WHERE id = ?", (seat,)).fetchone()
        if row is None:
            raise NotFound("no such seat phone", seat=seat[:40])
        return str(row[0])

    def rotate(self, seat: str, by: str, at: datetime) -> str:
        """A new secret for ``seat``, in force at the phone's next request; returned once to the caller."""
        secret = new_secret()
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            changed = db.execute("UPDATE ps_auths SET password = ? WHERE id = ?", (secret, seat)).rowcount
            if not changed:
                db.execute("ROLLBACK")
                raise NotFound("no such seat phone", seat=seat[:40])
            db.execute(
                "INSERT INTO seat_rotations (seat, rotated_at, rotated_by) VALUES (?, ?, ?)"
                " ON CONFLICT (seat) DO UPDATE SET rotated_at = excluded.rotated_at,"
                " rotated_by = excluded.rotated_by",
                (seat, at.isoformat(), by),
            )
            db.execute("COMMIT")
        log.info("seat %s: SIP secret rotated by %s", seat, by)
        return secret

    def listing(self) -> list[SeatSecretInfo]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT a.id, r.rotated_at, r.rotated_by FROM ps_auths a"
                " LEFT JOIN seat_rotations r ON r.seat = a.id ORDER BY a.id"
            ).fetchall()
        return [SeatSecretInfo(str(seat), at, by) for seat, at, by in rows]

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        try:
            yield db
        finally:
            db.close()


def _check_seat(seat: str) -> None:
    if not _SEAT.match(seat):
        raise InvalidInput("a seat phone's name is a plain identifier", seat=seat[:40])


class SeatSecretStore:
    """The seat secrets file for the app: the same operations, off the event loop."""

    def __init__(self, secrets_file: SeatSecrets) -> None:
        self._file = secrets_file

    def writable(self) -> bool:
        """This process may create or change the file (else another process keeps it)."""
        path = self._file.path
        return os.access(path, os.W_OK) if path.exists() else os.access(path.parent, os.W_OK)

    async def ensure(self, seats: Sequence[str]) -> list[str]:
        return await asyncio.to_thread(self._file.ensure, seats)

    async def listing(self) -> list[SeatSecretInfo]:
        return await asyncio.to_thread(self._file.listing)

    async def rotate(self, seat: str, by: str, at: datetime) -> str:
        return await asyncio.to_thread(self._file.rotate, seat, by, at)
