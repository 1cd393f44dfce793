"""Settings: the typed, frozen fields and their defaults. ``loading`` reads them (defaults < TOML file <
env < CLI) and ``validation`` checks them.

Secrets come only from the environment (or, for the embedded local setup, a generated file under the
data directory that never leaves this machine).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from callcenter.queue.missed_calls.dial_policy import DEFAULT_ALLOWED, DEFAULT_REFUSED

AsrEngine = Literal["vosk", "whisper"]
VoiceEngine = Literal["kokoro", "espeak"]
ENV_PREFIX = "CALLCENTER_"
PLAIN_ENV = {
    "DATABASE_URL": "database_url",
    "REDIS_URL": "redis_url",
    "VOSK_MODEL_PATH": "vosk_model_path",
    "ASR_ENGINE": "asr_engine",
}
# Renamed settings (issue 12): the old name → the new one. For one release the old names are still read in
# the TOML file, the environment (CALLCENTER_<OLD NAME>) and on the command line, with one warning each
# (config/loading.py); old and new set to different values in the same place is a ConfigError.
DEPRECATED_NAMES: dict[str, str] = {
    "callback_enabled": "missed_call_enabled",
    "callback_queue": "missed_call_queue",
    "callback_max_attempts": "missed_call_max_attempts",
    "callback_retry_s": "missed_call_retry_s",
    "callback_first_delay_s": "missed_call_first_delay_s",
    "callback_quiet_hours": "missed_call_quiet_hours",
    "callback_ring_s": "missed_call_ring_s",
    "callback_poll_ms": "missed_call_poll_ms",
    "callback_max_parallel": "missed_call_max_parallel",
    "callback_trunk": "missed_call_trunk",
    "callback_dial_allowed": "missed_call_dial_allowed",
    "callback_dial_refused": "missed_call_dial_refused",
    "sl_callback_keys": "sl_call_me_back_keys",
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
    asr_correction: int = 1  # 1: the draft's suggestions read the words after sound-based name correction
    asr_workers: int = -1  # after-call ASR processes: -1 sized to the machine (callcenter/asr/pool.py)
    asr_claim_after_s: int = 300
    transcription_sweep_s: float = 30.0  # how often calls whose job could not be queued are queued again
    asr_max_attempts: int = 3
    # Voice prompts and speech (issue 13: docs/voice.md)
    voice_engine: VoiceEngine = "kokoro"  # kokoro: the natural voice (espeak-ng, with a warning, if missing)
    voice_name: str = "zf_xiaobei"  # one of the 8 Kokoro Mandarin voices (callcenter/ivr/voice.py)
    voice_speed: float = 1.0  # 0.5..2.0
    voice_rate: int = 8000  # speech made on demand: 8000 (telephone) or 16000; prompts are always 8 kHz
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
    sl_call_me_back_keys: str = ""  # queue_log EXITWITHKEY keys that mean "call me back" ("": every key)
    sl_queue_log: str = ""  # this host's path to the Asterisk queue_log ("": the local instance's)
    # Wallboard (issue 5, part C2: docs/wallboard.md)
    wallboard_publish_ms: int = 100  # at most one snapshot per this many ms while floor events keep coming
    wallboard_tick_ms: int = 1000  # republish this often anyway, so the longest wait keeps counting
    wallboard_prefix: str = "cc:wallboard"  # Redis keys: <prefix>:snapshot (stored), <prefix>:live (pub/sub)
    # Agent sessions (issue 5, part C1: docs/agents.md); the wrap-up time is ``wrapup_time`` above
    agents_prefix: str = "cc:agents"  # Redis keys of sessions, seat claims and live seat states
    agents_flush_ms: int = 50  # seat changes are written to Redis in one batch per this many ms
    agents_check_ms: int = 2000  # how often Redis is checked for lost agent state (then rebuilt)
    # Missed-call call-back (漏接回拨; issue 5, part E: docs/missed-calls.md). Until the next release the
    # old names (callback_*, sl_callback_keys) are read as deprecated aliases: DEPRECATED_NAMES below.
    missed_call_enabled: int = 1  # 1: abandoned calls and call-me-back key presses are filed and called back
    missed_call_queue: str = "hotline-callback"  # where answered citizens wait for an agent (not inbound)
    missed_call_max_attempts: int = 3  # dialling attempts per request before it is "failed"
    missed_call_retry_s: int = 600  # spacing between attempts (no answer, busy, failed)
    missed_call_first_delay_s: int = 60  # from the miss to the first attempt (the citizen may call again)
    missed_call_quiet_hours: str = "21:00-08:00"  # Asia/Shanghai; no calls then ("" = any hour)
    missed_call_ring_s: int = 30  # how long the citizen's phone rings per attempt
    missed_call_poll_ms: int = 2000  # how often the dialer looks for due requests
    missed_call_max_parallel: int = 2  # call-backs being dialled at once per app process
    missed_call_trunk: str = "pstn-out"  # PJSIP endpoint for calls to citizens (asterisk_conf/pjsip.conf)
    pstn_outbound_uri: str = "sip:127.0.0.1:5080"  # that trunk's contact: the carrier's SBC
    # Which numbers may be called back at all (issue 11, queue/missed_calls/dial_policy.py): name=regex;…
    # over the whole number (digits, +86/0086 removed). Refused numbers: not_callable, never dialled —
    # neither by the missed-call call-back nor by the 回访 campaign (its survey goes to the manual list).
    missed_call_dial_allowed: str = DEFAULT_ALLOWED  # domestic mobiles and landlines
    # 00…, 400/800, 95xxx/96xxx and 1xx service codes, premium
    missed_call_dial_refused: str = DEFAULT_REFUSED
    # Automated callback survey (回访; issue 14: docs/surveys.md). Which orders, when, how often and how
    # many at once: the rules file's [survey] table. The telephony's part:
    survey_calls: int = 1  # 1: the campaign places survey calls through Asterisk; 0: surveys are filed, wait
    survey_trunk: str = "pstn-out"  # PJSIP endpoint for survey calls (the same trunk as call-backs)
    survey_ring_s: int = 30  # how long the citizen's phone rings per survey attempt
    # IVR and queues (issue 5, part D: docs/ivr-and-queues.md): the FastAGI server the dialplan asks
    agi_port: int = 4573  # loopback port of the FastAGI server (also rendered into extensions.conf)
    agi_bind: str = "127.0.0.1"  # the address the app's FastAGI server listens on (containers: 0.0.0.0)
    agi_host: str = "127.0.0.1"  # the address Asterisk's dialplan reaches it at (containers: app)
    agi_deadline_ms: int = 1500  # a FastAGI request is cut after this; the dialplan goes on with defaults
    overflow_wait_s: int = 15  # overflow (溢出) when a queue's estimated wait is above this many seconds
    overflow_handle_s: int = 240  # handle time assumed while a queue has no average talk time yet
    overflow_general_queue: str = ""  # where the general line overflows to ("": it never does)
    # Several Asterisks (issue 5, part G: docs/scale-out.md, config/asterisk_servers.py). "": the one
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
