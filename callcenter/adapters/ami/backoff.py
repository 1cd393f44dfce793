"""Reconnection backoff: exponential, capped, with optional jitter supplied by the caller."""

from __future__ import annotations


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 15.0, jitter: float = 0.0) -> float:
    """Seconds to wait before reconnect attempt ``attempt`` (0-based): base·2^attempt, at most ``cap``.

    ``jitter`` in [0, 1) is drawn by the caller (rules read no randomness); it stretches the delay by
    up to 50 % so that many bridges do not reconnect in lock-step after an Asterisk restart.
    """
    delay = min(cap, base * float(2 ** max(0, attempt)))
    return delay * (1.0 + 0.5 * jitter)
