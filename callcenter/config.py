"""Settings: loaded once at start-up, typed, frozen, validated. Defaults < TOML file < env < CLI.

Secrets come only from the environment (or, for the embedded local setup, a generated file under the
data directory that never leaves this machine).
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

from callcenter.asterisk_servers import asterisk_servers, from_toml
from callcenter.core.errors import ConfigError
from callcenter.core.proxies import TrustedProxies
from callcenter.queue.dial_policy import DEFAULT_ALLOWED, DEFAULT_REFUSED
from callcenter.staff.throttle import LoginPolicy

AsrEngine = Literal["vosk", "whisper"]
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")
ENV_PREFIX = "CALLCENTER_"
PLAIN_ENV = {
    "DATABASE_URL": "database_url",
    "REDIS_URL": "redis_url",
    "VOSK_MODEL_PATH": "vosk_model_path",
    "ASR_ENGINE": "asr_engine",
}


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""  # default: SQLite file in data_dir
    redis_url: str = "redis://127.0.0.1:6379/0"
    jobs_stream: str = "cc:jobs:transcribe"  # Redis Stream of transcription jobs
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # The web doors (issue 11: docs/operations.md "Behind a TLS proxy", callcenter/adapters/http/client.py)
    trusted_proxies: str = ""  # comma-separated addresses/CIDRs whose X-Forwarded-* are believed ("": none)
    sse_streams_per_session: int = 4  # live streams (SSE) one login may hold at once; one more gets 429
    # Asterisk (one instance in the embedded setup; AMI and SIP on loopback)
    asterisk_name: str = "hotline"
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_user: str = "callcenter"
    ami_secret: str = field(default="", repr=False)
    # Where Asterisk listens (rendered into its configuration; issue 11: per deployment, never open to all).
    ami_bind: str = "127.0.0.1"  # AMI's address (containers: Asterisk's address on the backend network)
    ami_permit: str = "127.0.0.1/32"  # the one network the AMI user may log in from (not 0.0.0.0/0)
    sip_bind: str = "127.0.0.1"  # the SIP transport's address
    media_address: str = "127.0.0.1"  # the address phones and the carrier send RTP to (in SDP)
    pstn_match: str = "127.0.0.1"  # the carrier SBC: the only source identified as the pstn trunk
    # Seat phones (坐席话机): PJSIP endpoints, each with its own SIP secret in the seat secrets file
    # (callcenter/adapters/asterisk/seats.py; generated at first start, rotated by an admin).
    seats: str = "agent1001,agent1002,agent1003,agent1004"
    seats_db: str = ""  # this host's path to that file ("": the local instance's <instance>/seats)
    wrapup_time: int = 10  # seconds of after-call work (话后整理) before a seat gets the next call
    sip_port: int = 5060
    rtp_start: int = 10000
    rtp_end: int = 10199
    hotline_number: str = "12345"
    hotline_context: str = "from-pstn"
    hotline_queue: str = "hotline"
    # Recordings as Asterisk names them in AMI events ("": the local instance's <instance>/recordings). A
    # recording event naming a file elsewhere is refused, and only files in here are ever deleted.
    recordings_dir: str = ""
    # Speech
    asr_engine: AsrEngine = "vosk"
    vosk_model_path: str = ""
    vosk_language: str = "zh"  # language of the Vosk model (the PyPI Korean model used in tests: "ko")
    whisper_threads: int = 2
    whisper_beam_size: int = 5
    whisper_compute_type: str = "int8"
    whisper_split_on_silence: int = (
        1  # 1: decode each speech span on its own (see docs/asr.md); 0: whole side
    )
    whisper_model_dir: str = ""  # another faster-whisper model directory instead of the PyPI Whisper-base
    # Whisper domain adaptation and resampling (docs/asr.md, "Domain adaptation"): measured, prompt off
    whisper_domain_prompt: int = 0  # 1: gazetteer place names + hotline terms as prompt/hot words
    whisper_resample_quality: str = "HQ"  # soxr recipe for 8 kHz → 16 kHz: VHQ | HQ | MQ | LQ | QQ
    asr_workers: int = -1  # after-call ASR processes: -1 sized to the machine (callcenter/asr/pool.py)
    asr_claim_after_s: int = 300
    transcription_sweep_s: float = 30.0  # how often calls whose job could not be queued are queued again
    asr_max_attempts: int = 3
    # Work orders
    admin_password: str = field(default="", repr=False)  # account "admin", created at first start-up
    attachments_dir: str = ""  # default: data_dir/attachments
    attachment_max_mb: int = 10  # per file
    attachment_max_files: int = 20  # per order
    attachment_order_max_mb: int = 100  # all of an order's files together
    deadline_sweep_s: int = 60  # how often the deadline watch raises 黄牌/红牌
    rules_file: str = ""  # a city's time limits and life-cycle limits (deploy/rules.example.toml)
    # Service level (issue 5, part B: docs/service-level.md, docs/adr/0013-service-level-definition.md)
    sl_threshold_s: int = 15  # answered within this many seconds of hold counts for the 15-second rate
    sl_target: float = 0.95  # the bar for the connection rate (接通率) and the 15-second rate
    short_abandon_s: int = 5  # abandons after less hold than this are not offered (0: all offered)
    sl_excluded_queues: str = "hotline-callback"  # comma-separated queues that are not inbound
    sl_alarm_margin: float = 0.02  # the wallboard alarms below sl_target + this margin …
    sl_alarm_min_offered: int = 20  # … once at least this many calls were offered
    sl_decide_after_s: int = 3  # a caller who left with no AgentConnect after this long: exited
    sl_callback_keys: str = ""  # queue_log EXITWITHKEY keys that mean callback ("": every key)
    sl_queue_log: str = ""  # this host's path to the Asterisk queue_log ("": the local instance's)
    # Wallboard (issue 5, part C2: docs/wallboard.md)
    wallboard_publish_ms: int = 100  # at most one snapshot per this many ms while floor events keep coming
    wallboard_tick_ms: int = 1000  # republish this often anyway, so the longest wait keeps counting
    wallboard_prefix: str = "cc:wallboard"  # Redis keys: <prefix>:snapshot (stored), <prefix>:live (pub/sub)
    # Agent sessions (issue 5, part C1: docs/agents.md); the wrap-up time is ``wrapup_time`` above
    agents_prefix: str = "cc:agents"  # Redis keys of sessions, seat claims and live seat states
    agents_flush_ms: int = 50  # seat changes are written to Redis in one batch per this many ms
    agents_check_ms: int = 2000  # how often Redis is checked for lost agent state (then rebuilt)
    # Missed-call callback (漏接回拨; issue 5, part E: docs/callbacks.md)
    callback_enabled: int = 1  # 1: abandoned calls and callback-key presses are filed and called back
    callback_queue: str = "hotline-callback"  # where answered citizens wait for an agent (not inbound)
    callback_max_attempts: int = 3  # dialling attempts per request before it is "failed"
    callback_retry_s: int = 600  # spacing between attempts (no answer, busy, failed)
    callback_first_delay_s: int = 60  # from the miss to the first attempt (the citizen may call again)
    callback_quiet_hours: str = "21:00-08:00"  # Asia/Shanghai; no calls then ("" = any hour)
    callback_ring_s: int = 30  # how long the citizen's phone rings per attempt
    callback_poll_ms: int = 2000  # how often the dialer looks for due requests
    callback_max_parallel: int = 2  # callback calls being dialled at once per app process
    callback_trunk: str = "pstn-out"  # PJSIP endpoint for calls to citizens (asterisk_conf/pjsip.conf)
    pstn_outbound_uri: str = "sip:127.0.0.1:5080"  # that trunk's contact: the carrier's SBC
    # Which numbers may be called back at all (issue 11, callcenter/queue/dial_policy.py): name=regex;…
    # over the whole number (digits, +86/0086 removed). Refused numbers: not_callable, never dialled.
    callback_dial_allowed: str = DEFAULT_ALLOWED  # domestic mobiles and landlines
    callback_dial_refused: str = DEFAULT_REFUSED  # 00…, 400/800, 95xxx/96xxx and 1xx service codes, premium
    # IVR and queues (issue 5, part D: docs/ivr-and-queues.md): the FastAGI server the dialplan asks
    agi_port: int = 4573  # loopback port of the FastAGI server (also rendered into extensions.conf)
    agi_bind: str = "127.0.0.1"  # the address the app's FastAGI server listens on (containers: 0.0.0.0)
    agi_host: str = "127.0.0.1"  # the address Asterisk's dialplan reaches it at (containers: app)
    agi_deadline_ms: int = 1500  # a FastAGI request is cut after this; the dialplan goes on with defaults
    overflow_wait_s: int = 15  # overflow (溢出) when a queue's estimated wait is above this many seconds
    overflow_handle_s: int = 240  # handle time assumed while a queue has no average talk time yet
    overflow_general_queue: str = ""  # where the general line overflows to ("": it never does)
    # Several Asterisks (issue 5, part G: docs/scale-out.md, callcenter/asterisk_servers.py). "": the one
    # local instance above; else "name=host:port[;user=…][;secret_env=VAR][;queue_log=PATH], …"
    asterisk_servers: str = ""
    # Live transcription (issue 6: docs/live-transcription.md; the Asterisk tap: docs/ivr-and-queues.md).
    # When an agent answers, Asterisk streams each party's voice over AudioSocket to the live worker.
    live_asr: int = 1  # 1: answered queue calls are also transcribed while they last; 0: after hangup only
    live_asr_host: str = "127.0.0.1"  # the live worker's AudioSocket address as Asterisk dials it
    live_asr_bind: str = "127.0.0.1"  # the address the live worker's AudioSocket server listens on
    live_asr_port: int = 9093  # the AudioSocket server's TCP port
    # concurrent live streams per live worker (-1: sized to the machine, callcenter/asr/live_capacity.py);
    # beyond it a stream is refused and that call is transcribed after hangup only
    live_asr_streams: int = -1
    # Logins (issue 11: docs/accounts.md). Per app process, in memory; the source is the client address.
    login_attempts_per_minute: int = 10  # login attempts an address may make per minute (token bucket)
    login_burst: int = 5  # attempts an address may make at once before the per-minute rate applies
    login_max_failures: int = 5  # wrong passwords for one login from one address before it is locked there
    login_lockout_s: int = 900  # how long that lock lasts (and the window the failures are counted in)
    login_hash_slots: int = -1  # Argon2 hashes at once (each holds 64 MiB); -1: two per core
    # The live transcript's stored segments in Redis expire this long after the call's last one (and are
    # deleted once the after-call transcript is stored): docs/live-transcription.md, issue 11
    live_transcript_ttl_s: int = 3600

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir.resolve() / 'callcenter.db'}"

    @property
    def effective_attachments_dir(self) -> Path:
        return Path(self.attachments_dir) if self.attachments_dir else self.data_dir.resolve() / "attachments"


def load(file: Path | None = None, env: Mapping[str, str] | None = None, **cli: Any) -> Settings:
    """Build settings from the layers; raises ConfigError naming the bad key."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    if file is not None:
        values.update(_from_file(file))
    values.update(_from_env(env))
    values.update({k: v for k, v in cli.items() if v is not None})
    settings = _coerce(values)
    validate(settings)
    return settings


