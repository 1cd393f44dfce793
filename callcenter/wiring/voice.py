"""Settings → the voice: the features' ``VoiceChoice`` and the ``Synthesizer`` (docs/voice.md)."""

from __future__ import annotations

from callcenter.adapters.voice.factory import build_synthesizer
from callcenter.config.settings import Settings
from callcenter.ivr.voice import Synthesizer, VoiceChoice


def voice_choice(settings: Settings) -> VoiceChoice:
    """``voice_name``, ``voice_speed``, ``voice_rate`` as the features' value."""
    return VoiceChoice(name=settings.voice_name, speed=settings.voice_speed, rate=settings.voice_rate)


def build_voice(settings: Settings) -> Synthesizer:
    """``voice_engine``: Kokoro from ``$CACHE/voice`` when provisioned, else espeak-ng with one warning."""
    return build_synthesizer(settings.voice_engine)
