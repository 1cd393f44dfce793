"""Placing callback surveys (回访) through AMI: the ``SurveyDialer`` port of ticketing/surveys/campaign.py.

One Async Originate per attempt: the citizen is dialled through the outbound trunk
(``PJSIP/<number>@<trunk>``) for ``ring_s`` seconds; once answered, the leg runs ``survey-leg``
(asterisk_conf/extensions_survey.conf): the speech naming the matter, the question, keys or words, the
reason after key 3. The leg's hangup handler sends one UserEvent ``HotlineSurveyEnded`` (the key, the
rounds heard, the recordings), awaited here by the leg's Uniqueid (the Originate's ChannelId).

The speech naming the matter is synthesized per order and round (``PromptCache.speech_for``: cached by
text, voice and engine) into ``survey-prompts/`` beside the recordings, the one directory Asterisk and
the app both see; the spoken answer and the reason are recognised by the hotline's own speech engine
(``hear``), off the event loop. The outcome is read by ``answers.outcome_of_answer``: a valid key first,
then the words. Personal data: the citizen's number is never logged (masked), the words are kept on the
order only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Literal

from callcenter.adapters.ami.actions import AmiActions
from callcenter.adapters.asterisk.prompts import PromptCache
from callcenter.core.errors import TelephonyUnavailable
from callcenter.core.pii import mask_number
from callcenter.ivr.reading import read_digits_in
from callcenter.ivr.voice import Synthesizer, VoiceChoice
from callcenter.ticketing.surveys.answers import KEYS, outcome_of_answer
from callcenter.ticketing.surveys.model import AttemptOutcome
from callcenter.ticketing.surveys.ports import SurveyAnswer, SurveyCall, SurveyIntro

log = logging.getLogger(__name__)

LEG_CONTEXT = "survey-leg"
ENDED_EVENT = "HotlineSurveyEnded"
PROMPT_DIR = "survey-prompts"  # beside the recordings: Asterisk plays what the app wrote there
WAIT_MARGIN_S = 15.0  # beyond the ring time, for Asterisk to give up and report
SETTLE_S = 10.0  # at most this long for a recording to be closed after the leg's hangup
_WAV_HEADER = 44  # Asterisk's WAV header: RIFF, fmt and data chunk heads
WavState = Literal["missing", "open", "closed"]
CALL_LIMIT_S = 150.0  # an answered leg: intro and question twice, a 30 s reason, thanks — with room
HANGUP_CAUSES = {  # Q.850 cause of an unanswered leg → what the attempt was
    1: AttemptOutcome.FAILED,  # unallocated number (空号)
    3: AttemptOutcome.FAILED,  # no route
    17: AttemptOutcome.BUSY,  # user busy
    18: AttemptOutcome.NO_ANSWER,  # no user responding
    19: AttemptOutcome.NO_ANSWER,  # no answer
    21: AttemptOutcome.BUSY,  # call rejected
    27: AttemptOutcome.FAILED,  # destination out of order
    28: AttemptOutcome.FAILED,  # invalid number format
    34: AttemptOutcome.FAILED,  # no circuit available
    38: AttemptOutcome.FAILED,  # network out of order
}
ORIGINATE_REASONS = {3: AttemptOutcome.NO_ANSWER, 5: AttemptOutcome.BUSY}  # 4 = answered

Hear = Callable[[Path], str]  # a recording (this host's path) → the words recognised in it


class AmiSurveyDialer:
    def __init__(
        self,
        telephony: Mapping[str, AmiActions],
        recordings: Mapping[str, PurePosixPath],
        host_path: Callable[[PurePosixPath], Path],
        synthesizer: Synthesizer,
        voice: VoiceChoice,
        hear: Hear,
        *,
        trunk: str,
        caller_id: str,
        ring_s: int,
    ) -> None:
        self._telephony = telephony
        self._recordings = recordings  # server → its recording directory as Asterisk sees it
        self._host_path = host_path
        self._synthesizer = synthesizer
        self._voice = voice
        self._hear = hear
        self._trunk = trunk
        self._caller_id = caller_id
        self._ring_s = ring_s
        self._caches: dict[str, PromptCache] = {}
        self._making = threading.Lock()  # one synthesis at a time (CPU-bound; the caches are not shared-safe)
        self._hearing = asyncio.Lock()  # one recognition at a time: the engine is CPU-bound

    def reachable(self) -> list[str]:
        return [name for name, actions in self._telephony.items() if actions.synced.is_set()]

    async def place(self, order: SurveyCall) -> SurveyAnswer:
        actions = self._telephony.get(order.server)
        recordings = self._recordings.get(order.server)
        if actions is None or recordings is None:
            raise TelephonyUnavailable(f"no AMI bridge for server {order.server!r}", server=order.server)
        intro = await asyncio.to_thread(self._intro, order.ticket_id, order.round, order.prompt, recordings)
        ended = actions.expect_user_event(ENDED_EVENT, order.channel_id)
        try:
            reply = await self._originate(actions, order, intro, recordings)
            if reply.get("reason") != "4":
                return SurveyAnswer(unanswered_outcome(reply))
            channel = reply.get("channel", "")
            try:
                async with asyncio.timeout(CALL_LIMIT_S):
                    headers = await ended
            except (TimeoutError, asyncio.CancelledError):
                await _hang_up(actions, channel)
                raise
            return await self._answer(headers)
        except TimeoutError:
            log.warning("survey %s attempt %d: no outcome in time", order.survey_id, order.attempt)
            return SurveyAnswer(AttemptOutcome.LOST)
        finally:
            actions.forget_user_event(ENDED_EVENT, order.channel_id)

    async def prepare(self, intro: SurveyIntro) -> None:
        """The intro's speech made now, beside every connected server's recordings (cached there)."""
        for server in self.reachable():
            recordings = self._recordings.get(server)
            if recordings is not None:
                await asyncio.to_thread(self._intro, intro.ticket_id, intro.round, intro.prompt, recordings)

    def _intro(self, ticket_id: int, round_: int, prompt: str, recordings: PurePosixPath) -> PurePosixPath:
        """The speech naming the matter, as Asterisk's path without extension."""
        with self._making:
            cache = self._caches.get(str(recordings))
            if cache is None:
                out = self._host_path(recordings / PROMPT_DIR)
                cache = self._caches[str(recordings)] = PromptCache(out, self._synthesizer, self._voice)
            made = cache.speech_for(f"survey-{ticket_id}-{round_}", read_digits_in(prompt))
        return recordings / PROMPT_DIR / made.parent.name / made.stem

    async def _originate(
        self, actions: AmiActions, order: SurveyCall, intro: PurePosixPath, recordings: PurePosixPath
    ) -> dict[str, str]:
        fields = originate_fields(order, intro, recordings, self._trunk, self._caller_id, self._ring_s)
        reply = await actions.originate(fields, self._ring_s + WAIT_MARGIN_S)
        log.info(
            "survey %s attempt %d to %s: OriginateResponse %s, reason %s, cause %s",
            order.survey_id,
            order.attempt,
            mask_number(order.citizen_number),
            reply.get("response", ""),
            reply.get("reason", ""),
            reply.get("cause", ""),
        )
        return reply

    async def _answer(self, ended: Mapping[str, str]) -> SurveyAnswer:
        """The leg's HotlineSurveyEnded → the answer: a valid key, else the words recognised."""
        key, spoken, reason = ended.get("key", ""), ended.get("spoken", ""), ended.get("reason", "")
        words = "" if key in KEYS or not spoken else await self._recognise(spoken)
        outcome = outcome_of_answer(key if key in KEYS else "", words)
        if outcome is AttemptOutcome.NO_INPUT and not key and ended.get("heard") != "1":
            outcome = AttemptOutcome.HUNG_UP  # gone before the question was heard to its end
        said = await self._recognise(reason) if reason else ""
        recording = ended.get("call", "")
        return SurveyAnswer(outcome, key, words, recording + ".wav" if recording else "", said)

    async def _recognise(self, base: str) -> str:
        path = self._host_path(PurePosixPath(base + ".wav"))
        if not await _settled(path):
            return ""
        async with self._hearing:
            try:
                return await asyncio.to_thread(self._hear, path)
            except Exception as exc:  # a corrupt or empty recording: no words, the call is still kept
                log.warning("survey recording %s could not be recognised: %r", path.name, exc)
                return ""