def _from_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            values = dict(tomllib.load(fh).get("callcenter", {}))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}", file=str(path)) from exc
    if not isinstance(values.get("asterisk_servers", ""), str):  # [[callcenter.asterisk_servers]] tables
        values["asterisk_servers"] = from_toml(values["asterisk_servers"])
    return values


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    names = {f.name for f in fields(Settings)}
    out: dict[str, Any] = {}
    for key, value in env.items():
        if key in PLAIN_ENV:
            out[PLAIN_ENV[key]] = value
        elif key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in names:
            out[key[len(ENV_PREFIX) :].lower()] = value
    return out


def _coerce(values: Mapping[str, Any]) -> Settings:
    known = {f.name: f for f in fields(Settings)}
    kwargs: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in known:
            raise ConfigError(f"unknown setting {key!r}", key=key)
        kwargs[key] = _convert(key, raw, type(getattr(Settings(), key)))
    return Settings(**kwargs)


def _convert(key: str, raw: Any, kind: type) -> Any:
    try:
        if issubclass(kind, Path):
            return Path(raw)
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {key!r} must be {kind.__name__}, got {raw!r}", key=key) from exc


def validate(settings: Settings) -> None:
    if settings.asr_engine not in get_args(AsrEngine):
        raise ConfigError(f"asr_engine must be one of {get_args(AsrEngine)}", key="asr_engine")
    for key in ("http_port", "ami_port", "sip_port", "rtp_start", "rtp_end"):
        if not 0 < getattr(settings, key) < 65536:
            raise ConfigError(f"{key} must be a port number", key=key)
    if settings.rtp_end <= settings.rtp_start:
        raise ConfigError("rtp_end must be above rtp_start", key="rtp_end")
    if settings.asr_workers < -1:  # 0: workers run as their own service (see docker-compose.yml)
        raise ConfigError("asr_workers must be -1 (sized to the machine), 0 or more", key="asr_workers")
    if settings.rules_file:
        from callcenter.rules import load_rules  # validated at start-up, not at first use

        load_rules(Path(settings.rules_file))
    if not 0 < settings.transcription_sweep_s <= 3600:
        raise ConfigError(
            "transcription_sweep_s must be above 0 and at most 3600", key="transcription_sweep_s"
        )
    if settings.deadline_sweep_s < 1:
        raise ConfigError("deadline_sweep_s must be at least 1", key="deadline_sweep_s")
    _validate_doors(settings)
    if settings.whisper_resample_quality not in ("VHQ", "HQ", "MQ", "LQ", "QQ"):
        raise ConfigError(
            "whisper_resample_quality must be VHQ, HQ, MQ, LQ or QQ", key="whisper_resample_quality"
        )
    if settings.asr_max_attempts < 1:
        raise ConfigError("asr_max_attempts must be at least 1", key="asr_max_attempts")
    _validate_service_level(settings)
    _validate_ivr(settings)
    _validate_callbacks(settings)
    _validate_live_asr(settings)
    _validate_logins(settings)
    _validate_seats(settings)
    _validate_listeners(settings)
    asterisk_servers(settings)  # raises ConfigError naming the bad server
    if not 1 <= settings.agents_flush_ms <= settings.agents_check_ms <= 60_000:
        raise ConfigError("agents_flush_ms must be 1..agents_check_ms, at most 60000", key="agents_flush_ms")
    if not 0 <= settings.wrapup_time <= 3600:
        raise ConfigError("wrapup_time must be 0..3600 seconds", key="wrapup_time")
    if not 10 <= settings.wallboard_publish_ms <= settings.wallboard_tick_ms <= 60_000:
        raise ConfigError(
            "wallboard_publish_ms must be 10..wallboard_tick_ms, and wallboard_tick_ms at most 60000",
            key="wallboard_publish_ms",
        )


