"""Owners and modes of an instance's directories, so that Asterisk runs unprivileged (issue 11).

Applied by root at every render (idempotent; it also moves instances made by earlier versions, when
Asterisk ran as root, to the new owners). Nothing of an instance is readable by "others":

* instance root: root:asterisk 0751 — others may pass through (to the shared directories), not list it;
* etc, sounds, moh: root:asterisk, directories 0750, files 0640 — Asterisk reads its configuration (the
  AMI secret) and prompts and cannot change them;
* run, lib, keys, spool, cache: asterisk:asterisk 0770 — Asterisk's own state (astdb: persistent members);
* log, recordings: asterisk:<reader> 2770 — setgid: every log and recording Asterisk creates belongs to the
  reader group, mode 0660 with Asterisk's umask 007: readable by the app, by nobody else;
* seats: <app>:asterisk 2750, files 0640 — the seat secrets file (seats.py): the app writes it, Asterisk
  only reads it.

``reader`` is the app's group: the group of the process that renders (root's in the one-machine setup).
The app may delete files in ``recordings`` (empty recordings, issue 11): hence group write on it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from callcenter.adapters.asterisk.account import ServiceAccount

ROOT_DIR = 0o751
PRIVATE_DIR = 0o750
PRIVATE_FILE = 0o640
STATE_DIR = 0o770
SHARED_DIR = 0o2770  # setgid: new entries take the directory's group
APP_DIR = 0o2750  # the app's, Asterisk reads (setgid: SQLite's journal files are in the asterisk group too)


@dataclass(frozen=True, slots=True)
class Tree:
    """The host paths of one instance's directories, by role."""

    root: Path
    read_only: tuple[Path, ...]  # etc, sounds, moh
    state: tuple[Path, ...]  # run, lib, keys, spool, cache
    shared: tuple[Path, ...]  # log, recordings
    app_owned: tuple[Path, ...] = ()  # seats


def apply(tree: Tree, account: ServiceAccount, reader_gid: int) -> None:
    """Set owners and modes; files created earlier (by root) are handed over too."""
    _set(tree.root, os.geteuid(), account.gid, ROOT_DIR)
    for directory in tree.read_only:
        _walk(directory, os.geteuid(), account.gid, PRIVATE_DIR, PRIVATE_FILE)
    for directory in tree.state:
        _walk(directory, account.uid, account.gid, STATE_DIR, None)
    for directory in tree.shared:
        _shared(directory, account.uid, reader_gid)
    for directory in tree.app_owned:
        _walk(directory, os.geteuid(), account.gid, APP_DIR, PRIVATE_FILE)


def _shared(directory: Path, uid: int, gid: int) -> None:
    """Only walked when the directory itself is not in shape yet: recordings may hold many files."""
    info = directory.stat()
    if (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (uid, gid, SHARED_DIR):
        return
    _walk(directory, uid, gid, SHARED_DIR, None)


def _walk(top: Path, uid: int, gid: int, dir_mode: int, file_mode: int | None) -> None:
    """Owner and mode of ``top`` and everything below (symlinks are left alone, never followed).
    ``file_mode`` None: files keep their mode without the bits for others."""
    _set(top, uid, gid, dir_mode)
    for base, dirs, files in os.walk(top):
        for name in dirs:
            _set(Path(base) / name, uid, gid, dir_mode)
        for name in files:
            path = Path(base) / name
            if path.is_symlink():
                continue
            mode = file_mode if file_mode is not None else stat.S_IMODE(path.lstat().st_mode) & 0o770
            _set(path, uid, gid, mode)


def _set(path: Path, uid: int, gid: int, mode: int) -> None:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return
    if (info.st_uid, info.st_gid) != (uid, gid):
        os.chown(path, uid, gid, follow_symlinks=False)
    if stat.S_IMODE(info.st_mode) != mode:
        path.chmod(mode)
