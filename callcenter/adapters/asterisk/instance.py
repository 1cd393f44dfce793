"""One Asterisk instance: render its configuration, start it, check it, talk to its CLI, stop it.

The lead's ``python -m callcenter asterisk start|stop|status`` calls these methods; tests use the same
class through the ``asterisk`` fixture (tests/support/asterisk.py).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import soundfile

from callcenter.adapters.asterisk import ownership, process
from callcenter.adapters.asterisk.account import become, daemon_argv, service_account
from callcenter.adapters.asterisk.errors import (
    HOW_TO_GET_ASTERISK,
    AsteriskCommandFailed,
    AsteriskStartFailed,
)
from callcenter.adapters.asterisk.render import TEMPLATE_DIR, render_config
from callcenter.adapters.asterisk.runtime import AsteriskRuntime, cache_dir, locate_runtime, prepare_runtime
from callcenter.adapters.asterisk.seats import SeatSecrets
from callcenter.adapters.asterisk.settings import InstanceLayout, InstanceSettings
from callcenter.adapters.asterisk.sounds import install_prompts
from callcenter.ivr.voice import DEFAULT_VOICE, Synthesizer, VoiceChoice

LOG_TAIL_LINES = 30


@dataclass(frozen=True, slots=True)
class InstanceStatus:
    """What ``status`` reports; ``healthy`` = running, fully booted and AMI answering."""

    name: str
    running: bool
    pid: int | None
    fully_booted: bool
    ami_banner: str | None
    sip_port: int
    ami_port: int
    instance_dir: Path

    @property
    def healthy(self) -> bool:
        return self.running and self.fully_booted and self.ami_banner is not None


class AsteriskInstance:
    """An Asterisk instance defined by ``settings`` in ``runtime`` (located when not given)."""

    def __init__(
        self,
        settings: InstanceSettings,
        runtime: AsteriskRuntime | None = None,
        template_dir: Path = TEMPLATE_DIR,
        sounds_cache: Path | None = None,
        synthesizer: Synthesizer | None = None,
        voice: VoiceChoice = DEFAULT_VOICE,
    ) -> None:
        self.settings = settings
        self.runtime = runtime or locate_runtime()
        self.layout = InstanceLayout((settings.base_dir or self.runtime.default_base_dir) / settings.name)
        self._template_dir = template_dir
        self._sounds_cache = sounds_cache or cache_dir() / "sounds"
        self._synthesizer = synthesizer  # None: the natural voice if provisioned (voice/factory.py)
        self._voice = voice
        self._process: subprocess.Popen[bytes] | None = None
        self._reaper: subprocess.Popen[bytes] | None = None  # kills Asterisk if we die (die_with_parent)

    # --- paths -------------------------------------------------------------------------------------------

    def host_path(self, path: PurePosixPath | str) -> Path:
        """A path as Asterisk sees it (e.g. ``CallerFile`` of an AMI event) → the same file on this host."""
        return self.runtime.host_path(path)

    @property
    def instance_dir(self) -> Path:
        return self.host_path(self.layout.root)

    @property
    def recording_dir(self) -> Path:
        return self.host_path(self.layout.recording_dir)

    def greeting_seconds(self) -> float:
        """How long a caller hears greeting + recording notice before joining the queue (after render)."""
        sounds = self.host_path(self.layout.sounds_dir)
        return float(
            sum(soundfile.info(sounds / f"{n}.wav").duration for n in ("greeting", "recording_notice"))
        )

    # --- lifecycle ---------------------------------------------------------------------------------------

    def render(self) -> None:
        """Create the instance's directories, write its .conf files and install the prompts."""
        for directory in self.layout.writable_dirs():
            self.host_path(directory).mkdir(parents=True, exist_ok=True)
        render_config(self.settings, self.layout, self.runtime, self._template_dir)
        install_prompts(
            self._sounds_cache,
            self.host_path(self.layout.sounds_dir),
            self.host_path(self.layout.moh_dir),
            self._synthesizer,
            self._voice,
        )
        self._hand_over()
        self._ensure_seat_secrets()

    @property
    def seat_secrets(self) -> SeatSecrets:
        """The seat phones' SIP secrets (one per seat), as this host reaches the file."""
        return SeatSecrets(self.host_path(self.layout.seats_db))

    def seat_secret(self, agent: str) -> str:
        """The current SIP secret of seat ``agent`` (scripted phones on this machine)."""
        return self.seat_secrets.secret(agent)

    def _ensure_seat_secrets(self) -> None:
        """A secret for every seat, generated at the first render; where the seat secrets belong to an app
        elsewhere (containers: a volume mounted read-only here) the app makes them."""
        seats_dir = self.host_path(self.layout.seats_dir)
        if os.access(seats_dir, os.W_OK):
            self.seat_secrets.ensure(self.settings.agents)

    def _hand_over(self) -> None:
        """As root: the instance's directories to the unprivileged account Asterisk runs as (ownership.py);
        the logs and recordings to the group of this process (the app's), nobody else."""
        account = service_account(self.runtime)
        if account is None:
            return
        layout = self.layout
        tree = ownership.Tree(
            root=self.host_path(layout.root),
            read_only=tuple(self.host_path(d) for d in layout.read_only_dirs()),
            state=tuple(self.host_path(d) for d in layout.state_dirs()),
            shared=tuple(self.host_path(d) for d in layout.shared_dirs()),
            app_owned=(self.host_path(layout.seats_dir),),
        )
        ownership.apply(tree, account, reader_gid=os.getegid())

    def start(self, timeout: float = 30.0, die_with_parent: bool = False) -> None:
        """Start in the background and return once fully booted with AMI accepting; idempotent.

        ``die_with_parent`` ties Asterisk's life to the calling *thread* (prctl PDEATHSIG): use it from the
        main thread of a test run only. Started by root, Asterisk runs as the unprivileged ``asterisk``
        account (account.py). Raises AsteriskStartFailed with the end of the logs.
        """
        if self.is_running():
            self._wait_ready(timeout)
            return
        prepare_runtime(self.runtime)
        self._check_ports_free()
        self.render()
        self.host_path(self.layout.pid_file).unlink(missing_ok=True)
        console = self.host_path(self.layout.log_dir) / "console.log"
        account = service_account(self.runtime)
        argv = daemon_argv(self.runtime, account, "-C", str(self.layout.config_file), "-f")
        self._process = process.spawn(argv, console, become(self.runtime, account, die_with_parent))
        if die_with_parent:
            self._reaper = process.reaper(self._process.pid, str(self.layout.config_file))
        self._wait_ready(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful ``core stop now``; SIGTERM/SIGKILL to our PID only if that does not end it in time."""
        pid = self.pid()
        if pid is not None and self.is_running():
            with contextlib.suppress(AsteriskCommandFailed):  # the console may drop before it answers
                self.cli("core stop now", timeout=timeout)
            if not process.wait_until(lambda: not self.is_running(), timeout):
                process.terminate(pid, self.is_running, grace=3.0)
        self._reap()

    def reload(self) -> None:
        """Re-render the configuration and have the running Asterisk read it again (``core reload``)."""
        self.render()
        self.cli("core reload")

    def pid(self) -> int | None:
        """Asterisk's PID: the process we spawned, else the instance's pidfile."""
        if self._process is not None and self._process.poll() is None:
            return self._process.pid
        return process.read_pid(self.host_path(self.layout.pid_file))

    def is_running(self) -> bool:
        if self._process is not None:
            return self._process.poll() is None
        pid = self.pid()
        return pid is not None and process.is_our_asterisk(pid, str(self.layout.config_file))

    def status(self) -> InstanceStatus:
        running = self.is_running()
        return InstanceStatus(
            name=self.settings.name,
            running=running,
            pid=self.pid() if running else None,
            fully_booted=running and self._fully_booted(timeout=2.0),
            ami_banner=process.ami_banner(self.settings.ami_port) if running else None,
            sip_port=self.settings.sip_port,
            ami_port=self.settings.ami_port,
            instance_dir=self.instance_dir,
        )

    # --- CLI ---------------------------------------------------------------------------------------------

    def cli(self, command: str, timeout: float = 10.0) -> str:
        """Run one CLI command (``asterisk -rx``) and return its output; raises AsteriskCommandFailed."""
        try:
            done = subprocess.run(
                self._argv("-rx", command), capture_output=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AsteriskCommandFailed(f"asterisk -rx {command!r}: {exc}", command=command) from exc
        output = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0 or output.startswith("Unable to connect to remote asterisk"):
            message = (output + done.stderr.decode("utf-8", "replace")).strip()
            raise AsteriskCommandFailed(f"asterisk -rx {command!r} failed: {message}", command=command)
        return output

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of the console output and messages.log, for error reports."""
        parts = []
        for name in ("console.log", "messages.log"):
            path = self.host_path(self.layout.log_dir) / name
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path} ---\n" + "\n".join(text))
        return "\n".join(parts)

    # --- internals ---------------------------------------------------------------------------------------

    def _argv(self, *args: str) -> list[str]:
        """A CLI command line (``-rx``): a client of the running instance's control socket."""
        return self.runtime.argv("-C", str(self.layout.config_file), *args)

    def _check_ports_free(self) -> None:
        busy = (
            [f"SIP udp/{self.settings.sip_port}"]
            if process.port_in_use(self.settings.sip_port, socket.SOCK_DGRAM)
            else []
        )
        if process.port_in_use(self.settings.ami_port, socket.SOCK_STREAM):
            busy.append(f"AMI tcp/{self.settings.ami_port}")
        if busy:
            raise AsteriskStartFailed(
                f"Asterisk {self.settings.name!r} cannot start: {', '.join(busy)} in use on "
                "127.0.0.1 (another instance? choose other ports)",
                ports=busy,
            )

    def _fully_booted(self, timeout: float) -> bool:
        if not self.host_path(self.layout.run_dir / "asterisk.ctl").exists():
            return False
        try:
            return "fully booted" in self.cli("core waitfullybooted", timeout=timeout).lower()
        except AsteriskCommandFailed:
            return False

    def _ready(self) -> bool:
        if not self.is_running():
            raise AsteriskStartFailed(
                f"Asterisk {self.settings.name!r} exited during start-up.\n"
                f"{self.log_tail()}\n{HOW_TO_GET_ASTERISK}"
            )
        return self._fully_booted(timeout=2.0) and process.ami_banner(self.settings.ami_port) is not None

    def _wait_ready(self, timeout: float) -> None:
        if process.wait_until(self._ready, timeout, interval=0.2):
            return
        self.stop(timeout=5.0)
        raise AsteriskStartFailed(
            f"Asterisk {self.settings.name!r} not fully booted with AMI on port "
            f"{self.settings.ami_port} after {timeout:.0f} s.\n{self.log_tail()}\n"
            f"{HOW_TO_GET_ASTERISK}"
        )

    def _reap(self) -> None:
        if self._reaper is not None and not self.is_running():
            process.release(self._reaper)
            self._reaper = None
        if self._process is not None:
            try:
                self._process.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                return
            self._process = None
