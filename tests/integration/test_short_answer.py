"""A citizen's short spoken answer at the end of a 回访 call, heard by Whisper-base (real model, the natural
voice through 8 kHz): the same words give the same outcome wherever they fall in the recording's silence,
and a silent recording gives no words (adapters/asr/short_answer.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pytest

from callcenter.adapters.asr.short_answer import hear_answer
from callcenter.adapters.voice.audio import samples_of
from callcenter.asr.model import Audio
from callcenter.ivr.voice import VoiceChoice
from callcenter.ticketing.surveys.answers import outcome_of_answer
from callcenter.ticketing.surveys.model import AttemptOutcome
from tests.support.voice import natural_voice

if TYPE_CHECKING:
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

RATE = 8000


def placed(speech: np.ndarray, at_s: float, total_s: float = 25.0) -> Audio:
    out = np.zeros(int(total_s * RATE), dtype=np.float32)
    start = int(at_s * RATE)
    out[start : start + len(speech)] = speech
    return Audio(out, RATE)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [("满意，挺好的。", AttemptOutcome.SATISFIED), ("不满意，还没解决。", AttemptOutcome.DISSATISFIED)],
)
def test_an_answer_is_heard_alike_wherever_it_falls_in_the_silence(
    whisper_transcriber: WhisperTranscriber, text: str, outcome: AttemptOutcome
) -> None:
    """Decoded as a call side, 满意，挺好的 placed at 6.0 s or 9.0 s gave no words at all."""
    one_piece = whisper_transcriber.with_options(replace(whisper_transcriber.options, split_on_silence=False))
    speech = np.clip(
        samples_of(natural_voice().synthesize(text, VoiceChoice("zf_xiaoxiao", 1.0, RATE))), -1, 1
    )
    heard = {
        at: hear_answer(one_piece, placed(speech.astype(np.float32), at)) for at in (3.0, 6.0, 6.02, 9.0)
    }
    assert len(set(heard.values())) == 1, heard  # frame-aligned: the same samples, the same words
    assert {outcome_of_answer("", words) for words in heard.values()} == {outcome}, heard


def test_a_silent_answer_is_not_decoded(whisper_transcriber: WhisperTranscriber) -> None:
    hiss = np.random.default_rng(1).normal(0, 10 ** (-75 / 20), 20 * RATE).astype(np.float32)  # G.711 idle
    assert hear_answer(whisper_transcriber, Audio(hiss, RATE)) == ""


@pytest.mark.parametrize("voice", ["zf_xiaoxiao", "zm_yunjian", "zf_xiaoyi"])
def test_a_bare_manyi_is_heard_as_satisfied(whisper_transcriber: WhisperTranscriber, voice: str) -> None:
    """Whisper-base writes a bare 满意 as 慢夜 / 蚂蚁 / 买衣 / 慢衣: read by its sound (answers.by_sound)."""
    one_piece = whisper_transcriber.with_options(replace(whisper_transcriber.options, split_on_silence=False))
    speech = np.clip(samples_of(natural_voice().synthesize("满意。", VoiceChoice(voice, 1.0, RATE))), -1, 1)
    words = hear_answer(one_piece, placed(speech.astype(np.float32), 6.0))
    assert outcome_of_answer("", words) is AttemptOutcome.SATISFIED, words
