"""The fallback voice: espeak-ng's ``cmn-latn-pinyin`` voice (robotic, but always installed by setup).

espeak-ng reads tone-numbered pinyin (its ``cmn`` voice would read pinyin with English rules, and its
Chinese-character reading is poor), so Chinese text is first turned into pinyin with pypinyin (which comes
with misaki[zh]): ``Style.TONE3`` with 5 for the neutral tone, ASCII digits read one by one. Prompts with
hand-written pinyin (``ivr/prompts.py``) are given to :meth:`EspeakSynthesizer.synthesize_pinyin` directly.
The voice name of a ``VoiceChoice`` is ignored; its speed scales espeak's words per minute.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import soundfile

from callcenter.adapters.voice.audio import to_speech
from callcenter.core.errors import AudioError
from callcenter.ivr.voice import Speech, VoiceChoice

VOICE = "cmn-latn-pinyin"
WORDS_PER_MINUTE = 240  # faster than espeak's 175: greeting + notice in about 7 s
DIGITS = ("ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3")
_HAN = re.compile(r"[\u3400-\u9fff]")
_PUNCTUATION = re.compile(r"[，。；：、！？,.;:!?]")


def to_pinyin(text: str) -> str:
    """Chinese text → tone-numbered pinyin (``nin2 hao3``); ASCII digits read one by one."""
    from pypinyin import Style, lazy_pinyin

    words: list[str] = []
    for chunk in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors="default"):
        for token in _PUNCTUATION.sub(" , ", chunk).split():
            words.extend(DIGITS[int(d)] for d in token) if token.isdigit() else words.append(token)
    return " ".join(words).replace(" ,", ",")


@cache
def espeak_version(binary: str = "espeak-ng") -> str:
    """``espeak-ng-1.52.0`` or the like, from ``espeak-ng --version``."""
    found = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True).stdout
    match = re.search(r"(\d+\.\d+(?:\.\d+)?)", found)
    return f"espeak-ng-{match.group(1) if match else 'unknown'}"


class EspeakSynthesizer:
    """espeak-ng behind the ``Synthesizer`` port."""

    def __init__(self, binary: str = "espeak-ng") -> None:
        if shutil.which(binary) is None:
            raise FileNotFoundError(f"{binary} not found: install it with `./hotline setup`")
        self._binary = binary
        self._engine = f"{espeak_version(binary)}/{VOICE}"

    @property
    def engine(self) -> str:
        return self._engine

    def synthesize(self, text: str, voice: VoiceChoice) -> Speech:
        """Chinese text (via pypinyin) or tone-numbered pinyin → speech."""
        return self.synthesize_pinyin(to_pinyin(text) if _HAN.search(text) else text, voice)

    def synthesize_pinyin(self, pinyin: str, voice: VoiceChoice) -> Speech:
        if not pinyin.strip():
            raise AudioError("nothing to say", reason="empty")
        wpm = round(WORDS_PER_MINUTE * voice.speed)
        with tempfile.TemporaryDirectory(prefix="espeak-") as tmp:
            raw = Path(tmp) / "espeak.wav"
            try:
                subprocess.run(
                    [self._binary, "-v", VOICE, "-s", str(wpm), "-w", str(raw), pinyin],
                    check=True,
                    capture_output=True,
                )
            except subprocess.CalledProcessError as exc:
                raise AudioError(f"espeak-ng failed: {exc.stderr!r}", reason="engine") from exc
            samples, rate = soundfile.read(raw, dtype="float32", always_2d=False)
        return to_speech(np.asarray(samples, dtype=np.float32), int(rate), voice.rate)
