"""The architecture rule, checked: pure domain packages import no adapter and no technology client."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "callcenter"
PURE = ("core", "calls", "ivr", "queue", "asr", "ticketing", "staff", "sim")
FORBIDDEN = (
    "callcenter.adapters",
    "callcenter.bootstrap",
    "callcenter.cli",
    "callcenter.workers",
    "callcenter.telephony",
    "aiohttp",
    "panoramisk",
    "pyVoIP",
    "redis",
    "sqlalchemy",
    "alembic",
    "asyncpg",
    "aiosqlite",
    "vosk",
    "faster_whisper",
    "ctranslate2",
    "soundfile",
    "soxr",
    "opencc",
)


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_no_adapter_or_technology(package: str) -> None:
    offending = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in (PACKAGE / package).rglob("*.py")
        for name in imports_of(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not offending, sorted(offending)
