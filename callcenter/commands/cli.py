"""Command line: ``python -m callcenter <command>``. Each command loads settings once and builds
what it needs through the composition root."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from callcenter.adapters.private_files import PRIVATE_UMASK
from callcenter.commands.drill import add_arguments as add_simulate_arguments
from callcenter.commands.drill import cmd_simulate
from callcenter.commands.exit import bounded_exit
from callcenter.commands.retranscribe import add_arguments as add_retranscribe_arguments
from callcenter.commands.retranscribe import cmd_retranscribe
from callcenter.commands.sl_recount import add_arguments as add_sl_recount_arguments
from callcenter.commands.sl_recount import cmd_sl_recount
from callcenter.commands.staffing import add_arguments as add_staffing_arguments
from callcenter.commands.staffing import cmd_staffing
from callcenter.config.loading import describe, load
from callcenter.config.settings import Settings
from callcenter.core.errors import DomainError
from callcenter.wiring.settings_policies import with_local_secret

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger("callcenter")
# At shutdown, requests in flight get this long to finish (live streams end at once).
HTTP_DRAIN_S = 3.0

Command = Callable[[argparse.Namespace, Settings], int]


def _settings(args: argparse.Namespace) -> Settings:
    cli = {k: getattr(args, k, None) for k in ("http_port", "asr_engine", "data_dir")}
    return with_local_secret(load(args.config, **cli))


def cmd_check_config(_args: argparse.Namespace, settings: Settings) -> int:
    print(json.dumps(describe(settings), ensure_ascii=False, indent=2))
    return 0


def cmd_db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    from callcenter.adapters.db.engine import upgrade_sync

    upgrade_sync(settings.effective_database_url)
    print(f"database at {settings.effective_database_url}: schema up to date")
    return 0


def cmd_seed_catalogue(_args: argparse.Namespace, settings: Settings) -> int:
    """The sample city's dispatch catalogue into the database (idempotent; admin edits are kept)."""
    from callcenter.wiring.app import seed_catalogue

    counts = asyncio.run(seed_catalogue(settings))
    print(json.dumps({"inserted": dict(counts)}, ensure_ascii=False))
    return 0


def cmd_asr_worker(args: argparse.Namespace, settings: Settings) -> int:
    from callcenter.adapters.asr.factory import transcriber_from_config
    from callcenter.commands.asr_worker import WorkerOptions, run_worker

    transcriber = transcriber_from_config(settings)
    options = WorkerOptions(
        consumer=args.consumer or f"asr-{os.getpid()}",
        claim_after_ms=settings.asr_claim_after_s * 1000,
        max_attempts=settings.asr_max_attempts,
    )
    asyncio.run(run_worker(settings, transcriber, options))
    return 0


def cmd_live_asr(_args: argparse.Namespace, settings: Settings) -> int:
    from callcenter.adapters.asr.live_factory import live_engine_from_config
    from callcenter.commands.live_worker import run_live_worker, stream_limit

    asyncio.run(run_live_worker(settings, live_engine_from_config(settings), stream_limit(settings)))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Web UI + API, AMI bridge and ASR workers against an Asterisk that is already running."""
    from callcenter.wiring.app import build_app

    host_path = _host_path(settings)
    app = build_app(settings, host_path, asr_workers=0 if args.no_workers else None)
    print(f"12345 hotline web UI on http://{settings.http_host}:{settings.http_port}/")
    _run_app(app, settings)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """The whole hotline on this machine: Asterisk, bridge, ASR workers, web UI (and demo calls)."""
    from callcenter.wiring.app import build_app
    from callcenter.wiring.telephony import local_instance

    settings = _engine_available(settings)
    if args.demo and not settings.rules_file:  # surveys a minute after a reply, at any hour
        from callcenter.commands.demo import DEMO_RULES

        settings = replace(settings, rules_file=str(DEMO_RULES))
    instance = local_instance(settings)
    started_here = not instance.is_running()
    instance.start(timeout=60.0, die_with_parent=True)
    try:
        app = build_app(settings, lambda p: str(instance.host_path(p)))
        if args.demo:
            from callcenter.commands.demo import demo_desk, demo_floor, speech_dir

            app.cleanup_ctx.append(demo_desk(settings.admin_password))
            app.cleanup_ctx.append(demo_floor(instance, speech_dir()))
        print(
            f"12345 hotline: web UI on http://{settings.http_host}:{settings.http_port}/ "
            f"(login admin, password in {settings.data_dir / 'admin_password'}; seat phone secrets: "
            "python -m callcenter seat-secret agent1001) "
            f"(SIP 127.0.0.1:{settings.sip_port}, AMI 127.0.0.1:{settings.ami_port}, "
            f"ASR {settings.asr_engine})"
        )
        _run_app(app, settings)
    finally:
        if started_here:
            instance.stop()
    return 0


def _run_app(app: web.Application, settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM: the redacting access log, and requests in flight drained for a bound."""
    from aiohttp import web

    from callcenter.adapters.http.access_log import RUNNER_OPTIONS

    web.run_app(
        app, host=settings.http_host, port=settings.http_port, print=None, shutdown_timeout=HTTP_DRAIN_S,
        **RUNNER_OPTIONS,
    )  # fmt: skip


def _engine_available(settings: Settings) -> Settings:
    """Vosk is the default engine; without its Mandarin model (offline machines) fall back to Whisper."""
    if settings.asr_engine != "vosk":
        return settings
    from dataclasses import replace

    from callcenter.adapters.asr.models import resolve_vosk_model
    from callcenter.core.errors import ConfigError

    try:
        resolve_vosk_model(Path(settings.vosk_model_path) if settings.vosk_model_path else None)
    except ConfigError as exc:
        log.warning("%s — using the faster-whisper engine for this run (ASR_ENGINE=whisper)", exc.message)
        return replace(settings, asr_engine="whisper")
    return settings