def originate_fields(
    order: SurveyCall,
    intro: PurePosixPath,
    recordings: PurePosixPath,
    trunk: str,
    caller_id: str,
    ring_s: int,
) -> dict[str, str | list[str]]:
    return {
        "Channel": f"PJSIP/{order.citizen_number}@{trunk}",
        "Context": LEG_CONTEXT,
        "Exten": "s",
        "Priority": "1",
        "Timeout": str(ring_s * 1000),
        "CallerID": f'"{caller_id}" <{caller_id}>',
        "ChannelId": order.channel_id,
        "Variable": [
            f"SURVEY_ID={order.survey_id}",
            f"SURVEY_ATTEMPT={order.attempt}",
            f"SURVEY_INTRO={intro}",
            f"SURVEY_RECORDINGS={recordings}",
        ],
    }


def unanswered_outcome(reply: Mapping[str, str]) -> AttemptOutcome:
    """OriginateResponse of a leg that was not answered → no answer, busy or failed (the Q.850 cause
    first: Asterisk reports a rejected or unallocated number as reason 1 or 8 alike)."""
    if reply.get("event", "").lower() != "originateresponse":
        log.warning("survey Originate refused: %s", reply.get("message", ""))
        return AttemptOutcome.FAILED
    cause = reply.get("cause", "")
    if cause.isdigit() and int(cause) in HANGUP_CAUSES:
        return HANGUP_CAUSES[int(cause)]
    reason = reply.get("reason", "")
    return ORIGINATE_REASONS.get(int(reason) if reason.isdigit() else 0, AttemptOutcome.FAILED)


