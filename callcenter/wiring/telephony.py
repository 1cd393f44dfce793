"""The hotline's own Asterisk instance, built from Settings (composition-root helper for the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from callcenter.adapters.asterisk.errors import AsteriskNotInstalled
from callcenter.adapters.asterisk.instance import AsteriskInstance
from callcenter.adapters.asterisk.queue_log_file import QUEUE_LOG_NAME, QueueLogFiles
from callcenter.adapters.asterisk.runtime import CHROOT_BASE_DIR
from callcenter.adapters.asterisk.seats import SeatSecrets
from callcenter.adapters.asterisk.settings import InstanceSettings
from callcenter.config.asterisk_servers import asterisk_servers
from callcenter.config.settings import Settings
from callcenter.core.errors import ConfigError
from callcenter.wiring.voice import build_voice, voice_choice


def instance_settings(settings: Settings) -> InstanceSettings:
    return InstanceSettings(
        name=settings.asterisk_name,
        sip_port=settings.sip_port,
        ami_port=settings.ami_port,
        rtp_start=settings.rtp_start,
        rtp_end=settings.rtp_end,
        ami_secret=settings.ami_secret,
        agents=seats(settings),
        ami_user=settings.ami_user,
        wrapup_time=settings.wrapup_time,
        hotline_number=settings.hotline_number,
        agi_port=settings.agi_port,
        agi_host=settings.agi_host,
        pstn_outbound_uri=settings.pstn_outbound_uri,
        pstn_match=settings.pstn_match,
        ami_bind=settings.ami_bind,
        ami_permit=settings.ami_permit,
        sip_bind=settings.sip_bind,
        media_address=settings.media_address,
    )


def seats(settings: Settings) -> tuple[str, ...]:
    """The seat phones' endpoint names (``seats`` setting, validated by config)."""
    return tuple(s.strip() for s in settings.seats.split(",") if s.strip())


def seat_secrets(settings: Settings) -> SeatSecrets | None:
    """The seat secrets file as this host reaches it: ``seats_db``, else the local instance's;
    None where neither exists (no Asterisk here and nothing configured)."""
    if settings.seats_db:
        return SeatSecrets(Path(settings.seats_db))
    try:
        return local_instance(settings).seat_secrets
    except (AsteriskNotInstalled, ConfigError):
        return None


def local_instance(settings: Settings) -> AsteriskInstance:
    return AsteriskInstance(
        instance_settings(settings), synthesizer=build_voice(settings), voice=voice_choice(settings)
    )


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


def queue_log_files(settings: Settings) -> QueueLogFiles:
    """Where this host reads each Asterisk's queue_log (service-level catch-up and recount): with several
    servers (``asterisk_servers``) each one's ``queue_log`` option; else the ``sl_queue_log`` setting,
    else the local instance's <astlogdir>/queue_log, else nowhere."""
    if settings.asterisk_servers.strip():
        servers = asterisk_servers(settings)
        return QueueLogFiles({s.name: Path(s.queue_log) for s in servers if s.queue_log})
    if settings.sl_queue_log:
        return QueueLogFiles({settings.asterisk_name: Path(settings.sl_queue_log)})
    try:
        instance = local_instance(settings)
    except (AsteriskNotInstalled, ConfigError):
        return QueueLogFiles({})
    path = instance.host_path(instance.layout.log_dir / QUEUE_LOG_NAME)
    return QueueLogFiles({settings.asterisk_name: path})


def recordings_dir(settings: Settings) -> str:
    """The recordings directory as Asterisk names it: the ``recordings_dir`` setting, else the local
    instance's, else (no Asterisk here: containers) the instance layout's default path."""
    if settings.recordings_dir:
        return settings.recordings_dir
    try:
        return str(local_instance(settings).layout.recording_dir)
    except (AsteriskNotInstalled, ConfigError):
        return str(CHROOT_BASE_DIR / settings.asterisk_name / "recordings")


def recordings_dirs(settings: Settings) -> dict[str, str]:
    """Each Asterisk server's recordings directory (its ``recordings`` option, else ``recordings_dir``)."""
    default = recordings_dir(settings)
    return {s.name: s.recordings or default for s in asterisk_servers(settings)}
