"""The survey feature's ports: the survey store and its reports, the telephony that places survey calls,
the live calls, the campaign's switches and the citizens who declined callbacks. (Answers are applied
through the work-order service itself, ``WorkOrders.act_all``: same feature.)

Adapters: callcenter/adapters/db/surveys.py (``SqlSurveys``: store, reports) and survey_campaign.py
(``SqlSurveyCampaign``: switches, declines; ``SqlLiveCalls``); the ``SurveyDialer`` is the telephony
engineer's (an AMI Originate into the survey dialplan; until it exists
no dialer loop runs and surveys wait). ``tests/support/survey_dialer.py`` is the hand-written fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from callcenter.core.ids import TicketId
from callcenter.ticketing.surveys.model import AttemptOutcome, Survey, SurveyId, SurveyState


@dataclass(frozen=True, slots=True)
class SurveyCall:
    """One survey call to place: everything the telephony needs, and nothing else.

    ``citizen_number`` is personal data: never log it (``core.pii.mask_number`` when a log needs it)."""

    survey_id: SurveyId
    attempt: int  # 1-based
    server: str  # the Asterisk to place it from (one of ``reachable()``)
    citizen_number: str  # normalised digits, as dialled
    channel_id: str  # the citizen leg's Uniqueid to use (Originate ChannelId): names the attempt
    prompt: str  # the intro naming the matter: greeting, day, matter (prompt.py); spoken by TTS
    ticket_id: TicketId  # for the recording's file name and the prompt cache (per order and round)
    round: int


@dataclass(frozen=True, slots=True)
class SurveyIntro:
    """The intro of a survey due soon, to be made into speech ahead of its call."""

    ticket_id: TicketId
    round: int
    prompt: str


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """How the call ended. ``outcome`` is decided by the telephony side (``answers.outcome_of_answer``
    reads keys and words alike for every adapter); the rest is kept on the attempt and the order."""

    outcome: AttemptOutcome
    key: str = ""  # the key(s) pressed, as received
    words: str = ""  # the words recognised in the answer
    recording: str = ""  # the answer's recording (path on the recordings volume), for replay
    reason: str = ""  # for 不满意: the citizen's spoken reason, transcribed


class SurveyDialer(Protocol):
    """Places survey calls through the telephony (the Asterisk adapter, issue 14's telephony part)."""

    def reachable(self) -> Sequence[str]:
        """Servers whose AMI is connected now (empty: the telephony is down, surveys wait)."""
        ...

    async def place(self, order: SurveyCall) -> SurveyAnswer:
        """Place one call and wait for its end (ring, prompt, answer, reason): at most the policy's
        ``lease_seconds``. Raises ``TelephonyUnavailable`` when nothing could be sent (the attempt does
        not count). Cancellation (shutdown) must hang the call up and return promptly."""
        ...

    async def prepare(self, intro: SurveyIntro) -> None:
        """Make the intro's speech now, so that the call does not wait for it (idempotent: cached).
        Failures are the dialer's to log; the call makes the speech itself if it is still missing."""
        ...


class SurveyRecordings(Protocol):
    """The recording files, for replay (callcenter/adapters/recording_files.py)."""

    async def readable(self, path: str) -> str | None:
        """This host's path of the recording ``path`` (as Asterisk names it) when it is a regular file
        inside a recordings directory; None otherwise (missing, elsewhere, a symlink, a directory)."""
        ...


class LiveCalls(Protocol):
    """Whether a citizen is on a call with the hotline right now (they get no survey call meanwhile)."""

    async def on_call(self, number: str) -> bool: ...


class SurveyStore(Protocol):
    async def create(self, survey: Survey) -> Survey | None:
        """Insert; ``None`` when the order's round already has its survey (idempotent)."""
        ...

    async def get(self, survey_id: SurveyId) -> Survey | None: ...
    async def for_ticket(self, ticket_id: TicketId) -> list[Survey]: ...
    async def due(self, now: datetime, limit: int) -> list[Survey]: ...
    async def expired(self, now: datetime, limit: int) -> list[Survey]: ...
    async def past_window(self, now: datetime, limit: int) -> list[Survey]: ...
    async def unapplied(self, limit: int) -> list[Survey]: ...
    async def unsurveyed(self, since: datetime, limit: int) -> list[tuple[TicketId, datetime]]:
        """Orders replied or concluded on the call (changed since ``since``) whose latest conclusion has
        no survey, with the conclusion's time."""
        ...

    async def save(self, survey: Survey) -> Survey:
        """Write if the stored version is still ``survey.version`` (else ConcurrentUpdate)."""
        ...


@dataclass(frozen=True, slots=True)
class CampaignSettings:
    """The campaign's live switches, shared by every app process (stored)."""

    paused: bool
    channels: int
    updated_by: str = ""
    updated_at: datetime | None = None


class CampaignControl(Protocol):
    async def settings(self, default_channels: int) -> CampaignSettings: ...
    async def set_paused(
        self, paused: bool, by: str, at: datetime, default_channels: int
    ) -> CampaignSettings: ...
    async def set_channels(
        self, channels: int, by: str, at: datetime, default_paused: bool = False
    ) -> CampaignSettings: ...


class Declines(Protocol):
    """Citizens who declined callbacks (拒绝回访), by number."""

    async def declined(self, number: str) -> bool: ...
    async def decline(self, number: str, by: str, at: datetime) -> None: ...
    async def withdraw(self, number: str) -> bool: ...  # True when the number had declined


@dataclass(frozen=True, slots=True)
class SurveyRow:
    """One survey as the figures count it."""

    day: date  # the day of the reply or conclusion, Asia/Shanghai
    unit: str
    state: SurveyState
    outcome: AttemptOutcome | None


@dataclass(frozen=True, slots=True)
class AttemptRow:
    day: date  # the day the call was placed, Asia/Shanghai
    unit: str
    outcome: AttemptOutcome | None


class SurveyReports(Protocol):
    async def listing(
        self, state: SurveyState | None, since: datetime | None, until: datetime | None, limit: int
    ) -> list[Survey]: ...
    async def survey_rows(self, since: datetime, until: datetime) -> list[SurveyRow]: ...
    async def attempt_rows(self, since: datetime, until: datetime) -> list[AttemptRow]: ...
    async def waiting(self, until: datetime) -> int:
        """Open surveys due before ``until``."""
        ...

    async def manual_count(self, since: datetime, until: datetime) -> int:
        """Surveys moved to the manual list in the span."""
        ...
