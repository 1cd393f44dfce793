"""Reading an Asterisk instance's queue_log file (<astlogdir>/queue_log, asterisk_conf/logger.conf)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

QUEUE_LOG_NAME = "queue_log"  # logger.conf queue_log_name
_BLOCK = 64 * 1024


def read_lines(path: Path) -> list[str]:
    """Every line of a queue_log; bytes that are not UTF-8 are replaced, never fatal."""
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        return fh.read().splitlines()


def read_lines_since(path: Path, since: datetime, block: int = _BLOCK) -> list[str]:
    """The lines written at or after ``since``, read from the end of the file backwards.

    Asterisk appends queue_log lines in time order, each starting with its epoch time, so the file is read
    block by block from its end only until a whole line older than ``since`` shows up: a year's journal
    costs no more than the hours asked for. Lines whose time cannot be read are kept (the recount reports
    them).
    """
    cutoff = since.timestamp()
    blocks: list[bytes] = []
    with path.open("rb") as fh:
        position = fh.seek(0, os.SEEK_END)
        while position > 0:
            start = max(0, position - block)
            fh.seek(start)
            blocks.append(fh.read(position - start))
            position = start
            if position > 0 and _older_line_in(blocks[-1], cutoff):
                break
    lines = b"".join(reversed(blocks)).decode("utf-8", errors="replace").splitlines()
    if position > 0:
        lines = lines[1:]  # the first line read may be cut
    return [line for line in lines if _time_of(line, default=cutoff) >= cutoff]


def _older_line_in(data: bytes, cutoff: float) -> bool:
    """Whether a line wholly inside ``data`` (not its cut first or last piece) is older than ``cutoff``."""
    whole = data.split(b"\n")[1:-1]
    return any(_time_of(line.decode("utf-8", "replace"), default=cutoff) < cutoff for line in whole)


def _time_of(line: str, default: float) -> float:
    try:
        return float(line.split("|", 1)[0])
    except ValueError:
        return default


class QueueLogFiles:
    """queue_log files this host can read, by Asterisk server name (others: None, no catch-up)."""

    def __init__(self, paths: Mapping[str, Path]) -> None:
        self._paths = dict(paths)

    def path(self, server: str) -> Path | None:
        return self._paths.get(server)

    async def lines(self, server: str, since: datetime) -> Sequence[str] | None:
        """The lines written since ``since`` (read in a thread), or None when there is no file here."""
        path = self._paths.get(server)
        if path is None or not path.exists():
            return None
        return await asyncio.to_thread(read_lines_since, path, since)
