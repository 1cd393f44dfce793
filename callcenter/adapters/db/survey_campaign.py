"""The automated 回访's shared switches and look-ups in the database: the campaign's pause and channel
count (one row, seen by every app process and after a restart), the citizens who declined callbacks
(拒绝回访), and whether a citizen is on a call with the hotline now (the call records)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.repositories import _utc
from callcenter.adapters.db.tables import calls, survey_campaign, survey_declines
from callcenter.ticketing.surveys.ports import CampaignSettings

_k = survey_campaign.c
CAMPAIGN_ID = 1


def _u(at: datetime | None) -> datetime | None:
    return at.astimezone(UTC) if at is not None else None


class SqlSurveyCampaign:
    """``CampaignControl`` and ``Declines``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def settings(self, default_channels: int) -> CampaignSettings:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(survey_campaign).where(_k.id == CAMPAIGN_ID))).mappings().first()
        if row is None:
            return CampaignSettings(False, default_channels)
        return CampaignSettings(row["paused"], row["channels"], row["updated_by"], _utc(row["updated_at"]))

    async def set_paused(
        self, paused: bool, by: str, at: datetime, default_channels: int
    ) -> CampaignSettings:
        current = await self.settings(default_channels)
        return await self._write(CampaignSettings(paused, current.channels, by, at))

    async def set_channels(
        self, channels: int, by: str, at: datetime, default_paused: bool = False
    ) -> CampaignSettings:
        current = await self.settings(channels)
        paused = current.paused if current.updated_at is not None else default_paused
        return await self._write(CampaignSettings(paused, channels, by, at))

    async def _write(self, s: CampaignSettings) -> CampaignSettings:
        values = {
            "paused": s.paused,
            "channels": s.channels,
            "updated_by": s.updated_by,
            "updated_at": _u(s.updated_at),
        }
        async with self._engine.begin() as conn:
            done = await conn.execute(update(survey_campaign).where(_k.id == CAMPAIGN_ID).values(**values))
            if done.rowcount == 0:
                await conn.execute(survey_campaign.insert().values(id=CAMPAIGN_ID, **values))
        return s

    # -- citizens who declined callbacks (拒绝回访) ---------------------------------------------------
    async def declined(self, number: str) -> bool:
        query = select(survey_declines.c.number).where(survey_declines.c.number == number)
        async with self._engine.connect() as conn:
            return (await conn.execute(query)).first() is not None

    async def decline(self, number: str, by: str, at: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(survey_declines).where(survey_declines.c.number == number))
            await conn.execute(
                survey_declines.insert().values(number=number, declined_at=_u(at), recorded_by=by)
            )

    async def withdraw(self, number: str) -> bool:
        async with self._engine.begin() as conn:
            done = await conn.execute(delete(survey_declines).where(survey_declines.c.number == number))
        return bool(done.rowcount)


class SqlLiveCalls:
    """``LiveCalls``: a call record not yet ended from the citizen's number means they are on a call with
    the hotline now (records of calls whose channels vanished are closed at the AMI re-login)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def on_call(self, number: str) -> bool:
        if not number:
            return False
        forms = (number, f"+86{number}", f"0086{number}", f"86{number}")
        query = select(calls.c.call_id).where(
            and_(calls.c.ended_at.is_(None), or_(*(calls.c.caller_number == f for f in forms)))
        )
        async with self._engine.connect() as conn:
            return (await conn.execute(query.limit(1))).first() is not None
