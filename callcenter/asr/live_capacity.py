"""How many live streams one live worker takes at once (实时转写路数): pure, no I/O.

A live stream is one party of one answered call (each call gives two: caller and agent). Measured with
bench/live_capacity.py (docs/live-transcription.md): one Whisper-base stream costs about 0.2 of a core but
its decodes are serial in one CTranslate2 model, and with two streams per core the lag from speech end to
FINAL already grew past several seconds; Vosk decodes continuously at about 0.2 of a core per stream.
Hence one Whisper stream per core and two Vosk streams per core. Beyond the limit a stream is refused and
its call is transcribed after hangup only, which is always correct, just later.
"""

from __future__ import annotations

AUTO = -1  # the setting's value for "size to this machine"
STREAMS_PER_CORE = {"whisper": 1, "vosk": 2}


def live_streams_for(engine: str, cpus: int) -> int:
    return max(1, cpus * STREAMS_PER_CORE.get(engine, 1))


def live_streams(setting: int, engine: str, cpus: int) -> int:
    """The configured number, or the machine's size for ``AUTO``."""
    return live_streams_for(engine, cpus) if setting == AUTO else setting
