"""The natural voice: Kokoro-82M v1.0 int8 (kokoro-onnx) reading misaki's Mandarin phonemes.

Text → phonemes with ``misaki.zh.ZHG2P()`` (the v1.0 phoneme format; jieba + pypinyin + cn2an, no downloads),
phonemes → 24 kHz float audio with ``Kokoro.create(..., is_phonemes=True)``, then trimmed, resampled (soxr)
to the choice's rate and peak-normalised like every engine (``audio.to_speech``). The model, the voices and
jieba's dictionary load once, on the first synthesis (~3 s); about 0.5-0.8× real time on 2 cores.
"""

from __future__ import annotations

import logging
import threading
from importlib import metadata
from typing import Any

import numpy as np

from callcenter.adapters.voice.audio import to_speech
from callcenter.adapters.voice.models import MODEL_VERSION, VOICE_NAMES, KokoroFiles
from callcenter.core.errors import AudioError
from callcenter.ivr.voice import Speech, VoiceChoice


def _version(project: str) -> str:
    try:
        return metadata.version(project)
    except metadata.PackageNotFoundError:
        return "unknown"


class KokoroSynthesizer:
    """Kokoro-82M behind the ``Synthesizer`` port; thread-safe (one synthesis at a time)."""

    def __init__(self, files: KokoroFiles) -> None:
        self._files = files
        self._lock = threading.Lock()
        self._kokoro: Any = None
        self._g2p: Any = None
        # Model + runtime + G2P: a new version of any of them re-synthesizes cached speech.
        self._engine = f"{MODEL_VERSION}/kokoro-onnx-{_version('kokoro-onnx')}/misaki-{_version('misaki')}"

    @property
    def engine(self) -> str:
        return self._engine

    def load(self) -> None:
        """Load the model, the voices and the G2P (done by the first synthesis anyway)."""
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> None:
        if self._kokoro is not None:
            return
        from kokoro_onnx import Kokoro
        from misaki import zh

        logging.getLogger("jieba").setLevel(logging.WARNING)  # jieba logs its dictionary load at DEBUG

        self._g2p = zh.ZHG2P()
        self._kokoro = Kokoro(str(self._files.model), str(self._files.voices))

    def phonemes(self, text: str) -> str:
        with self._lock:
            self._load_locked()
            return str(self._g2p(text)[0])

    def synthesize(self, text: str, voice: VoiceChoice) -> Speech:
        if voice.name not in VOICE_NAMES:
            raise AudioError(f"unknown Kokoro voice {voice.name!r}", reason="voice", voice=voice.name)
        if not text.strip():
            raise AudioError("nothing to say", reason="empty")
        with self._lock:
            self._load_locked()
            phonemes = str(self._g2p(text)[0])
            if not phonemes.strip():
                raise AudioError("no phonemes for this text", reason="g2p")
            try:
                samples, rate = self._kokoro.create(
                    phonemes, voice=voice.name, speed=voice.speed, is_phonemes=True
                )
            except (ValueError, RuntimeError) as exc:
                raise AudioError(f"Kokoro could not synthesize: {exc}", reason="engine") from exc
        return to_speech(np.asarray(samples, dtype=np.float32), int(rate), voice.rate)
