"""How many after-call ASR worker processes a machine gets (转写进程数): pure, no I/O.

Each worker process loads its model once and decodes one call at a time. Whisper decodes with
``whisper_threads`` CTranslate2 threads, so a machine gets one Whisper worker per that many cores; Vosk
decodes on one core, so one per core. Memory caps both: a worker holds its model (RSS measured in
docs/asr.md, rounded up below) and only half of the machine's memory is given to them. More calls than
workers is normal: jobs wait in the durable Redis queue (back-pressure) and are taken in order.
"""

from __future__ import annotations

AUTO = -1  # the setting's value for "size the pool to this machine"
WORKER_RSS_MB = {"whisper": 700, "vosk": 750}  # model loaded and decoding, with a margin


def workers_for(engine: str, cpus: int, memory_mb: int, whisper_threads: int) -> int:
    """At least one worker; never more than the cores or half the memory allow."""
    per_core = max(1, whisper_threads) if engine == "whisper" else 1
    by_cpu = max(1, cpus // per_core)
    by_memory = max(1, (memory_mb // 2) // WORKER_RSS_MB.get(engine, max(WORKER_RSS_MB.values())))
    return min(by_cpu, by_memory)


def pool_size(setting: int, engine: str, cpus: int, memory_mb: int, whisper_threads: int) -> int:
    """The configured count (0: workers run as their own service), or the machine's size for ``AUTO``."""
    return workers_for(engine, cpus, memory_mb, whisper_threads) if setting == AUTO else setting
