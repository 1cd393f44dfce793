"""Sizing the after-call ASR worker pool to the machine (callcenter/asr/pool.py)."""

from __future__ import annotations

import pytest

from callcenter.asr.pool import AUTO, pool_size, workers_for

GB = 1024


@pytest.mark.parametrize(
    ("engine", "cpus", "memory_mb", "threads", "expected"),
    [
        ("whisper", 2, 8 * GB, 2, 1),  # this machine: one Whisper worker using both cores
        ("whisper", 16, 64 * GB, 2, 8),
        ("whisper", 16, 64 * GB, 4, 4),
        ("whisper", 1, 8 * GB, 2, 1),  # never none
        ("vosk", 8, 64 * GB, 2, 8),  # Vosk decodes on one core
        ("vosk", 32, 8 * GB, 1, 5),  # memory caps: half of 8 GB / 750 MB
        ("whisper", 4, 1 * GB, 2, 1),
    ],
)
def test_one_worker_per_decoding_core_set_within_half_the_memory(
    engine: str, cpus: int, memory_mb: int, threads: int, expected: int
) -> None:
    assert workers_for(engine, cpus, memory_mb, threads) == expected


def test_a_configured_count_is_kept_and_zero_means_a_separate_service() -> None:
    assert pool_size(3, "whisper", 2, 8 * GB, 2) == 3
    assert pool_size(0, "whisper", 64, 256 * GB, 2) == 0
    assert pool_size(AUTO, "whisper", 8, 64 * GB, 2) == 4
