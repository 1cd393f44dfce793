"""Composition of a :class:`~callcenter.ivr.voice.Synthesizer`: Kokoro when provisioned, else espeak-ng.

The fallback is never silent: when Kokoro was asked for and cannot be used, ONE warning names the reason
(a missing file, a hash mismatch, an import error) and how to provision it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from callcenter.adapters.voice.espeak import EspeakSynthesizer
from callcenter.adapters.voice.models import default_dir, verify
from callcenter.core.errors import ConfigError
from callcenter.ivr.voice import Synthesizer

VoiceEngine = Literal["kokoro", "espeak"]
log = logging.getLogger("callcenter.voice")


def build_synthesizer(
    engine: VoiceEngine = "kokoro", voice_dir: Path | None = None, *, espeak_binary: str = "espeak-ng"
) -> Synthesizer:
    """``engine="kokoro"``: the natural voice from ``voice_dir`` (default ``$CACHE/voice``), its files
    verified (sha256) before use; when that fails, espeak-ng with one logged WARNING naming the reason.
    ``engine="espeak"``: espeak-ng."""
    if engine == "kokoro":
        directory = voice_dir or default_dir()
        try:
            files = verify(directory)
            import kokoro_onnx  # noqa: F401  (fail here, not on the first call, when the runtime is missing)
            import misaki.zh  # noqa: F401

            from callcenter.adapters.voice.kokoro import KokoroSynthesizer

            return KokoroSynthesizer(files)
        except ConfigError as exc:
            reason = f"{exc.details.get('reason', 'unusable')}: {exc}"
        except ImportError as exc:
            reason = f"import_error: {exc} (install requirements.lock: ./hotline setup)"
        log.warning("natural voice (Kokoro) not available, using espeak-ng instead — %s", reason)
    return EspeakSynthesizer(espeak_binary)