def cmd_asterisk(args: argparse.Namespace, settings: Settings) -> int:
    from callcenter.wiring.telephony import local_instance

    instance = local_instance(settings)
    if args.action == "render":  # containers: write the configuration, Asterisk is started by the image
        instance.render()
        print(instance.host_path(instance.layout.config_file))
        return 0
    if args.action == "start":
        instance.start(timeout=60.0)
    elif args.action == "stop":
        instance.stop()
    status = instance.status()
    print(
        json.dumps(
            {
                "name": status.name,
                "running": status.running,
                "pid": status.pid,
                "healthy": status.healthy,
                "sip_port": status.sip_port,
                "ami_port": status.ami_port,
                "dir": str(status.instance_dir),
            },
            indent=2,
        )
    )
    return 0 if status.healthy or args.action == "stop" else 1


def cmd_seat_secret(args: argparse.Namespace, settings: Settings) -> int:
    """A seat phone's SIP secret on this machine, to configure a softphone (``--rotate``: a new one first;
    admins rotate in the desk too). Printed on stdout only; never logged."""
    from datetime import UTC, datetime

    from callcenter.core.errors import ConfigError
    from callcenter.wiring.telephony import seat_secrets

    secrets_file = seat_secrets(settings)
    if secrets_file is None:
        raise ConfigError("no seat secrets file on this machine (seats_db)", key="seats_db")
    if args.rotate:
        print(secrets_file.rotate(args.seat, "cli", datetime.now(UTC)))
    else:
        print(secrets_file.secret(args.seat))
    return 0


def _host_path(settings: Settings) -> Callable[[str], str]:
    from callcenter.wiring.telephony import host_path_for

    return host_path_for(settings)


COMMANDS: dict[str, tuple[Command, str]] = {
    "check-config": (cmd_check_config, "print the effective settings (secrets hidden)"),
    "db-upgrade": (cmd_db_upgrade, "create or migrate the database schema"),
    "seed-catalogue": (cmd_seed_catalogue, "load the sample city's dispatch catalogue (idempotent)"),
    "asr-worker": (cmd_asr_worker, "run one ASR worker process (transcription jobs from Redis)"),
    "live-asr": (cmd_live_asr, "run the live ASR worker (AudioSocket streams from Asterisk → Redis)"),
    "serve": (cmd_serve, "run web UI, AMI bridge and ASR workers (Asterisk already running)"),
    "run": (cmd_run, "run the whole hotline here: Asterisk, bridge, ASR workers, web UI"),
    "asterisk": (cmd_asterisk, "start, stop or check this machine's hotline Asterisk"),
    "seat-secret": (cmd_seat_secret, "print (or --rotate) a seat phone's own SIP secret on this machine"),
    "sl-recount": (cmd_sl_recount, "recount the service level from queue_log; --compare with the live one"),
    "simulate": (cmd_simulate, "traffic drill: sipp citizens call, auto-answering seats take them"),
    "staffing": (cmd_staffing, "agents needed per hour (Erlang C / Erlang A) for a service-level target"),
    "retranscribe": (cmd_retranscribe, "transcribe stored call recordings again (--dry-run to list)"),
}


# Commands whose files others read: ``asterisk render`` writes the configuration Asterisk reads (in the
# containers, as another user); every other command runs with the private umask (adapters/private_files.py).
SHARED_FILES = frozenset({"asterisk"})
# Long-running services: once stopped, they leave within a bound whatever threads are left (exit.py).
SERVICES = frozenset({"serve", "run", "asr-worker", "live-asr"})


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m callcenter", description="12345 hotline contact center")
    p.add_argument("--config", type=Path, default=None, help="TOML file with a [callcenter] table")
    p.add_argument("--log-level", default=os.environ.get("CALLCENTER_LOG_LEVEL", "INFO"))
    sub = p.add_subparsers(dest="command", required=True)
    for name, (_fn, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text)
        if name in ("serve", "run"):
            sp.add_argument("--http-port", type=int, default=None)
            sp.add_argument("--no-workers", action="store_true", help="do not start ASR workers")
        if name == "run":
            sp.add_argument("--demo", action="store_true", help="demo seats and calls with Mandarin speech")
        if name == "asterisk":
            sp.add_argument("action", choices=("start", "stop", "status", "render"))
        if name == "seat-secret":
            sp.add_argument("seat", help="the seat phone, e.g. agent1001")
            sp.add_argument("--rotate", action="store_true", help="give the seat a new secret first")
        if name == "sl-recount":
            add_sl_recount_arguments(sp)
        if name == "simulate":
            add_simulate_arguments(sp)
        if name == "staffing":
            add_staffing_arguments(sp)
        if name == "retranscribe":
            add_retranscribe_arguments(sp)
        if name == "asr-worker":
            sp.add_argument("--consumer", default=None, help="consumer name in the Redis group")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command not in SHARED_FILES:
        os.umask(PRIVATE_UMASK)  # what the service writes (database, secrets, attachments) is its own
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = _settings(args)
        status = COMMANDS[args.command][0](args, settings)
    except DomainError as exc:
        log.error("%s: %s", exc.code, exc.message)
        return 2
    except KeyboardInterrupt:
        status = 130
    return bounded_exit(status) if args.command in SERVICES else status