def _validate_doors(settings: Settings) -> None:
    TrustedProxies.parse(settings.trusted_proxies)  # ConfigError naming the bad item
    if not 1 <= settings.sse_streams_per_session <= 100:
        raise ConfigError("sse_streams_per_session must be 1..100", key="sse_streams_per_session")
    if not 1 <= settings.attachment_max_mb <= 100:
        raise ConfigError("attachment_max_mb must be 1..100", key="attachment_max_mb")
    if not 1 <= settings.attachment_max_files <= 1000:
        raise ConfigError("attachment_max_files must be 1..1000", key="attachment_max_files")
    if not settings.attachment_max_mb <= settings.attachment_order_max_mb <= 100_000:
        raise ConfigError(
            "attachment_order_max_mb must be attachment_max_mb..100000", key="attachment_order_max_mb"
        )


def _validate_service_level(settings: Settings) -> None:
    if not 1 <= settings.sl_threshold_s <= 600:
        raise ConfigError("sl_threshold_s must be 1..600 seconds", key="sl_threshold_s")
    if not 0 < settings.sl_target <= 1:
        raise ConfigError("sl_target must be a fraction in (0, 1]", key="sl_target")
    if not 0 <= settings.short_abandon_s <= 60:
        raise ConfigError("short_abandon_s must be 0..60 seconds", key="short_abandon_s")
    if not 0 <= settings.sl_alarm_margin < 1:
        raise ConfigError("sl_alarm_margin must be a fraction in [0, 1)", key="sl_alarm_margin")
    if settings.sl_alarm_min_offered < 0:
        raise ConfigError("sl_alarm_min_offered must be 0 or more", key="sl_alarm_min_offered")
    if not 0 <= settings.sl_decide_after_s <= 60:
        raise ConfigError("sl_decide_after_s must be 0..60 seconds", key="sl_decide_after_s")


