"""Numbers, ids and days from a URL (path or query string), parsed strictly: whatever a client sends is a
value in range or a 400, never a 500 further down.

* Numbers are ASCII digits only. ``str.isdigit`` and ``int`` also take "²", "٣" (Arabic-Indic) and
  full-width "３", and ``int`` takes "+3", " 3" and "3_0": none of that is a number here.
* Ids fit the database's 32-bit integer columns (1..2,147,483,647); offsets and limits have ceilings.
* Days are ``YYYY-MM-DD`` (``date.fromisoformat`` alone would also take "20261124" and "2026-W48-2") within
  ``MIN_YEAR``..``MAX_YEAR``, so that a day plus one, or moved to UTC, cannot leave Python's range.
* A NUL character in the path or a query value is refused everywhere (``plain_urls``): PostgreSQL refuses it
  in text, SQLite would keep it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

from aiohttp import web

from callcenter.core.errors import DomainError, InvalidInput

MAX_ID = 2**31 - 1  # the id columns are INTEGER (32-bit on PostgreSQL)
MAX_OFFSET = 1_000_000
MIN_YEAR, MAX_YEAR = 1970, 2199

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def ascii_digits(raw: str) -> bool:
    return raw.isascii() and raw.isdigit()


def whole_number(
    raw: str, field: str, low: int = 0, high: int = MAX_ID, error: type[DomainError] = InvalidInput
) -> int:
    """``raw`` as a whole number in ``low``..``high``; anything else is ``error``."""
    if not ascii_digits(raw) or len(raw) > len(str(high)) or not low <= int(raw) <= high:
        raise error(f"{field} must be a whole number from {low} to {high}", field=field)
    return int(raw)


def record_id(raw: str, field: str, error: type[DomainError] = InvalidInput) -> int:
    """A database id (1..``MAX_ID``)."""
    return whole_number(raw, field, 1, MAX_ID, error)


def in_range(value: datetime | date, field: str) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidInput(f"{field} must lie in the years {MIN_YEAR} to {MAX_YEAR}", field=field)


def iso_day(raw: str, field: str) -> date:
    """``YYYY-MM-DD`` within the supported years."""
    if len(raw) != 10 or not raw.isascii() or raw[4] != "-" or raw[7] != "-":
        raise InvalidInput(f"{field} must be a day as YYYY-MM-DD", field=field, value=raw[:20])
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"{field} must be a day as YYYY-MM-DD", field=field, value=raw[:20]) from exc
    in_range(day, field)
    return day


def iso_time(raw: str, field: str) -> datetime:
    """An ISO 8601 time with its UTC offset, within the supported years."""
    try:
        moment = datetime.fromisoformat(raw) if raw.isascii() else None
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput(f"{field} must be an ISO 8601 time with its offset", field=field)
    if moment.tzinfo is None:
        raise InvalidInput(f"{field} needs a time zone offset", field=field)
    in_range(moment, field)
    return moment


@web.middleware
async def plain_urls(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No NUL in the path or the query string (module docstring)."""
    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.query.items()):
        raise InvalidInput("the address contains a NUL character")
    return await handler(request)
