"""Which recording paths the hotline accepts, pure: only files under a configured recordings directory.

The paths come from the dialplan as AMI UserEvents (HotlineRecording, HotlineRecordingComplete), i.e. from
whoever can make Asterisk send a UserEvent: anyone holding the AMI secret can originate a channel whose
variables choose them. A path the app would later read (transcription, replay) or delete (an empty
recording) must therefore lie inside the recordings directory, as Asterisk names it. This is the textual
check; the adapter that deletes files also resolves symlinks on the disk (adapters/recording_files.py).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

MAX_PATH_CHARS = 1024
# Asterisk's own names: <dir>/<yyyymmdd>/<linkedid>_<uniqueid>[-caller|-agent].wav, ids like
# "hotline-1764000000.12". Nothing else (spaces, quotes, ;, $, control characters) is ever needed.
_PLAIN = re.compile(r"^[A-Za-z0-9._/+-]+$")


def normal_root(root: str) -> str:
    """A recordings directory in the form the check compares against: absolute, normalised, no trailing /."""
    return posixpath.normpath(root) if root.startswith("/") else ""


def inside(path: str, roots: Iterable[str]) -> bool:
    """``path`` names a file strictly inside one of ``roots``: absolute, already normal (no ``..``, no
    ``//``, no ``.``), plain characters only, not a root itself. Anything unusual is refused, not fixed."""
    if not path.startswith("/") or len(path) > MAX_PATH_CHARS or posixpath.normpath(path) != path:
        return False
    if not _PLAIN.match(path):
        return False
    return any(r and r != "/" and path.startswith(r + "/") for r in map(normal_root, roots))
