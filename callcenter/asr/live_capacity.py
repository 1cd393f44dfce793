"""How many live streams one live worker takes at once (实时转写路数): pure, no I/O.

A live stream is one party of one answered call (each call gives two: caller and agent). Vosk decodes a
stream continuously at about 0.1 of a core (16 kHz small model); Whisper decodes each closed stretch of
speech, and a party speaks well under half the call, so a stream costs about 0.3 of a core
(bench/live_capacity.py; figures in docs/live-transcription.md). Beyond the limit a stream is refused and
its call is transcribed after hangup only, which is always correct, just later.
"""

from __future__ import annotations

AUTO = -1  # the setting's value for "size to this machine"
STREAMS_PER_CORE = {"whisper": 2, "vosk": 4}


def live_streams_for(engine: str, cpus: int) -> int:
    return max(1, cpus * STREAMS_PER_CORE.get(engine, 1))


def live_streams(setting: int, engine: str, cpus: int) -> int:
    """The configured number, or the machine's size for ``AUTO``."""
    return live_streams_for(engine, cpus) if setting == AUTO else setting
