"""Live transcript events: what the live worker publishes while a call is still going (实时转写).

A PARTIAL is the recognizer's current guess for the open stretch of speech and may change; a FINAL is a
closed stretch that will not change. Times are seconds from the start of that side's RECORDING (the tap's
offset already applied), so finals line up with the after-call transcript of the same recording.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from callcenter.asr.model import Speaker, Word, moved, words_moved
from callcenter.core.ids import CallId


class LiveKind(StrEnum):
    PARTIAL = "partial"  # 临时结果: may still change
    FINAL = "final"  # 确定结果: closed, will not change


@dataclass(frozen=True, slots=True)
class LiveEvent:
    call_id: CallId  # Asterisk Linkedid of the caller's channel
    speaker: Speaker
    kind: LiveKind
    seq: int  # per (call, speaker), increasing
    text: str  # Simplified Chinese for zh
    start: float  # seconds from the start of that side's recording
    end: float
    words: tuple[Word, ...] = ()


def _word_dict(word: Word) -> dict[str, Any]:
    return {"text": word.text, "start": word.start, "end": word.end, "confidence": word.confidence}


def event_dict(event: LiveEvent) -> dict[str, Any]:
    """The event as plain JSON values (what the desk receives)."""
    return {
        "call_id": event.call_id,
        "speaker": event.speaker.value,
        "kind": event.kind.value,
        "seq": event.seq,
        "text": event.text,
        "start": event.start,
        "end": event.end,
        "words": [_word_dict(w) for w in event.words],
    }


def to_json(event: LiveEvent) -> str:
    return json.dumps(event_dict(event), ensure_ascii=False)


def _number(raw: Any, name: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ValueError(f"{name} must be a finite number")
    return float(raw)


def _text(raw: Any, name: str) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"{name} must be a string")
    return raw


def _word(raw: Any) -> Word:
    if not isinstance(raw, dict):
        raise ValueError("a word must be an object")
    confidence = raw.get("confidence")
    return Word(
        _text(raw.get("text"), "word text"),
        _number(raw.get("start"), "word start"),
        _number(raw.get("end"), "word end"),
        None if confidence is None else _number(confidence, "word confidence"),
    )


def _event(raw: Any) -> LiveEvent:
    if not isinstance(raw, dict):
        raise ValueError("a live event must be a JSON object")
    seq, words = raw.get("seq"), raw.get("words", [])
    if type(seq) is not int or seq < 0:
        raise ValueError("seq must be a non-negative integer")
    if not isinstance(words, list):
        raise ValueError("words must be a list")
    call_id = _text(raw.get("call_id"), "call_id")
    if not call_id:
        raise ValueError("call_id must not be empty")
    return LiveEvent(
        CallId(call_id),
        Speaker(_text(raw.get("speaker"), "speaker")),
        LiveKind(_text(raw.get("kind"), "kind")),
        seq,
        _text(raw.get("text"), "text"),
        _number(raw.get("start"), "start"),
        _number(raw.get("end"), "end"),
        tuple(_word(w) for w in words),
    )


def event_from_json(text: str | bytes) -> LiveEvent:
    """``ValueError`` for anything that is not a well-formed live event (never KeyError/TypeError)."""
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(f"live event is not JSON: {exc}") from exc
    return _event(raw)


def shifted(event: LiveEvent, offset: float) -> LiveEvent:
    """The event with its times moved by ``offset`` seconds (stream time → recording time), to the ms."""
    start, end, words = moved(event.start, offset), moved(event.end, offset), words_moved(event.words, offset)
    return LiveEvent(event.call_id, event.speaker, event.kind, event.seq, event.text, start, end, words)


@dataclass(frozen=True, slots=True)
class Tap:
    """One AudioSocket stream announced before Asterisk opens it: whose voice it carries and where it
    starts in that side's recording (``offset_s``: seconds since the call's recording started)."""

    call_id: CallId
    speaker: Speaker
    offset_s: float
    server: str  # the Asterisk instance that opened the tap
    registered_at: float | None = None  # wall clock (epoch seconds) when the tap was announced


# The announced offset already counts ChanSpy's own start delay (callcenter/queue/live_taps.py,
# CHANSPY_START_S) and the first 20 ms frame has to be heard before it is sent.
ANNOUNCED_START_S = 0.1 + 0.02
MAX_LATE_START_S = 30.0  # a later first frame means clocks that disagree, not a slow Asterisk


def measured_offset(tap: Tap, first_audio_at: float | None) -> float:
    """Where the stream's first sample falls in the recording: the announced offset plus however much
    later than expected the first audio arrived (Originate, the AudioSocket connect and answer take time —
    seconds on a loaded machine — which the announcement cannot know). Without the two wall-clock times,
    or with an implausible gap, the announced offset stands."""
    if tap.registered_at is None or first_audio_at is None:
        return tap.offset_s
    late = first_audio_at - tap.registered_at - ANNOUNCED_START_S
    return tap.offset_s + late if 0 < late <= MAX_LATE_START_S else tap.offset_s


# A party whose phone sends no packets while it is silent (silence suppression) leaves gaps in the stream,
# and a stream's time is counted in samples: the live worker fills such gaps with silence by the wall clock.
GAP_S = 0.5  # this far behind the wall clock, even counting the audio that just arrived, is a gap
GAP_SLACK_S = 0.1  # left unfilled: network and event-loop jitter


def silence_to_insert(elapsed_s: float, received_s: float) -> float:
    """Seconds of silence to put before audio that arrives after a gap: the stream has been open
    ``elapsed_s`` by the wall clock and holds ``received_s`` of audio including what just arrived. Audio
    that arrives late in a burst (a busy machine) catches up by itself and needs none."""
    behind = elapsed_s - received_s
    return behind - GAP_SLACK_S if behind > GAP_S else 0.0
