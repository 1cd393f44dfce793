"""The unprivileged account Asterisk runs as, and how it is started under it (issue 11).

Rule: Asterisk never runs as root. Started by root (``./hotline up``, the tests), it is started directly as
the runtime's ``asterisk`` user: the child chroots (for a chroot runtime), takes the account's uid and gid
and only then executes Asterisk, so not even Asterisk's start-up runs privileged, and the parent-death
signal (tests: no orphan when the test run dies) survives, which it would not if Asterisk changed its own
uid with ``-U``. Started by anyone else (the container image's ``asterisk`` user), it runs as that user.

In a chroot the account's uid is a number on the host too: setup.sh gives the chroot's ``asterisk`` the
uid of a host system account of the same name, so it can never be another host account's (Debian sid's
default uid 101 is ``postgres`` on many hosts). ``service_account`` refuses to run under a uid that
belongs to a different host account.
"""

from __future__ import annotations

import os
import pwd
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from callcenter.adapters.asterisk.errors import AsteriskNotInstalled
from callcenter.adapters.asterisk.runtime import AsteriskRuntime
from callcenter.adapters.parent_death import die_with_parent as dies_with_parent

ACCOUNT = "asterisk"
# Asterisk creates files 0666 and directories 0777 minus the umask (it never sets one itself): with 007,
# recordings, logs and the astdb are for the asterisk user and the group of their directory only.
UMASK = 0o007
FIX = "re-run `bash scripts/setup.sh asterisk_runtime`"


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    name: str
    uid: int
    gid: int


def service_account(runtime: AsteriskRuntime) -> ServiceAccount | None:
    """The account to start Asterisk as; None when we are not root (Asterisk then runs as we do)."""
    if os.geteuid() != 0:
        return None
    users = _table(runtime.host_path("/etc/passwd"))
    if ACCOUNT not in users:
        raise AsteriskNotInstalled(f"the Asterisk runtime has no user {ACCOUNT!r}: {FIX}")
    uid, gid = int(users[ACCOUNT][2]), int(users[ACCOUNT][3])
    if uid == 0 or gid == 0:
        raise AsteriskNotInstalled(f"the Asterisk runtime's user {ACCOUNT!r} is root: {FIX}")
    if runtime.kind == "chroot":
        _check_not_shared(uid)
    return ServiceAccount(ACCOUNT, uid, gid)


def _table(path: Path) -> dict[str, list[str]]:
    """/etc/passwd or /etc/group as {name: fields}."""
    rows = (line.split(":") for line in path.read_text(encoding="utf-8").splitlines() if ":" in line)
    return {fields[0]: fields for fields in rows}


def _check_not_shared(uid: int) -> None:
    """The chroot's uid must not be a different host account's (it would own that account's files)."""
    try:
        host_name = pwd.getpwuid(uid).pw_name
    except KeyError:
        return
    if host_name != ACCOUNT:
        raise AsteriskNotInstalled(
            f"the Asterisk chroot's user {ACCOUNT!r} has uid {uid}, which is the host's {host_name!r}: {FIX}"
        )


def daemon_argv(runtime: AsteriskRuntime, account: ServiceAccount | None, *args: str) -> list[str]:
    """The command line of the Asterisk daemon: as root the chroot happens in ``become`` instead."""
    if account is None:
        return runtime.argv(*args)
    return [str(runtime.binary), *args]


def become(
    runtime: AsteriskRuntime, account: ServiceAccount | None, die_with_parent: bool
) -> Callable[[], None]:
    """The child's set-up before Asterisk is executed: umask; then, as root, chroot and the account's ids;
    last the parent-death signal (after the uid change, which would clear it)."""
    root = str(runtime.root) if account is not None and runtime.kind == "chroot" else None

    def setup() -> None:
        os.umask(UMASK)
        if root is not None:
            os.chroot(root)
            os.chdir("/")
        if account is not None:
            os.setgroups([account.gid])
            os.setgid(account.gid)
            os.setuid(account.uid)
        if die_with_parent:  # SIGKILL: on SIGTERM Asterisk stops gracefully, waiting for calls to end
            dies_with_parent(signal.SIGKILL)

    return setup
