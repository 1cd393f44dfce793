"""``python -m callcenter sl-recount``: the service level recounted from Asterisk's queue_log and, with
``--compare``, set against the live ledger stored in the database (docs/service-level.md)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from callcenter.config.settings import Settings
from callcenter.core.clock import SHANGHAI
from callcenter.core.pii import mask_numbers_in
from callcenter.queue.service_level.ledger import QueueEntry, ServiceLevelFigures
from callcenter.queue.service_level.queue_log import QueueLogRecount, recount
from callcenter.queue.service_level.reconcile import COUNTS, Reconciliation, Window, grouped, reconcile
from callcenter.wiring.service_level import call_me_back_keys, service_level_policy

MAX_DIFFERENCES_SHOWN = 30


def add_arguments(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--queue-log", type=Path, default=None, help="queue_log file (default: the local instance's)"
    )
    sp.add_argument("--since", default=None, help="ISO time (naive = Asia/Shanghai); default: 24 h ago")
    sp.add_argument("--until", default=None, help="ISO time (naive = Asia/Shanghai); default: now")
    sp.add_argument("--server", default=None, help="Asterisk server name the queue_log belongs to")
    sp.add_argument("--compare", action="store_true", help="set the stored live figures against the recount")


def _time(text: str | None, default: datetime) -> datetime:
    if not text:
        return default
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def _queue_log_path(args: argparse.Namespace, settings: Settings, server: str) -> Path | None:
    if args.queue_log is not None:
        return Path(args.queue_log)
    from callcenter.wiring.telephony import queue_log_files

    return queue_log_files(settings).path(server)


def cmd_sl_recount(args: argparse.Namespace, settings: Settings) -> int:
    from callcenter.adapters.asterisk.queue_log_file import read_lines

    server = args.server or settings.asterisk_name
    path = _queue_log_path(args, settings, server)
    if path is None or not path.is_file():
        print(f"no queue_log to read ({path or 'none configured'}): pass --queue-log PATH")
        return 2
    now = datetime.now(UTC)
    window = Window(_time(args.since, now - timedelta(hours=24)), _time(args.until, now))
    policy = service_level_policy(settings)
    result = recount(read_lines(path), server=server, call_me_back_keys=call_me_back_keys(settings))
    _print_header(path, result, window, server)
    if not args.compare:
        _print_figures(grouped(result.entries, policy, now, window))
        return 0
    live = asyncio.run(_stored(settings, window, server))
    outcome = reconcile(live, result.entries, policy, now, window)
    _print_reconciliation(outcome)
    return 0 if outcome.matches else 1


async def _stored(settings: Settings, window: Window, server: str) -> list[QueueEntry]:
    from callcenter.adapters.db.queue_entries import SqlQueueEntries
    from callcenter.wiring.stores import opened_engine

    async with opened_engine(settings) as engine:
        return await SqlQueueEntries(engine).since(window.start, server)


def _print_header(path: Path, result: QueueLogRecount, window: Window, server: str) -> None:
    print(f"queue_log {path} (server {server}): {result.lines} lines, {result.bad_lines} unreadable")
    for sample in result.bad_samples:
        print(f"  unreadable {mask_numbers_in(str(sample))}")  # queue_log lines hold callers' numbers
    start, end = (t.astimezone(SHANGHAI).isoformat(timespec="seconds") for t in (window.start, window.end))
    print(f"entries that entered from {start} to {end}")


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def _print_figures(scopes: dict[str, ServiceLevelFigures]) -> None:
    print(f"{'scope':<24} " + " ".join(f"{n:>10.10}" for n in COUNTS) + "  15-s rate  connection")
    for scope in ["all", *sorted(set(scopes) - {"all"})]:
        f = scopes[scope]
        counts = " ".join(f"{getattr(f, n):>10}" for n in COUNTS)
        print(f"{scope:<24} {counts}  {_rate(f.rate_in_threshold):>9}  {_rate(f.connection_rate):>10}")


def _print_reconciliation(outcome: Reconciliation) -> None:
    print(f"{'scope':<24} {'figure':<22} {'live':>8} {'queue_log':>10}")
    for row in outcome.rows:
        verdict = "MATCH" if row.matches else "MISMATCH"
        print(f"{row.scope:<24} {row.name:<22} {row.live:>8} {row.recount:>10}  {verdict}")
    for text in outcome.entry_differences[:MAX_DIFFERENCES_SHOWN]:
        print(f"  differs: {text}")
    hidden = len(outcome.entry_differences) - MAX_DIFFERENCES_SHOWN
    if hidden > 0:
        print(f"  … and {hidden} more entries differ")
    print("MATCH" if outcome.matches else "MISMATCH")
