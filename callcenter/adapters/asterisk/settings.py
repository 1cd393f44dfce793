"""Settings of one Asterisk instance and the directory layout derived from them.

Several instances run side by side (tests, a standby, a load-test target): each has its own ports, RTP range,
secrets and directory tree, so nothing is shared but the read-only Asterisk installation.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from callcenter.adapters.asterisk.errors import InvalidInstanceSettings

DEFAULT_AGENTS = ("agent1001", "agent1002", "agent1003", "agent1004")
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_AGENT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
_SECRET = re.compile(r"^[A-Za-z0-9._~+/=@%-]{8,128}$")  # nothing a .conf parser would cut (; , spaces)
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")
_DIGITS = re.compile(r"^[0-9]{3,20}$")
_SIP_URI = re.compile(r"^sips?:[A-Za-z0-9._~:\[\]@+-]{1,200}$")  # one token: no space, "," or ";" (comment)


@dataclass(frozen=True, slots=True)
class InstanceSettings:
    """What differs between two Asterisk instances. Secrets come from the caller (env / generated), never
    from the repository; the seat phones' secrets live in the instance's seat secrets file (seats.py),
    generated at the first render. ``base_dir`` is as Asterisk sees it (None: the runtime's default)."""

    name: str
    sip_port: int
    ami_port: int
    rtp_start: int
    rtp_end: int
    ami_secret: str = field(repr=False)
    ami_user: str = "callcenter"
    agents: tuple[str, ...] = DEFAULT_AGENTS
    wrapup_time: int = 10
    hotline_number: str = "12345"
    pstn_match: str = "127.0.0.1"  # the carrier SBC's address: the only source identified as the trunk
    ami_bind: str = "127.0.0.1"  # AMI listens here (containers: Asterisk's address on the backend network)
    ami_permit: str = "127.0.0.1/32"  # the AMI user's ACL: one network, never everything (issue 11)
    sip_bind: str = "127.0.0.1"  # the SIP transport's address
    media_address: str = "127.0.0.1"  # the address phones and the SBC send RTP to (in SDP)
    pstn_outbound_uri: str = "sip:127.0.0.1:5080"  # where calls to citizens go (漏接回拨): the carrier's SBC
    agi_port: int = 4573  # the app's FastAGI server on loopback (IVR self-service, overflow routing)
    agi_host: str = "127.0.0.1"  # where Asterisk reaches that server (the app's host in containers)
    base_dir: PurePosixPath | None = None
    verbose: int = 3

    def __post_init__(self) -> None:
        validate(self)


def validate(settings: InstanceSettings) -> None:
    """Reject values that would collide, break the rendered .conf syntax, or leave loopback open."""
    _check(bool(_NAME.match(settings.name)), "name", "lower-case letters, digits and '-', max 32")
    for key in ("sip_port", "ami_port", "rtp_start", "rtp_end", "agi_port"):
        _check(1024 <= getattr(settings, key) <= 65535, key, "a port number from 1024 to 65535")
    _check(settings.rtp_end - settings.rtp_start >= 10, "rtp_end", "at least 10 ports above rtp_start")
    _check(settings.sip_port != settings.ami_port, "ami_port", "different from sip_port")
    _check(bool(_SECRET.match(settings.ami_secret)), "ami_secret", "8-128 characters, no spaces or ; ,")
    _check(bool(_AGENT.match(settings.ami_user)), "ami_user", "a plain identifier")
    _check(bool(settings.agents) and all(_AGENT.match(a) for a in settings.agents), "agents", "identifiers")
    _check(len(set(settings.agents)) == len(settings.agents), "agents", "unique names")
    _check(0 <= settings.wrapup_time <= 3600, "wrapup_time", "0 to 3600 seconds")
    _check(bool(_DIGITS.match(settings.hotline_number)), "hotline_number", "digits only")
    _check(bool(_SIP_URI.match(settings.pstn_outbound_uri)), "pstn_outbound_uri", "a sip: URI")
    _check(bool(_HOST.match(settings.agi_host)), "agi_host", "a host name or IPv4 address")
    for key in ("ami_bind", "sip_bind", "media_address"):
        _check(_ipv4(getattr(settings, key)), key, "an IPv4 address")
    _check(_network(settings.ami_permit), "ami_permit", "one IPv4 network narrower than 0.0.0.0/0")
    _check(
        _network(settings.pstn_match) or bool(_HOST.match(settings.pstn_match)), "pstn_match", "an address"
    )
    _check(settings.base_dir is None or settings.base_dir.is_absolute(), "base_dir", "an absolute path")
    _check(0 <= settings.verbose <= 10, "verbose", "0 to 10")


def _ipv4(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def _network(value: str) -> bool:
    """One IPv4 network (``10.0.0.0/24``, or an address): not the whole Internet."""
    try:
        return ipaddress.IPv4Network(value, strict=False).prefixlen > 0
    except ValueError:
        return False


def _check(ok: bool, key: str, expected: str) -> None:
    if not ok:
        raise InvalidInstanceSettings(f"Asterisk instance setting {key!r} must be {expected}", key=key)


@dataclass(frozen=True, slots=True)
class InstanceLayout:
    """The directory tree of one instance, as Asterisk sees it (inside the chroot for a chroot runtime)."""

    root: PurePosixPath

    @property
    def etc_dir(self) -> PurePosixPath:
        return self.root / "etc"

    @property
    def config_file(self) -> PurePosixPath:
        return self.etc_dir / "asterisk.conf"

    @property
    def run_dir(self) -> PurePosixPath:
        return self.root / "run"

    @property
    def pid_file(self) -> PurePosixPath:
        return self.run_dir / "asterisk.pid"

    @property
    def log_dir(self) -> PurePosixPath:
        return self.root / "log"

    @property
    def lib_dir(self) -> PurePosixPath:
        return self.root / "lib"

    @property
    def keys_dir(self) -> PurePosixPath:
        return self.lib_dir / "keys"  # res_crypto looks here (astkeydir/keys)

    @property
    def spool_dir(self) -> PurePosixPath:
        return self.root / "spool"

    @property
    def cache_dir(self) -> PurePosixPath:
        return self.root / "cache"

    @property
    def sounds_dir(self) -> PurePosixPath:
        return self.root / "sounds"

    @property
    def moh_dir(self) -> PurePosixPath:
        return self.root / "moh"

    @property
    def recording_dir(self) -> PurePosixPath:
        return self.root / "recordings"

    @property
    def seats_dir(self) -> PurePosixPath:
        """The seat secrets file's directory: the app's, readable by Asterisk (seats.py, ownership.py)."""
        return self.root / "seats"

    @property
    def seats_db(self) -> PurePosixPath:
        return self.seats_dir / "seats.sqlite3"

    def read_only_dirs(self) -> tuple[PurePosixPath, ...]:
        """What Asterisk reads and never changes: its configuration and prompts."""
        return (self.etc_dir, self.sounds_dir, self.moh_dir)

    def state_dirs(self) -> tuple[PurePosixPath, ...]:
        """Asterisk's own state, for it alone."""
        return (self.run_dir, self.lib_dir, self.keys_dir, self.spool_dir, self.cache_dir)

    def shared_dirs(self) -> tuple[PurePosixPath, ...]:
        """What Asterisk writes and the app reads: logs (queue_log) and recordings."""
        return (self.log_dir, self.recording_dir)

    def writable_dirs(self) -> tuple[PurePosixPath, ...]:
        """Every directory Asterisk writes to; created before start-up."""
        return (
            self.etc_dir,
            self.run_dir,
            self.log_dir,
            self.lib_dir,
            self.keys_dir,
            self.spool_dir,
            self.cache_dir,
            self.sounds_dir,
            self.moh_dir,
            self.recording_dir,
            self.seats_dir,
        )
