"""The automated-回访 half of the composition root (issue 14; docs/surveys.md).

``build_surveys`` makes the store, the scheduler (told of every saved change by the work-order service),
the desk and — only when a ``SurveyDialer`` is given — the campaign loop. ``survey_dialer`` makes the
telephony's one (adapters/ami/surveys.py: AMI Originate into the survey dialplan, the intro in the
hotline's voice, the spoken answer heard by the hotline's speech engine) unless ``survey_calls = 0``:
then no dialer loop runs, surveys are filed and simply wait (logged once at start-up).
``campaign_ctx`` goes into the app's cleanup_ctx after the bridges, so it stops before them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.ami.actions import AmiActions
from callcenter.adapters.ami.surveys import AmiSurveyDialer
from callcenter.adapters.db.survey_campaign import SqlLiveCalls, SqlSurveyCampaign
from callcenter.adapters.db.surveys import SqlSurveys
from callcenter.adapters.http.app import RouteHook
from callcenter.adapters.http.surveys import survey_routes
from callcenter.asr.ports import Transcriber
from callcenter.config.settings import Settings
from callcenter.core.clock import Clock
from callcenter.core.waiting import cancel_all
from callcenter.ivr.voice import Speech, Synthesizer, VoiceChoice
from callcenter.ticketing.orders.service import WorkOrders
from callcenter.ticketing.surveys.campaign import SurveyCampaign
from callcenter.ticketing.surveys.desk import SurveyDesk
from callcenter.ticketing.surveys.policy import SurveyPolicy
from callcenter.ticketing.surveys.ports import LiveCalls, SurveyDialer, SurveyRecordings
from callcenter.ticketing.surveys.service import SurveyScheduler, anything_dialled

log = logging.getLogger(__name__)

PathMap = Callable[[str], str]  # a path as Asterisk sees it → the same file as this host sees it


def survey_dialer(
    settings: Settings, telephony: Mapping[str, AmiActions], host_path: PathMap
) -> AmiSurveyDialer | None:
    """The AMI survey dialer, or None when ``survey_calls`` is 0. The voice and the speech engine load
    on first use (the first survey call), never at start-up."""
    if not settings.survey_calls:
        return None
    from callcenter.wiring.telephony import recordings_dirs
    from callcenter.wiring.voice import voice_choice

    recordings = {name: PurePosixPath(path) for name, path in recordings_dirs(settings).items()}
    return AmiSurveyDialer(
        telephony,
        recordings,
        lambda p: Path(host_path(str(p))),
        _LazyVoice(settings),
        voice_choice(settings),
        _Hearing(settings),
        trunk=settings.survey_trunk,
        caller_id=settings.hotline_number,
        ring_s=settings.survey_ring_s,
    )


class _LazyVoice:
    """The hotline's synthesizer, built at its first use (off the event loop: the dialer calls it in a
    thread)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._voice: Synthesizer | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> Synthesizer:
        with self._lock:
            if self._voice is None:
                from callcenter.wiring.voice import build_voice

                self._voice = build_voice(self._settings)
            return self._voice

    @property
    def engine(self) -> str:
        return self._loaded().engine

    def synthesize(self, text: str, voice: VoiceChoice) -> Speech:
        return self._loaded().synthesize(text, voice)


class _Hearing:
    """The citizen's spoken answer → words, by the hotline's configured speech engine (loaded at first use,
    in the dialer's thread): a short answer is decoded in one piece, without the city's vocabulary as a
    prompt (adapters/asr/short_answer.py)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = replace(settings, whisper_split_on_silence=0, whisper_domain_prompt=0)
        self._engine: Transcriber | None = None

    def __call__(self, recording: Path) -> str:
        from callcenter.adapters.asr.audio import load_mono
        from callcenter.adapters.asr.factory import transcriber_from_config
        from callcenter.adapters.asr.short_answer import hear_answer

        if self._engine is None:
            self._engine = transcriber_from_config(self._settings)
        return hear_answer(self._engine, load_mono(recording))


@dataclass(frozen=True, slots=True)
class SurveyParts:
    policy: SurveyPolicy
    store: SqlSurveys
    control: SqlSurveyCampaign  # pause, channels, the citizens who declined
    scheduler: SurveyScheduler
    desk: SurveyDesk
    campaign: SurveyCampaign | None  # None: no SurveyDialer configured, surveys wait


def build_surveys(
    engine: AsyncEngine,
    orders: WorkOrders,
    clock: Clock,
    policy: SurveyPolicy,
    dialer: SurveyDialer | None = None,
    poll_s: float = 5.0,
    live: LiveCalls | None = None,
    recordings: SurveyRecordings | None = None,
    refusal: Callable[[str], str | None] | None = None,
) -> SurveyParts:
    """``recordings``: the files the desk replays survey calls from (none: every replay is 404)."""
    store, control = SqlSurveys(engine), SqlSurveyCampaign(engine)
    calendar = lambda: orders.calendar  # noqa: E731 - the calendar in force, swapped on an admin's edit
    scheduler = SurveyScheduler(store, control, clock, calendar, policy, refusal or anything_dialled)
    orders.follow(scheduler)
    campaign = None
    if dialer is not None:
        campaign = SurveyCampaign(
            store,
            control,
            dialer,
            live or SqlLiveCalls(engine),
            orders,
            clock,
            calendar,
            policy,
            poll_s,
            scheduler,
            refusal or anything_dialled,
        )
    desk = SurveyDesk(store, store, control, clock, policy, control, orders, recordings)
    return SurveyParts(policy, store, control, scheduler, desk, campaign)


def survey_route_hook(parts: SurveyParts) -> RouteHook:
    return survey_routes(parts.desk)


def campaign_ctx(parts: SurveyParts) -> Callable[[web.Application], AsyncIterator[None]]:
    """The survey dialer runs while the app runs, if there is one; calls in progress are cancelled at
    shutdown (the dialer hangs them up) — their surveys stay ``dialing`` until the lease runs out, then
    count as ``lost`` and are retried."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        campaign = parts.campaign
        if campaign is None:
            log.info("automated 回访: no survey dialer configured; surveys are filed and wait")
            yield
            return
        task = asyncio.create_task(campaign.run(), name="survey-campaign")
        yield
        await cancel_all([task])
        await campaign.close()

    return ctx
