"""Recording files on this host's disk: the ``RecordingStore`` port of callcenter/calls/ports.py, and the
``SurveyRecordings`` port of callcenter/ticketing/surveys/ports.py (replay of survey calls).

Deleting a file is the app's job (the dialplan runs no shell, issue 11). A path comes from an AMI event, so
before anything is deleted it must pass two checks: the textual one (callcenter/calls/recording_paths.py),
and on the disk: the file is a regular file (not a symlink, not a directory) whose directory, with every
symlink resolved, lies inside a recordings directory (resolved the same way). Anything else is refused and
logged; nothing outside the recordings directory is ever touched. A recording is replayed under the same
two checks, and only when it is there as a regular file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from callcenter.calls.model import RecordingFiles
from callcenter.calls.recording_paths import inside
from callcenter.core.ids import CallId

log = logging.getLogger(__name__)

PathMap = Callable[[str], str]  # a path as Asterisk sees it → the same file as this host sees it


class RecordingFileStore:
    """Recordings under ``roots`` (as Asterisk names them), reached on this host through ``host_path``."""

    def __init__(self, roots: Sequence[str], host_path: PathMap) -> None:
        self._roots = tuple(roots)
        self._host_path = host_path

    def confined(self, path: str) -> Path | None:
        """This host's path of the recording ``path``, or None when it is not a file we may touch."""
        if not inside(path, self._roots):
            return None
        host = Path(self._host_path(path))
        parent = Path(os.path.realpath(host.parent))
        if not any(_within(parent, Path(os.path.realpath(self._host_path(r)))) for r in self._roots):
            return None
        target = parent / host.name
        try:
            mode = target.lstat().st_mode
        except FileNotFoundError:
            return target  # nothing there: deleting it is a no-op
        except OSError:
            return None
        return target if stat.S_ISREG(mode) else None

    async def readable(self, path: str) -> str | None:
        """This host's path of the recording ``path`` when it is a regular file in a recordings directory."""
        return await asyncio.to_thread(self._readable, path)

    def _readable(self, path: str) -> str | None:
        target = self.confined(path)
        if target is None:
            log.warning("not replaying %r: not a file in the recordings dir", path[:200])
            return None
        try:
            return str(target) if stat.S_ISREG(target.lstat().st_mode) else None
        except OSError:  # gone (retention, a failed recording): nothing to replay
            return None

    async def discard(self, call_id: CallId, files: RecordingFiles) -> None:
        await asyncio.to_thread(self._discard, call_id, files)

    def _discard(self, call_id: CallId, files: RecordingFiles) -> None:
        for path in (files.caller, files.agent, files.mixed):
            target = self.confined(path)
            if target is None:
                log.warning(
                    "call_id=%s: not deleting %r: not a file in the recordings dir", call_id, path[:200]
                )
                continue
            try:
                target.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("call_id=%s: cannot delete the empty recording %s: %s", call_id, target, exc)


def _within(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)
