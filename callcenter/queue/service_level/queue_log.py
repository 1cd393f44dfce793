"""Asterisk's queue_log (排队日志) read back into queue entries: the offline recount of the service level.

Each line is ``epoch|callid|queue|agent|event|data1|data2|…`` (app_queue writes it with ``time()``);
``callid`` is the caller channel's Uniqueid, the ``entry_id`` the live side keys on. The events that
decide an entry and the data fields used (docs/adr/0013-service-level-definition.md):

  ENTERQUEUE       url|callerid|position            entry starts (entered_at = epoch)
  CONNECT          holdtime|bridged uniqueid|ring   answered, hold = holdtime
  ABANDON          position|origposition|waittime   abandoned, hold = waittime
  EXITWITHKEY      key|position|origposition|wait   call-me-back key pressed (按键预约回拨)
  EXITWITHTIMEOUT  position|origposition|waittime   exited (offered, not answered)
  EXITEMPTY        position|origposition|waittime   exited

Every other event (COMPLETE*, RINGNOANSWER, TRANSFER, member events…) is known and ignored. A line
that cannot be read is counted and sampled in the result, never fatal. Pure: lines in, entries out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from callcenter.queue.service_level.ledger import EntryKey, Outcome, QueueEntry, upgrade

MAX_BAD_SAMPLES = 20

_EXITS = {"EXITWITHTIMEOUT": 2, "EXITEMPTY": 2, "ABANDON": 2, "EXITWITHKEY": 3}  # event → waittime field


@dataclass(frozen=True, slots=True)
class QueueLogRecount:
    """Entries read from a queue_log, with the count of lines that could not be read."""

    entries: tuple[QueueEntry, ...]
    lines: int
    bad_lines: int
    bad_samples: tuple[str, ...]  # "line N: reason" for the first few


@dataclass(frozen=True, slots=True)
class _Line:
    at: datetime
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]


class BadQueueLogLine(ValueError):
    pass


def parse_line(raw: str) -> _Line | None:
    """One queue_log line; None for a blank line; ``BadQueueLogLine`` when it cannot be read."""
    text = raw.rstrip("\r\n")
    if not text.strip():
        return None
    parts = text.split("|")
    if len(parts) < 5:
        raise BadQueueLogLine(f"{len(parts)} fields, need at least 5")
    try:
        at = datetime.fromtimestamp(int(parts[0]), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise BadQueueLogLine(f"bad epoch {parts[0][:20]!r}") from exc
    return _Line(at, parts[1], parts[2], parts[3], parts[4], tuple(parts[5:]))


def recount(
    lines: Iterable[str],
    *,
    server: str,
    call_me_back_keys: frozenset[str] = frozenset(),
) -> QueueLogRecount:
    """Fold a queue_log into entries. ``call_me_back_keys``: keys meaning "call me back" (empty: any)."""
    entries: dict[EntryKey, QueueEntry] = {}
    count = bad = 0
    samples: list[str] = []
    for number, raw in enumerate(lines, start=1):
        count += 1
        try:
            line = parse_line(raw)
            updated = None if line is None else _apply(entries, line, server, call_me_back_keys)
        except BadQueueLogLine as exc:
            bad += 1
            if len(samples) < MAX_BAD_SAMPLES:
                samples.append(f"line {number}: {exc}")
            continue
        if updated is not None:
            entries[updated.key] = updated
    return QueueLogRecount(tuple(entries.values()), count, bad, tuple(samples))


def _apply(
    entries: dict[EntryKey, QueueEntry], line: _Line, server: str, call_me_back_keys: frozenset[str]
) -> QueueEntry | None:
    key = (server, line.callid, line.queue)
    current = entries.get(key)
    candidate = _candidate(current, line, server, call_me_back_keys)
    if candidate is None:
        return None
    return candidate if current is None else upgrade(current, candidate)


def _candidate(
    current: QueueEntry | None, line: _Line, server: str, keys: frozenset[str]
) -> QueueEntry | None:
    if line.event == "ENTERQUEUE":
        return current or _entry(line, server, line.at)
    if line.event == "CONNECT":
        hold = _int(line, 0)
        base = current or _entry(line, server, line.at - timedelta(seconds=hold))
        return replace(base, outcome=Outcome.ANSWERED, hold_seconds=hold, ended_at=line.at, agent=line.agent)
    if line.event in _EXITS:
        wait = _int(line, _EXITS[line.event])
        base = current or _entry(line, server, line.at - timedelta(seconds=wait))
        return replace(
            base, outcome=_exit_outcome(line, keys), hold_seconds=wait, ended_at=line.at, left_at=line.at
        )
    return None


def _exit_outcome(line: _Line, keys: frozenset[str]) -> Outcome:
    if line.event == "ABANDON":
        return Outcome.ABANDONED
    if line.event == "EXITWITHKEY" and (not keys or (line.data[:1] and line.data[0] in keys)):
        return Outcome.CALL_ME_BACK
    return Outcome.EXITED


def _entry(line: _Line, server: str, entered_at: datetime) -> QueueEntry:
    if not line.callid or line.callid == "NONE" or not line.queue or line.queue == "NONE":
        raise BadQueueLogLine(f"{line.event} without a call id or queue")
    return QueueEntry(
        server=server, queue=line.queue, entry_id=line.callid, call_id="", entered_at=entered_at
    )


def _int(line: _Line, index: int) -> int:
    try:
        value = int(line.data[index])
    except (IndexError, ValueError) as exc:
        raise BadQueueLogLine(f"{line.event} field {index + 1} is not a number") from exc
    if value < 0:
        raise BadQueueLogLine(f"{line.event} field {index + 1} is negative")
    return value