def _validate_callbacks(settings: Settings) -> None:
    from callcenter.core.errors import InvalidInput
    from callcenter.queue.callbacks import parse_quiet_hours

    if settings.callback_enabled not in (0, 1):
        raise ConfigError("callback_enabled must be 0 or 1", key="callback_enabled")
    if not 1 <= settings.callback_max_attempts <= 10:
        raise ConfigError("callback_max_attempts must be 1..10", key="callback_max_attempts")
    if not 1 <= settings.callback_retry_s <= 86_400:
        raise ConfigError("callback_retry_s must be 1..86400 seconds", key="callback_retry_s")
    if not 0 <= settings.callback_first_delay_s <= 86_400:
        raise ConfigError("callback_first_delay_s must be 0..86400 seconds", key="callback_first_delay_s")
    if not 2 <= settings.callback_ring_s <= 120:
        raise ConfigError("callback_ring_s must be 2..120 seconds", key="callback_ring_s")
    if not 50 <= settings.callback_poll_ms <= 60_000:
        raise ConfigError("callback_poll_ms must be 50..60000", key="callback_poll_ms")
    if not 1 <= settings.callback_max_parallel <= 100:
        raise ConfigError("callback_max_parallel must be 1..100", key="callback_max_parallel")
    try:
        parse_quiet_hours(settings.callback_quiet_hours)
    except InvalidInput as exc:
        raise ConfigError(exc.message, key="callback_quiet_hours") from exc
    from callcenter.queue.dial_policy import parse_rules

    for key in ("callback_dial_allowed", "callback_dial_refused"):
        try:
            rules = parse_rules(getattr(settings, key))
        except InvalidInput as exc:
            raise ConfigError(exc.message, key=key) from exc
        if key == "callback_dial_allowed" and not rules:
            raise ConfigError("callback_dial_allowed needs at least one rule", key=key)


