"""Composition of a :class:`Transcriber`; engines are imported only when chosen.

Importing Vosk loads libvosk and importing faster-whisper loads CTranslate2 and ONNX Runtime, so a worker
configured for one engine never pays for the other.
"""

from __future__ import annotations

from dataclasses import replace
from importlib.resources import files
from pathlib import Path
from typing import Protocol, get_args

from callcenter.adapters.asr.domain_vocabulary import (
    DomainVocabulary,
    hotwords,
    parse_terms,
    place_names,
    whisper_prompt,
)
from callcenter.adapters.asr.models import resolve_vosk_model
from callcenter.adapters.asr.settings import ENGINES, EngineName, ResampleQuality, WhisperOptions
from callcenter.asr.ports import Transcriber
from callcenter.core.errors import ConfigError


class AsrConfig(Protocol):
    """The speech part of ``callcenter.config.settings.Settings`` (read-only view)."""

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
    @property
    def whisper_domain_prompt(self) -> int: ...
    @property
    def whisper_resample_quality(self) -> str: ...


def domain_vocabulary_from_seed() -> DomainVocabulary:
    """Place names of the shipped gazetteer (callcenter/ticketing/seed) and the hotline terms file."""
    from callcenter.adapters.db.catalogue import load_seed

    seed = load_seed()
    terms = files("callcenter.adapters.asr").joinpath("hotline_terms.txt").read_text("utf-8")
    return DomainVocabulary(place_names(seed.areas, seed.aliases), parse_terms(terms))


def domain_whisper_options(options: WhisperOptions, vocabulary: DomainVocabulary) -> WhisperOptions:
    """``options`` with the domain prompt (opening, place names) and the hotline terms as hot words."""
    return replace(options, initial_prompt=whisper_prompt(vocabulary), hotwords=hotwords(vocabulary) or None)


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
        resample_quality=_quality(config.whisper_resample_quality),
    )
    if config.whisper_domain_prompt and engine == "whisper":
        whisper = domain_whisper_options(whisper, domain_vocabulary_from_seed())
    model = Path(config.vosk_model_path).expanduser() if config.vosk_model_path else None
    return build_transcriber(
        engine, vosk_model_path=model, vosk_language=config.vosk_language, whisper=whisper
    )


def _quality(name: str) -> ResampleQuality:
    for quality in get_args(ResampleQuality):
        if quality == name:
            return quality  # type: ignore[no-any-return]
    raise ConfigError(
        f"whisper_resample_quality must be one of {get_args(ResampleQuality)}", reason="invalid_setting"
    )
