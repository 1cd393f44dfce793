"""Domain errors: a small tree with stable ``code`` strings and no HTTP in it.

The HTTP adapter maps them to status codes in one middleware; everything else logs them.
"""

from __future__ import annotations

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


class ConfigError(DomainError):
    code = "config_error"


class QueueUnavailable(DomainError):
    """The durable job queue (Redis) cannot be reached; the job is retried from the database later."""

    code = "queue_unavailable"