def _validate_ivr(settings: Settings) -> None:
    if not 1024 <= settings.agi_port < 65536:
        raise ConfigError("agi_port must be a port number from 1024", key="agi_port")
    for key in ("agi_bind", "agi_host"):
        if not _HOST.match(getattr(settings, key)):
            raise ConfigError(f"{key} must be a host name or an IPv4 address", key=key)
    if not 100 <= settings.agi_deadline_ms <= 10_000:
        raise ConfigError("agi_deadline_ms must be 100..10000", key="agi_deadline_ms")
    if not 0 <= settings.overflow_wait_s <= 3600:
        raise ConfigError("overflow_wait_s must be 0..3600 seconds", key="overflow_wait_s")
    if not 1 <= settings.overflow_handle_s <= 7200:
        raise ConfigError("overflow_handle_s must be 1..7200 seconds", key="overflow_handle_s")
    name = settings.overflow_general_queue
    if name and not (name[0].isalpha() and all(c.isalnum() or c == "-" for c in name)):
        raise ConfigError("overflow_general_queue must be a queue name", key="overflow_general_queue")


def _validate_live_asr(settings: Settings) -> None:
    if settings.live_asr not in (0, 1):
        raise ConfigError("live_asr must be 0 or 1", key="live_asr")
    for key in ("live_asr_host", "live_asr_bind"):
        if not _HOST.match(getattr(settings, key)):
            raise ConfigError(f"{key} must be a host name or an IPv4 address", key=key)
    if not 1024 <= settings.live_asr_port < 65536:
        raise ConfigError("live_asr_port must be a port number from 1024", key="live_asr_port")
    if not 60 <= settings.live_transcript_ttl_s <= 86_400:
        raise ConfigError("live_transcript_ttl_s must be 60..86400 seconds", key="live_transcript_ttl_s")
    if not -1 <= settings.live_asr_streams <= 1000:
        raise ConfigError(
            "live_asr_streams must be -1 (sized to the machine) or 0..1000", key="live_asr_streams"
        )


