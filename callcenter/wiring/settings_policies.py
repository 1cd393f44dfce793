"""Settings → the policies and secrets the parts run with: login throttling, hash slots, and the embedded
setup's locally generated secrets."""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

from callcenter.config.loading import LOCAL_SECRETS
from callcenter.config.settings import Settings
from callcenter.staff.throttle import LoginPolicy


def login_policy(settings: Settings) -> LoginPolicy:
    return LoginPolicy(
        attempts_per_minute=float(settings.login_attempts_per_minute),
        burst=settings.login_burst,
        max_failures=settings.login_max_failures,
        lockout_seconds=float(settings.login_lockout_s),
    )


def login_hash_slots(settings: Settings) -> int:
    """Argon2 hashes at once: the setting, or two per core."""
    if settings.login_hash_slots > 0:
        return settings.login_hash_slots
    return 2 * (os.cpu_count() or 1)


def with_local_secret(settings: Settings) -> Settings:
    """The embedded setup's secrets: from env if given, else generated once into data_dir (mode 0600)."""
    generated: dict[str, Any] = {
        name: _local_secret(settings.data_dir / name) for name in LOCAL_SECRETS if not getattr(settings, name)
    }
    return replace(settings, **generated) if generated else settings


def _local_secret(path: Path) -> str:
    """Generated once, mode 0600 from its first byte, in the private data directory; an older, looser
    file is tightened (adapters/private_files.py)."""
    from callcenter.adapters.private_files import FILE_MODE, private_dir, tighten, write_private

    private_dir(path.parent)
    if not path.exists():
        write_private(path, secrets.token_hex(16))
    tighten(path, FILE_MODE)
    return path.read_text().strip()
