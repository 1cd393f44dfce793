"""Composition of the live (streaming) engine from the same ``asr_engine`` setting as after-call ASR.

Vosk streams natively (:mod:`callcenter.adapters.asr.live_vosk`); Whisper decodes each stretch of speech as
the voice-activity segmenter closes it (:mod:`callcenter.asr.live_segments`), through the Transcriber the
factory builds, so live and after-call decoding are the same.
"""

from __future__ import annotations

from pathlib import Path

from callcenter.adapters.asr.factory import AsrConfig, transcriber_from_config
from callcenter.adapters.asr.models import resolve_vosk_model
from callcenter.asr.live_segments import SegmentedLiveEngine
from callcenter.asr.ports import LiveEngine


def live_engine_from_config(config: AsrConfig) -> LiveEngine:
    """Load the model once; every stream of this process shares it."""
    if config.asr_engine == "vosk":
        from callcenter.adapters.asr.live_vosk import VoskLiveEngine

        path = Path(config.vosk_model_path).expanduser() if config.vosk_model_path else None
        return VoskLiveEngine(resolve_vosk_model(path), language=config.vosk_language)
    return SegmentedLiveEngine(transcriber_from_config(config))
