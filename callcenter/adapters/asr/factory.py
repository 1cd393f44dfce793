"""Composition of a :class:`Transcriber`; engines are imported only when chosen.

Importing Vosk loads libvosk and importing faster-whisper loads CTranslate2 and ONNX Runtime, so a worker
configured for one engine never pays for the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from callcenter.adapters.asr.models import resolve_vosk_model
from callcenter.adapters.asr.settings import ENGINES, EngineName, WhisperOptions
from callcenter.asr.port import Transcriber
from callcenter.core.errors import ConfigError


class AsrConfig(Protocol):
    """The speech part of ``callcenter.config.Settings`` (read-only view)."""

    @property
    def asr_engine(self) -> str: ...
    @property
    def vosk_model_path(self) -> str: ...
    @property
    def whisper_threads(self) -> int: ...
    @property
    def whisper_beam_size(self) -> int: ...
    @property
    def vosk_language(self) -> str: ...
    @property
    def whisper_compute_type(self) -> str: ...
    @property
    def whisper_split_on_silence(self) -> int: ...
    @property
    def whisper_model_dir(self) -> str: ...


def build_transcriber(
    engine: EngineName,
    *,
    vosk_model_path: Path | None = None,
    vosk_language: str = "zh",
    whisper: WhisperOptions | None = None,
) -> Transcriber:
    """Load the chosen engine's model once and return it behind the port.

    Vosk: ``vosk_model_path`` > ``$VOSK_MODEL_PATH`` > the fetched Mandarin model in the cache; there is no
    fallback to another language. Whisper: Whisper-base from the PyPI parts (sha256-checked) unless
    ``whisper.model_dir`` names another model. Missing models raise ConfigError saying how to get them.
    """
    if engine == "vosk":
        from callcenter.adapters.asr.vosk_engine import VoskTranscriber

        return VoskTranscriber(resolve_vosk_model(vosk_model_path), language=vosk_language)
    if engine == "whisper":
        from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

        return WhisperTranscriber(whisper)
    raise ConfigError(f"unknown ASR engine {engine!r}: expected one of {ENGINES}", reason="invalid_setting")


def transcriber_from_config(config: AsrConfig) -> Transcriber:
    """:func:`build_transcriber` from the application settings (``ASR_ENGINE``, ``VOSK_MODEL_PATH``, ...)."""
    if config.asr_engine not in ENGINES:
        raise ConfigError(f"asr_engine must be one of {ENGINES}", reason="invalid_setting")
    engine: EngineName = "vosk" if config.asr_engine == "vosk" else "whisper"
    whisper = WhisperOptions(
        cpu_threads=config.whisper_threads,
        beam_size=config.whisper_beam_size,
        compute_type=config.whisper_compute_type,
        split_on_silence=bool(config.whisper_split_on_silence),
        model_dir=Path(config.whisper_model_dir).expanduser() if config.whisper_model_dir else None,
    )
    model = Path(config.vosk_model_path).expanduser() if config.vosk_model_path else None
    return build_transcriber(
        engine, vosk_model_path=model, vosk_language=config.vosk_language, whisper=whisper
    )
