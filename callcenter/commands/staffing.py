"""``python -m callcenter staffing``: agents needed (人员排班测算) for one hour's calls or a day's forecast,
by Erlang C and — with ``--patience`` — Erlang A (docs/staffing.md)."""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from callcenter.config.settings import Settings
from callcenter.queue.staffing.plan import HOURS, HourPlan, StaffingInputError, Target, hour_dict, hourly_plan

MAX_FORECAST_BYTES = 64 * 1024
COLUMNS = ("hour", "calls", "erlangs", "C agents", "C SL", "C ASA s", "C occ",
           "A agents", "A SL", "A ASA s", "A abandon", "A occ")  # fmt: skip


def add_arguments(sp: argparse.ArgumentParser) -> None:
    demand = sp.add_mutually_exclusive_group(required=True)
    demand.add_argument("--calls-per-hour", type=float, help="forecast calls in one hour")
    demand.add_argument("--forecast", type=Path, help="CSV file of hour,calls rows (hours 0–23)")
    sp.add_argument("--aht", type=float, required=True, help="average handle time in seconds (talk + ACW)")
    sp.add_argument("--patience", type=float, default=None, help="callers' mean patience in s (Erlang A)")
    sp.add_argument("--target", type=float, default=0.95, help="share answered within the threshold")
    sp.add_argument("--threshold", type=float, default=15.0, help="answer threshold in seconds")
    sp.add_argument("--max-occupancy", type=float, default=None, help="cap on agent occupancy, e.g. 0.85")
    sp.add_argument("--json", action="store_true", help="print JSON instead of a table")


def cmd_staffing(args: argparse.Namespace, _settings: Settings) -> int:
    target = Target(args.target, args.threshold, args.max_occupancy)
    forecast = read_forecast(args.forecast) if args.forecast else [(0, args.calls_per_hour)]
    plan = hourly_plan(forecast, args.aht, args.patience, target)
    if args.json:
        print(json.dumps([hour_dict(p) for p in plan], ensure_ascii=False, indent=2))
    else:
        print(render(plan, single=args.forecast is None))
    return 0


def read_forecast(path: Path) -> list[tuple[int, float]]:
    """``hour,calls`` rows; a header row, blank lines and ``#`` comments are allowed."""
    try:
        raw = path.read_bytes()[: MAX_FORECAST_BYTES + 1]
    except OSError as exc:
        raise StaffingInputError(f"cannot read the forecast: {exc.strerror}", field="forecast") from exc
    if len(raw) > MAX_FORECAST_BYTES:
        raise StaffingInputError("the forecast file is too large", field="forecast")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StaffingInputError("the forecast is not UTF-8 text", field="forecast") from exc
    return parse_forecast(text)


def parse_forecast(text: str) -> list[tuple[int, float]]:
    rows: list[tuple[int, float]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not rows and not _is_number(cells[0]):
            continue  # the header
        if len(cells) < 2 or len(rows) >= HOURS:
            raise StaffingInputError(
                f"line {number}: expected hour,calls (at most {HOURS} rows)", line=number
            )
        rows.append(_row(number, cells[0], cells[1]))
    return rows


def _row(number: int, hour: str, calls: str) -> tuple[int, float]:
    try:
        return int(hour), float(calls)
    except ValueError as exc:
        raise StaffingInputError(f"line {number}: hour and calls must be numbers", line=number) from exc


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def render(plan: Sequence[HourPlan], single: bool = False) -> str:
    rows = [_cells(p, single) for p in plan]
    if not single:
        total_c = sum(p.erlang_c.agents for p in plan)
        total_a = sum(p.erlang_a.agents for p in plan if p.erlang_a is not None)
        with_a = any(p.erlang_a is not None for p in plan)
        rows.append(["total", f"{sum(p.calls for p in plan):g}", "", f"{total_c}", "", "", "",
                     f"{total_a}" if with_a else "-", "", "", "", ""])  # fmt: skip
    return _table([list(COLUMNS), *rows])


def _cells(p: HourPlan, single: bool) -> list[str]:
    hour = "-" if single else f"{p.hour:02d}:00"
    c, a = p.erlang_c, p.erlang_a
    cells = [hour, f"{p.calls:g}", f"{c.load_erlangs:.2f}", str(c.agents), _pct(c.service_level),
             f"{c.asa_s:.1f}", _pct(c.occupancy)]  # fmt: skip
    if a is None:
        return [*cells, "-", "-", "-", "-", "-"]
    return [
        *cells,
        str(a.agents),
        _pct(a.service_level),
        f"{a.asa_s:.1f}",
        _pct(a.abandon_rate),
        _pct(a.occupancy),
    ]


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _table(rows: Iterable[list[str]]) -> str:
    rows = list(rows)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in rows)