def _validate_logins(settings: Settings) -> None:
    from callcenter.core.errors import InvalidInput
    from callcenter.staff.passwords import check_password

    if not 1 <= settings.login_attempts_per_minute <= 600:
        raise ConfigError("login_attempts_per_minute must be 1..600", key="login_attempts_per_minute")
    if not 1 <= settings.login_burst <= 100:
        raise ConfigError("login_burst must be 1..100", key="login_burst")
    if not 1 <= settings.login_max_failures <= 100:
        raise ConfigError("login_max_failures must be 1..100", key="login_max_failures")
    if not 1 <= settings.login_lockout_s <= 86_400:
        raise ConfigError("login_lockout_s must be 1..86400 seconds", key="login_lockout_s")
    if not (settings.login_hash_slots == -1 or 1 <= settings.login_hash_slots <= 256):
        raise ConfigError("login_hash_slots must be -1 (two per core) or 1..256", key="login_hash_slots")
    if settings.admin_password:
        try:
            check_password(settings.admin_password, "admin")
        except InvalidInput as exc:  # the message names the rule, never the password
            raise ConfigError(f"admin_password is too weak: {exc.message}", key="admin_password") from exc


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


def _validate_listeners(settings: Settings) -> None:
    for key in ("ami_bind", "sip_bind", "media_address"):
        try:
            ipaddress.IPv4Address(getattr(settings, key))
        except ValueError as exc:
            raise ConfigError(f"{key} must be an IPv4 address", key=key) from exc
    for key in ("ami_permit", "pstn_match"):
        try:
            network = ipaddress.IPv4Network(getattr(settings, key), strict=False)
        except ValueError as exc:
            if key == "pstn_match" and _HOST.match(settings.pstn_match):
                continue  # a host name of the SBC
            raise ConfigError(f"{key} must be an IPv4 address or network", key=key) from exc
        if network.prefixlen == 0:
            raise ConfigError(f"{key} must not be everything (0.0.0.0/0)", key=key)


_SEAT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")


def _validate_seats(settings: Settings) -> None:
    names = [s.strip() for s in settings.seats.split(",") if s.strip()]
    if not names or not all(_SEAT.match(n) for n in names) or len(set(names)) != len(names):
        raise ConfigError(
            "seats must be unique seat phone names (letters, digits, _ -), comma-separated", key="seats"
        )


LOCAL_SECRETS = ("ami_secret", "admin_password")


def with_local_secret(settings: Settings) -> Settings:
    """The embedded setup's secrets: from env if given, else generated once into data_dir (mode 0600)."""
    generated: dict[str, Any] = {
        name: _local_secret(settings.data_dir / name) for name in LOCAL_SECRETS if not getattr(settings, name)
    }
    return replace(settings, **generated) if generated else settings


def _local_secret(path: Path) -> str:
    """Generated once, mode 0600 from its first byte, in the private data directory; an older, looser
    file is tightened (private_files.py)."""
    from callcenter.private_files import FILE_MODE, private_dir, tighten, write_private

    private_dir(path.parent)
    if not path.exists():
        write_private(path, secrets.token_hex(16))
    tighten(path, FILE_MODE)
    return path.read_text().strip()


def describe(settings: Settings) -> dict[str, str]:
    """Settings for ``check-config``, with secrets hidden."""
    shown = {f.name: str(getattr(settings, f.name)) for f in fields(Settings)}
    for name in LOCAL_SECRETS:
        shown[name] = "***" if getattr(settings, name) else "(generated locally)"
    shown["database_url"] = hide_password(settings.effective_database_url)
    shown["redis_url"] = hide_password(settings.redis_url)  # redis://:<password>@… in containers
    return shown


def hide_password(url: str) -> str:
    """``scheme://user:password@host…`` with the password replaced by ``***`` (for output and logs)."""
    return _URL_PASSWORD.sub(r"\1***@", url)


_URL_PASSWORD = re.compile(r"^([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", re.IGNORECASE)
