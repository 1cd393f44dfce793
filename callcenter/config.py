"""Settings: loaded once at start-up, typed, frozen, validated. Defaults < TOML file < env < CLI.

Secrets come only from the environment (or, for the embedded local setup, a generated file under the
data directory that never leaves this machine).
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

from callcenter.core.errors import ConfigError

AsrEngine = Literal["vosk", "whisper"]
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
    # Asterisk (one instance in the embedded setup; AMI and SIP on loopback)
    asterisk_name: str = "hotline"
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_user: str = "callcenter"
    ami_secret: str = field(default="", repr=False)
    agent_password: str = field(default="", repr=False)  # SIP password of the seat phones
    wrapup_time: int = 10  # seconds of after-call work (话后整理) before a seat gets the next call
    sip_port: int = 5060
    rtp_start: int = 10000
    rtp_end: int = 10199
    hotline_number: str = "12345"
    hotline_context: str = "from-pstn"
    hotline_queue: str = "hotline"
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
    asr_workers: int = 1
    asr_claim_after_s: int = 300
    asr_max_attempts: int = 3
    # Work orders
    admin_password: str = field(default="", repr=False)  # account "admin", created at first start-up
    attachments_dir: str = ""  # default: data_dir/attachments
    attachment_max_mb: int = 10
    deadline_sweep_s: int = 60  # how often the deadline watch raises 黄牌/红牌
    rules_file: str = ""  # a city's time limits and life-cycle limits (deploy/rules.example.toml)

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
            return dict(tomllib.load(fh).get("callcenter", {}))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}", file=str(path)) from exc


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
    if settings.asr_workers < 0:  # 0: workers run as their own service (see docker-compose.yml)
        raise ConfigError("asr_workers must be 0 or more", key="asr_workers")
    if settings.rules_file:
        from callcenter.rules import load_rules  # validated at start-up, not at first use

        load_rules(Path(settings.rules_file))
    if settings.deadline_sweep_s < 1:
        raise ConfigError("deadline_sweep_s must be at least 1", key="deadline_sweep_s")
    if not 1 <= settings.attachment_max_mb <= 100:
        raise ConfigError("attachment_max_mb must be 1..100", key="attachment_max_mb")
    if settings.asr_max_attempts < 1:
        raise ConfigError("asr_max_attempts must be at least 1", key="asr_max_attempts")


LOCAL_SECRETS = ("ami_secret", "agent_password", "admin_password")


def with_local_secret(settings: Settings) -> Settings:
    """The embedded setup's secrets: from env if given, else generated once into data_dir (mode 0600)."""
    generated: dict[str, Any] = {
        name: _local_secret(settings.data_dir / name) for name in LOCAL_SECRETS if not getattr(settings, name)
    }
    return replace(settings, **generated) if generated else settings


def _local_secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(16))
        path.chmod(0o600)
    return path.read_text().strip()


def describe(settings: Settings) -> dict[str, str]:
    """Settings for ``check-config``, with secrets hidden."""
    shown = {f.name: str(getattr(settings, f.name)) for f in fields(Settings)}
    for name in LOCAL_SECRETS:
        shown[name] = "***" if getattr(settings, name) else "(generated locally)"
    shown["database_url"] = settings.effective_database_url
    return shown
