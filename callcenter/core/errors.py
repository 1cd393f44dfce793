"""Domain errors: a small tree with stable ``code`` strings and no HTTP in it.

The HTTP adapter maps them to status codes in one middleware; everything else logs them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: Mapping[str, Any] = details


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    code = "invalid_input"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class ConcurrentUpdate(DomainError):
    code = "concurrent_update"


class AudioError(DomainError):
    """A recording cannot be used for transcription (unreadable, empty, wrong format)."""

    code = "audio_error"


class TelephonyUnavailable(DomainError):
    """Asterisk (AMI) cannot be reached right now."""

    code = "telephony_unavailable"


class TooManyAttempts(DomainError):
    """Too many attempts from one place in a short time (HTTP 429): try again after ``retry_after``
    whole seconds, which the HTTP adapter also sends as ``Retry-After``."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: float, **details: Any) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(message, retry_after=seconds, **details)
        self.retry_after = seconds


class ConfigError(DomainError):
    code = "config_error"


class QueueUnavailable(DomainError):
    """The durable job queue (Redis) cannot be reached; the job is retried from the database later."""

    code = "queue_unavailable"
