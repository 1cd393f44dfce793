"""Asterisk 22 as code: rendered configuration, instance lifecycle, runtime location, prompts.

Public API (nothing runs at import)::

    runtime = locate_runtime()                       # host binary, else the sid chroot from setup.sh
    instance = AsteriskInstance(InstanceSettings(name="hotline", sip_port=5060, ami_port=5038,
                                                 rtp_start=10000, rtp_end=10199,
                                                 ami_secret=...), runtime)
    instance.seat_secret("agent1001")                # that seat phone's own SIP secret (seats.py)
    instance.start()          # render config + prompts, start, wait until fully booted and AMI answers
    instance.status()         # InstanceStatus(running, pid, fully_booted, ami_banner, ...).healthy
    instance.cli("queue show hotline")
    instance.reload()         # re-render asterisk_conf/ and `core reload`
    instance.host_path("/var/lib/.../recordings/x.wav")   # Asterisk's path -> this host's path
    instance.stop()           # core stop now, then SIGTERM/SIGKILL to our PID only

Events the AMI bridge relies on are documented in asterisk_conf/extensions.conf and tests/fixtures/ami.
"""

from callcenter.adapters.asterisk.errors import (
    AsteriskCommandFailed,
    AsteriskNotInstalled,
    AsteriskStartFailed,
    InvalidInstanceSettings,
)
from callcenter.adapters.asterisk.instance import AsteriskInstance, InstanceStatus
from callcenter.adapters.asterisk.runtime import AsteriskRuntime, cache_dir, locate_runtime, prepare_runtime
from callcenter.adapters.asterisk.settings import DEFAULT_AGENTS, InstanceLayout, InstanceSettings

__all__ = [
    "DEFAULT_AGENTS",
    "AsteriskCommandFailed",
    "AsteriskInstance",
    "AsteriskNotInstalled",
    "AsteriskRuntime",
    "AsteriskStartFailed",
    "InstanceLayout",
    "InstanceSettings",
    "InstanceStatus",
    "InvalidInstanceSettings",
    "cache_dir",
    "locate_runtime",
    "prepare_runtime",
]
