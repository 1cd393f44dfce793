"""The voice port: text in Simplified Chinese → telephone audio (issue 13, docs/voice.md).

Every engine implements ``Synthesizer``: the natural voice (Kokoro-82M, adapters/voice/kokoro.py) and the
espeak-ng fallback (adapters/voice/espeak.py). Pure: this module names the contract and the settings of a
voice; engines, model files and caches live in the adapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The Kokoro-82M v1.0 Mandarin voices (zf_: female, zm_: male); setting ``voice_name`` is one of them.
MANDARIN_VOICES: tuple[str, ...] = (
    "zf_xiaobei",
    "zf_xiaoni",
    "zf_xiaoxiao",
    "zf_xiaoyi",
    "zm_yunjian",
    "zm_yunxi",
    "zm_yunxia",
    "zm_yunyang",
)
VOICE_RATES: tuple[int, ...] = (8000, 16000)


@dataclass(frozen=True, slots=True)
class VoiceChoice:
    """Which voice reads, how fast, at which sample rate (settings ``voice_name``, ``voice_speed``,
    ``voice_rate``)."""

    name: str = "zf_xiaobei"  # a Kokoro Mandarin voice; the fallback engine ignores it
    speed: float = 1.0  # 0.5..2.0
    rate: int = 8000  # 8000 (telephone) or 16000


DEFAULT_VOICE = VoiceChoice()


@dataclass(frozen=True, slots=True)
class Speech:
    """Synthesized audio: mono signed 16-bit little-endian PCM at ``rate``."""

    pcm: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate


class Synthesizer(Protocol):
    """One speech engine, loaded once and reused. Synchronous and CPU-bound: call it off the event loop."""

    @property
    def engine(self) -> str:
        """Engine and model version, e.g. ``kokoro-82m-v1.0-int8`` or ``espeak-ng-1.51``: part of every
        cache fingerprint, so a new engine or model re-synthesizes the prompts."""
        ...

    def synthesize(self, text: str, voice: VoiceChoice) -> Speech:
        """``text`` as the caller should hear it (numbers already written the way they are read, see
        ``ivr/reading.py``) → speech at ``voice.rate``. Raises ``AudioError`` when it cannot."""
        ...