async def _settled(path: Path, poll_s: float = 0.2, limit_s: float = SETTLE_S) -> bool:
    """Whether the recording is complete. Asterisk's WAV writer fills in the header's lengths only when it
    closes the file (format_wav.c), and the hangup handler's event can arrive before MixMonitor has closed
    it: read then, the file holds seconds of audio behind a header that says none (seen on a loaded
    machine: a spoken 满意 read as no answer). Past ``limit_s`` a file that exists is read as it is."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while True:
        state = await asyncio.to_thread(wav_state, path)
        if state == "closed":
            return True
        if asyncio.get_running_loop().time() >= deadline:
            return state != "missing"
        await asyncio.sleep(poll_s)


def wav_state(path: Path) -> WavState:
    """ "missing", "open" (being written: the header's RIFF length does not reach the file's end, or no
    audio yet) or "closed" (the header accounts for every byte, allowing the writer's pad byte)."""
    try:
        with path.open("rb") as file:
            header = file.read(_WAV_HEADER)
            size = os.fstat(file.fileno()).st_size
    except FileNotFoundError:
        return "missing"
    if len(header) < _WAV_HEADER or header[:4] != b"RIFF":
        return "open"
    riff = int.from_bytes(header[4:8], "little")
    return "closed" if size > _WAV_HEADER and riff + 8 in (size, size - 1) else "open"


async def _hang_up(actions: AmiActions, channel: str) -> None:
    """Shutdown or a leg that never reported: hang it up, briefly (the app is stopping)."""
    if not channel:
        return
    with contextlib.suppress(TelephonyUnavailable, TimeoutError):
        async with asyncio.timeout(2.0):
            await actions.hangup(channel)
