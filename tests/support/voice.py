"""The natural voice for tests that need speech a recogniser can hear (the corpus call, a citizen's
spoken survey answer): Kokoro from the provisioned files, or a clear failure saying how to get it."""

from __future__ import annotations

import pytest

from callcenter.adapters.voice.models import default_dir, verify
from callcenter.core.errors import ConfigError
from callcenter.ivr.voice import Synthesizer


def natural_voice() -> Synthesizer:
    """Kokoro from the provisioned files; a clear failure when they are missing (no silent espeak-ng)."""
    try:
        files = verify(default_dir())
    except ConfigError as exc:
        pytest.fail(f"the natural voice (Kokoro) is not provisioned in {default_dir()}: {exc}; "
                    "run ./hotline setup (docs/voice.md)")  # fmt: skip
    from callcenter.adapters.voice.kokoro import KokoroSynthesizer

    return KokoroSynthesizer(files)
