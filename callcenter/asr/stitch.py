"""Joining what was transcribed during the call with what is left at hangup (转写拼接): pure, no I/O.

While a call goes on, the live worker closes the caller's and the agent's speech into final segments as each
pause comes (``docs/live-transcription.md``) and records, per side, how far into that side's recording its
finals reach (``covered``). At hangup the after-call job transcribes only the rest of each side, from
``covered`` to the end, and joins the two parts. A side the live worker never saw is transcribed whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from callcenter.asr.live import LiveEvent
from callcenter.asr.model import Audio, Segment, Speaker

# Finals are stored before ``covered`` moves past them; one that ends a hair after ``covered`` (rounding)
# still belongs to the covered part.
_EDGE_S = 0.05


@dataclass(frozen=True, slots=True)
class LiveSide:
    """What the live worker closed for one side of a call before hangup."""

    segments: tuple[Segment, ...]
    covered: float  # seconds of this side's recording that ``segments`` account for
    start: float = 0.0  # where the live stream started in the recording: what precedes it is not covered


def live_sides(
    finals: Iterable[LiveEvent],
    covered: Mapping[Speaker, float],
    started: Mapping[Speaker, float] | None = None,
) -> dict[Speaker, LiveSide]:
    """Each side the live worker covered, with its finals as transcript segments and where it started."""
    events = tuple(finals)
    return {
        speaker: LiveSide(
            tuple(
                Segment(e.speaker, e.start, e.end, e.text, e.words) for e in events if e.speaker is speaker
            ),
            seconds,
            min((started or {}).get(speaker, 0.0), seconds),
        )
        for speaker, seconds in covered.items()
    }


def covered_segments(side: LiveSide) -> tuple[Segment, ...]:
    """The finals inside the covered part (a final written after ``covered`` was read is left to the tail)."""
    return tuple(s for s in side.segments if s.end <= side.covered + _EDGE_S)


def joined_to_head(side: LiveSide) -> LiveSide:
    """A live stream that opened while the citizen was speaking cut a word in two: its first final begins
    mid-word and the recording's head ends mid-word, and each half is misheard (seen: 幺三八零八二三五二六六
    read with a 6 for a 2). The first final — it closes at a pause — is left to the head instead, so the
    head runs from the recording's start to that pause and is decoded whole, as if the stream had opened
    on time; later finals are kept as they were."""
    finals = sorted(covered_segments(side), key=lambda s: s.start)
    if not finals:
        return side
    through = finals[0].end
    kept = tuple(s for s in side.segments if s.start >= through - _EDGE_S)
    return LiveSide(kept, side.covered, min(max(side.start, through), side.covered))


def head(audio: Audio, start: float) -> Audio:
    """The audio before a live stream that started ``start`` seconds into the recording."""
    end = max(0, min(len(audio.samples), round(start * audio.rate)))
    return Audio(audio.samples[:end], audio.rate)


def remaining(audio: Audio, covered: float) -> Audio:
    """The audio after ``covered`` seconds (empty when the live worker covered it all)."""
    start = max(0, min(len(audio.samples), round(covered * audio.rate)))
    return Audio(audio.samples[start:], audio.rate)


def shifted(segments: Iterable[Segment], by: float) -> tuple[Segment, ...]:
    """Segments of a trimmed tail moved back onto the recording's time line."""
    return tuple(s.moved(by) for s in segments)


def stitched(live: LiveSide | None, tail: Iterable[Segment], speaker: Speaker) -> tuple[Segment, ...]:
    """One side in time order: the live part, then the tail (already on the recording's time line)."""
    head = covered_segments(live) if live is not None else ()
    return tuple(sorted((*(s for s in head if s.speaker is speaker), *tail), key=lambda s: s.start))
