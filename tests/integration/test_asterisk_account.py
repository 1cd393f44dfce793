"""Asterisk's own unprivileged account and the ownership of an instance's files (issue 11), on real files.

These run as root (as the test suite does): the account is read from a runtime's /etc/passwd, and the
ownership pass really changes owners and modes in a temporary tree.
"""

from __future__ import annotations

import pwd
import stat
from pathlib import Path, PurePosixPath

import pytest

from callcenter.adapters.asterisk import AsteriskNotInstalled, AsteriskRuntime
from callcenter.adapters.asterisk.account import ServiceAccount, service_account
from callcenter.adapters.asterisk.ownership import Tree, apply


def chroot_with(tmp_path: Path, uid: int, gid: int) -> AsteriskRuntime:
    (tmp_path / "etc").mkdir()
    account = f"asterisk:x:{uid}:{gid}:Asterisk PBX daemon:/var/lib/asterisk:/usr/sbin/nologin"
    (tmp_path / "etc" / "passwd").write_text(f"root:x:0:0:root:/root:/bin/bash\n{account}\n")
    return AsteriskRuntime("chroot", tmp_path, PurePosixPath("/usr/sbin/asterisk"))


def unused_uid() -> int:
    taken = {p.pw_uid for p in pwd.getpwall()}
    return next(uid for uid in range(60000, 65000) if uid not in taken)


def test_the_chroots_asterisk_account_is_used_when_its_uid_is_no_other_host_account(tmp_path: Path) -> None:
    uid = unused_uid()
    assert service_account(chroot_with(tmp_path, uid, uid)) == ServiceAccount("asterisk", uid, uid)


def test_a_chroot_uid_that_is_another_host_account_is_refused(tmp_path: Path) -> None:
    """Debian sid's asterisk is uid 101, the host's postgres on many machines: it would own the database."""
    other = next(p for p in pwd.getpwall() if p.pw_uid != 0 and p.pw_name != "asterisk")
    with pytest.raises(AsteriskNotInstalled, match=other.pw_name):
        service_account(chroot_with(tmp_path, other.pw_uid, other.pw_gid))


def test_root_is_never_the_account(tmp_path: Path) -> None:
    with pytest.raises(AsteriskNotInstalled):
        service_account(chroot_with(tmp_path, 0, 0))


def test_an_instance_made_by_root_is_handed_over_and_nothing_is_left_to_others(tmp_path: Path) -> None:
    account = ServiceAccount("asterisk", unused_uid(), unused_uid())
    root = tmp_path / "hotline"
    names = {
        "etc": "asterisk.conf",
        "lib": "astdb.sqlite3",
        "recordings": "20261124/old-caller.wav",
        "log": "queue_log",
    }
    for directory, file in names.items():
        (root / directory / file).parent.mkdir(parents=True)
        (root / directory / file).write_text("x")
        (root / directory / file).chmod(0o644)  # as Asterisk running as root used to leave them
    tree = Tree(root, (root / "etc",), (root / "lib",), (root / "recordings", root / "log"))

    apply(tree, account, reader_gid=4242)
    apply(tree, account, reader_gid=4242)  # idempotent

    def owner_mode(relative: str) -> tuple[int, int, int]:
        info = (root / relative).stat()
        return info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)

    assert owner_mode("etc/asterisk.conf") == (0, account.gid, 0o640)
    assert owner_mode("lib/astdb.sqlite3") == (account.uid, account.gid, 0o640)
    assert owner_mode("recordings") == (account.uid, 4242, 0o2770)
    assert owner_mode("recordings/20261124") == (account.uid, 4242, 0o2770)
    assert owner_mode("recordings/20261124/old-caller.wav") == (account.uid, 4242, 0o640)
    assert owner_mode("log/queue_log") == (account.uid, 4242, 0o640)
    assert owner_mode(".")[2] & 0o006 == 0
