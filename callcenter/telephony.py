"""The hotline's own Asterisk instance, built from Settings (composition-root helper for the CLI)."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.adapters.asterisk.errors import AsteriskNotInstalled
from callcenter.adapters.asterisk.instance import AsteriskInstance
from callcenter.adapters.asterisk.settings import InstanceSettings
from callcenter.config import Settings


def instance_settings(settings: Settings) -> InstanceSettings:
    return InstanceSettings(
        name=settings.asterisk_name,
        sip_port=settings.sip_port,
        ami_port=settings.ami_port,
        rtp_start=settings.rtp_start,
        rtp_end=settings.rtp_end,
        ami_secret=settings.ami_secret,
        agent_password=settings.agent_password,
        ami_user=settings.ami_user,
        wrapup_time=settings.wrapup_time,
        hotline_number=settings.hotline_number,
    )


def local_instance(settings: Settings) -> AsteriskInstance:
    return AsteriskInstance(instance_settings(settings))


def host_path_for(settings: Settings) -> Callable[[str], str]:
    """Map recording paths as Asterisk reports them to this host's view.

    With Asterisk in this machine's sid chroot, the chroot's root is prefixed. Where no Asterisk runs here
    (containers: Asterisk elsewhere, recordings on a volume mounted at the same path) paths are used as is.
    """
    try:
        instance = local_instance(settings)
    except AsteriskNotInstalled:
        return lambda path: path
    return lambda path: str(instance.host_path(path))
