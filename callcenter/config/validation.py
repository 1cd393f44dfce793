"""Validating settings: each rule names the key at fault (ConfigError)."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import get_args

from callcenter.config.asterisk_servers import asterisk_servers
from callcenter.config.settings import AsrEngine, Settings, VoiceEngine
from callcenter.core.errors import ConfigError
from callcenter.core.proxies import TrustedProxies
from callcenter.ivr.voice import MANDARIN_VOICES, VOICE_RATES

_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")
_PJSIP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # an endpoint in pjsip.conf


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
        from callcenter.config.rules import load_rules  # validated at start-up, not at first use

        load_rules(Path(settings.rules_file))
    if not 0 < settings.transcription_sweep_s <= 3600:
        raise ConfigError(
            "transcription_sweep_s must be above 0 and at most 3600", key="transcription_sweep_s"
        )
    if settings.deadline_sweep_s < 1:
        raise ConfigError("deadline_sweep_s must be at least 1", key="deadline_sweep_s")
    _validate_doors(settings)
    _validate_voice(settings)
    if settings.whisper_resample_quality not in ("VHQ", "HQ", "MQ", "LQ", "QQ"):
        raise ConfigError(
            "whisper_resample_quality must be VHQ, HQ, MQ, LQ or QQ", key="whisper_resample_quality"
        )
    if settings.asr_max_attempts < 1:
        raise ConfigError("asr_max_attempts must be at least 1", key="asr_max_attempts")
    _validate_service_level(settings)
    _validate_ivr(settings)
    _validate_missed_calls(settings)
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


def _validate_missed_calls(settings: Settings) -> None:
    from callcenter.core.errors import InvalidInput
    from callcenter.queue.missed_calls.rules import parse_quiet_hours

    if settings.missed_call_enabled not in (0, 1):
        raise ConfigError("missed_call_enabled must be 0 or 1", key="missed_call_enabled")
    if not 1 <= settings.missed_call_max_attempts <= 10:
        raise ConfigError("missed_call_max_attempts must be 1..10", key="missed_call_max_attempts")
    if not 1 <= settings.missed_call_retry_s <= 86_400:
        raise ConfigError("missed_call_retry_s must be 1..86400 seconds", key="missed_call_retry_s")
    if not 0 <= settings.missed_call_first_delay_s <= 86_400:
        raise ConfigError(
            "missed_call_first_delay_s must be 0..86400 seconds", key="missed_call_first_delay_s"
        )
    if not 2 <= settings.missed_call_ring_s <= 120:
        raise ConfigError("missed_call_ring_s must be 2..120 seconds", key="missed_call_ring_s")
    if not 2 <= settings.survey_ring_s <= 120:
        raise ConfigError("survey_ring_s must be 2..120 seconds", key="survey_ring_s")
    if not _PJSIP_NAME.match(settings.survey_trunk):
        raise ConfigError("survey_trunk must be a PJSIP endpoint name", key="survey_trunk")
    if not 50 <= settings.missed_call_poll_ms <= 60_000:
        raise ConfigError("missed_call_poll_ms must be 50..60000", key="missed_call_poll_ms")
    if not 1 <= settings.missed_call_max_parallel <= 100:
        raise ConfigError("missed_call_max_parallel must be 1..100", key="missed_call_max_parallel")
    try:
        parse_quiet_hours(settings.missed_call_quiet_hours)
    except InvalidInput as exc:
        raise ConfigError(exc.message, key="missed_call_quiet_hours") from exc
    from callcenter.queue.missed_calls.dial_policy import parse_rules

    for key in ("missed_call_dial_allowed", "missed_call_dial_refused"):
        try:
            rules = parse_rules(getattr(settings, key))
        except InvalidInput as exc:
            raise ConfigError(exc.message, key=key) from exc
        if key == "missed_call_dial_allowed" and not rules:
            raise ConfigError("missed_call_dial_allowed needs at least one rule", key=key)


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


def _validate_voice(settings: Settings) -> None:
    if settings.voice_engine not in get_args(VoiceEngine):
        raise ConfigError(f"voice_engine must be one of {get_args(VoiceEngine)}", key="voice_engine")
    if settings.voice_name not in MANDARIN_VOICES:
        raise ConfigError(f"voice_name must be one of {MANDARIN_VOICES}", key="voice_name")
    if not 0.5 <= settings.voice_speed <= 2.0:
        raise ConfigError("voice_speed must be between 0.5 and 2.0", key="voice_speed")
    if settings.voice_rate not in VOICE_RATES:
        raise ConfigError("voice_rate must be 8000 or 16000", key="voice_rate")
