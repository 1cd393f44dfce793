"""Pytest plugin: scripted phones against the ``asterisk`` fixture (tests/support/asterisk.py).

The phones themselves live in ``callcenter_sim.phones`` (``python -m callcenter demo-calls``
uses them too); these fixtures only start them against the test instance and always stop them afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller

SPEECH_DIR = Path(os.environ.get("CALLCENTER_SPEECH_DIR", "/work/shared/speech/zh"))


def speech_sample(name: str) -> Path:
    """A Mandarin sample of the shared corpus, 8 kHz telephone version (``8k/<name>_8k.wav``)."""
    path = SPEECH_DIR / "8k" / f"{name}_8k.wav"
    if not path.is_file():
        pytest.fail(
            f"speech sample {path} missing (set CALLCENTER_SPEECH_DIR to the shared corpus)", pytrace=False
        )
    return path


@pytest.fixture
def speech() -> Callable[[str], Path]:
    """``speech("aishell1_BAC009S0724W0121")``: a sample's 8 kHz WAV; a missing corpus fails the test."""
    return speech_sample


@pytest.fixture
def agent_phone(asterisk: AsteriskInstance) -> Iterator[Callable[..., AgentPhone]]:
    """Factory: ``agent_phone("agent1001", play=path)`` returns a registered phone; all are stopped after."""
    phones: list[AgentPhone] = []

    def start(agent: str = "agent1001", **options: Any) -> AgentPhone:
        phone = AgentPhone(agent, asterisk.seat_secret(agent), asterisk.settings.sip_port, **options)
        phone.start()
        phones.append(phone)
        return phone

    yield start
    for phone in phones:
        phone.stop()


@pytest.fixture
def caller(asterisk: AsteriskInstance, tmp_path: Path) -> Iterator[Callable[[CallerScript], SippCaller]]:
    """Factory: ``caller(CallerScript(...))`` makes a sipp caller (not started); killed afterwards if left."""
    callers: list[SippCaller] = []

    def make(script: CallerScript) -> SippCaller:
        phone = SippCaller(script, asterisk.settings.sip_port, workdir=tmp_path / f"caller-{len(callers)}")
        callers.append(phone)
        return phone

    yield make
    for phone in callers:
        phone.stop()
