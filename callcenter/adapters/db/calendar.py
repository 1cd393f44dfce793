"""Admin overrides of the work calendar (e.g. a typhoon day off, next year's notice before a data update)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.tables import calendar_overrides
from callcenter.core.workcalendar import WorkCalendar


class SqlCalendarOverrides:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self) -> dict[date, bool]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(calendar_overrides))).mappings().all()
        return {r["day"]: bool(r["workday"]) for r in rows}

    async def entries(self) -> list[dict[str, object]]:
        """Every override with its note, who set it and when, by day."""
        query = select(calendar_overrides).order_by(calendar_overrides.c.day)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [
            {"day": r["day"].isoformat(), "workday": bool(r["workday"]), "note": r["note"],
             "updated_by": r["updated_by"]}
            for r in rows
        ]  # fmt: skip

    async def calendar(self) -> WorkCalendar:
        return WorkCalendar.published(await self.load())

    async def set(self, day: date, workday: bool, note: str, by: str, at: datetime) -> None:
        values = {"workday": workday, "note": note, "updated_by": by, "updated_at": at}
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(calendar_overrides).where(calendar_overrides.c.day == day).values(**values)
            )
            if result.rowcount == 0:
                await conn.execute(calendar_overrides.insert().values(day=day, **values))

    async def remove(self, day: date) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(calendar_overrides).where(calendar_overrides.c.day == day))
