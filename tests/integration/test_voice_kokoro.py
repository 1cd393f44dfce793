"""The natural voice with the real model (provisioned by `./hotline setup` into $CACHE/voice)."""

from __future__ import annotations

import pytest

from callcenter.adapters.asr.cer import cer
from callcenter.adapters.asr.text import to_simplified
from callcenter.adapters.asr.whisper_engine import WhisperTranscriber
from callcenter.adapters.voice.audio import samples_of
from callcenter.adapters.voice.kokoro import KokoroSynthesizer
from callcenter.adapters.voice.models import MODEL_VERSION, default_dir, verify
from callcenter.asr.model import Audio, Speaker
from callcenter.core.errors import ConfigError
from callcenter.ivr.prompts import RECORDING_NOTICE
from callcenter.ivr.voice import VoiceChoice

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kokoro() -> KokoroSynthesizer:
    try:
        files = verify(default_dir())
    except ConfigError as exc:
        pytest.fail(f"Kokoro voice not provisioned: {exc.message} (get it with `./hotline setup`)")
    try:
        synthesizer = KokoroSynthesizer(files)
        synthesizer.load()
    except ImportError as exc:
        pytest.fail(f"cannot import {exc.name}: install requirements.lock (`./hotline setup`)")
    return synthesizer


def test_kokoro_speaks_a_short_sentence_at_8_khz(kokoro: KokoroSynthesizer) -> None:
    speech = kokoro.synthesize("您好，请讲", VoiceChoice(rate=8000))
    assert speech.rate == 8000
    assert 0.6 < speech.seconds < 3.0  # five syllables
    peak = float(abs(samples_of(speech)).max())
    assert 0.65 < peak < 0.75  # normalised like every engine
    assert kokoro.engine.startswith(MODEL_VERSION)


def test_whisper_understands_a_kokoro_prompt_at_8_khz(
    kokoro: KokoroSynthesizer, whisper_transcriber: WhisperTranscriber
) -> None:
    speech = kokoro.synthesize(RECORDING_NOTICE.reading, VoiceChoice(rate=8000))
    segments = whisper_transcriber.transcribe(Audio(samples_of(speech), speech.rate), Speaker.AGENT)
    heard = to_simplified("".join(segment.text for segment in segments))
    assert cer(RECORDING_NOTICE.text, heard) <= 0.15, heard
