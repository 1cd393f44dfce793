"""The service's files are its own (issue 11, data at rest): directories 0700, files 0600.

The data directory (``data_dir``, ``var/`` by default) holds the SQLite database with every call and work
order, the generated secrets and the attachments. The app's commands run with the umask ``PRIVATE_UMASK``
(cli.py), so whatever they create is private to the service's user; on top of it the data directory, the
SQLite file and the secret files are created with their modes and tightened at start-up if an older
version left them readable by others. SQLite gives its ``-wal`` and ``-shm`` files the database file's
mode, so a 0600 database keeps them 0600 too.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

PRIVATE_UMASK: Final = 0o077
DIR_MODE: Final = 0o700
FILE_MODE: Final = 0o600
SQLITE_COMPANIONS: Final = ("-wal", "-shm", "-journal")


def tighten(path: Path, mode: int) -> None:
    """Take away every permission beyond ``mode``; a path that is not there is left alone, one that is not
    ours (chmod refused) is logged."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if not current & ~mode:
        return
    try:
        path.chmod(current & mode)
    except PermissionError:
        log.warning("%s is open to others (mode %o) and is not ours to change", path, current)


def private_dir(path: Path) -> Path:
    """``path`` as a directory of ours, mode 0700: created (missing parents too) or tightened."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
    tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file of ours, mode 0600: created empty when missing, else tightened."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        tighten(path, FILE_MODE)
    return path


def write_private(path: Path, text: str) -> None:
    """A new file, mode 0600 from its first byte (never world-readable, not even for an instant)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)


def private_sqlite(database: Path) -> None:
    """The SQLite file 0600 before SQLite opens it (its -wal and -shm follow its mode), in a directory
    created 0700 if missing; companions left by an older version are tightened as well."""
    if not database.parent.exists():
        private_dir(database.parent)
    private_file(database)
    for suffix in SQLITE_COMPANIONS:
        tighten(database.with_name(database.name + suffix), FILE_MODE)
