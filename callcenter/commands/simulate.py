"""``python -m callcenter simulate``: a traffic drill (话务演练) against this hotline's Asterisk or a
throw-away one (composition helper for the CLI; the drill itself is callcenter_sim).

Against the configured Asterisk the drill uses its seat phones (the agent endpoints rendered from
``asterisk_conf/pjsip_agent.conf.part``) and logs them into ``hotline_queue`` for the drill only: run it
outside opening hours, or on a standby, never while real agents use those seats.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from callcenter.adapters.ami.bridge import AmiEndpoint
from callcenter.adapters.asterisk import AsteriskInstance, InstanceSettings
from callcenter.commands.demo import speech_dir
from callcenter.config.settings import Settings
from callcenter.core.errors import InvalidInput
from callcenter.wiring.telephony import instance_settings
from callcenter_sim.drill import DrillRun, DrillTarget, run_drill
from callcenter_sim.phones.ports import free_port_block
from callcenter_sim.plan import DrillPlan

RTP_PORTS_PER_CALL = 4  # caller leg + agent leg, RTP + RTCP each
DEFAULT_SPEECH = "aishell1_BAC009S0724W0121_8k.wav"


@dataclass(frozen=True, slots=True)
class SimulateOptions:
    own_asterisk: bool
    speech: Path | None
    workdir: Path | None = None
    keep: bool = False


def simulate(settings: Settings, plan: DrillPlan, options: SimulateOptions) -> DrillRun:
    """Run the drill and return its report (blocking; call from the CLI's main thread)."""
    speech = options.speech or default_speech()
    if options.own_asterisk:
        with own_asterisk(plan.spec.agents, plan.concurrency_limit, keep=options.keep) as instance:
            target = instance_target(instance)
            return asyncio.run(run_drill(target, plan, speech, options.workdir))
    return asyncio.run(run_drill(configured_target(settings), plan, speech, options.workdir))


def default_speech() -> Path | None:
    """A Mandarin sample of the shared corpus (CALLCENTER_SPEECH_DIR), or silence when there is none."""
    path = speech_dir() / "8k" / DEFAULT_SPEECH
    return path if path.is_file() else None


def configured_target(settings: Settings) -> DrillTarget:
    if not settings.ami_secret:
        raise InvalidInput("simulate: the configured Asterisk needs ami_secret")
    local = instance_settings(settings)
    instance = AsteriskInstance(local)
    return DrillTarget(
        ami=AmiEndpoint(
            settings.asterisk_name,
            settings.ami_host,
            settings.ami_port,
            settings.ami_user,
            settings.ami_secret,
        ),
        sip_port=settings.sip_port,
        seat_secrets=_seat_secrets(instance, local.agents),
        seats=local.agents,
        queue=settings.hotline_queue,
        hotline_number=settings.hotline_number,
        context=settings.hotline_context,
        greeting_s=_greeting_seconds(instance),
    )


def instance_target(instance: AsteriskInstance) -> DrillTarget:
    s = instance.settings
    return DrillTarget(
        ami=AmiEndpoint(s.name, "127.0.0.1", s.ami_port, s.ami_user, s.ami_secret),
        sip_port=s.sip_port,
        seat_secrets=_seat_secrets(instance, s.agents),
        seats=s.agents,
        hotline_number=s.hotline_number,
        greeting_s=instance.greeting_seconds(),
    )


def _seat_secrets(instance: AsteriskInstance, seats: tuple[str, ...]) -> dict[str, str]:
    """Each seat phone's own SIP secret, from the instance's seat secrets file on this machine."""
    return {seat: instance.seat_secret(seat) for seat in seats}


def drill_instance_settings(agents: int, concurrent_calls: int) -> InstanceSettings:
    """A throw-away instance: free loopback ports, random secrets, ``agents`` seats, no wrap-up."""
    rtp_ports = max(200, (concurrent_calls + agents) * RTP_PORTS_PER_CALL)
    rtp = free_port_block(rtp_ports)
    return InstanceSettings(
        name=f"drill-{os.getpid()}",
        sip_port=free_port_block(1),
        ami_port=free_port_block(1),
        rtp_start=rtp,
        rtp_end=rtp + rtp_ports - 1,
        ami_secret=secrets.token_hex(12),
        agents=tuple(f"agent{1001 + i}" for i in range(agents)),
        wrapup_time=0,
        agi_port=free_port_block(1),  # nobody listens: every AGI step takes its fallback
        verbose=0,
    )


@contextlib.contextmanager
def own_asterisk(agents: int, concurrent_calls: int, keep: bool = False) -> Iterator[AsteriskInstance]:
    """Start a throw-away Asterisk for the drill; stopped (and its directory removed) afterwards."""
    instance = AsteriskInstance(drill_instance_settings(agents, concurrent_calls))
    shutil.rmtree(instance.instance_dir, ignore_errors=True)
    instance.start(timeout=60.0, die_with_parent=True)
    try:
        yield instance
    finally:
        instance.stop()
        if not keep:
            shutil.rmtree(instance.instance_dir, ignore_errors=True)


def _greeting_seconds(instance: AsteriskInstance) -> float:
    try:
        return instance.greeting_seconds()
    except (OSError, RuntimeError):  # prompts not rendered on this host (Asterisk elsewhere)
        return 7.0
