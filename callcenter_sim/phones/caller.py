"""A citizen calling the hotline, played by sipp (Debian package ``sip-tester``).

Why sipp rather than pyVoIP for callers: it needs no registration (Asterisk identifies the ``pstn`` trunk by
source address, and the caller number is simply the From user), it sends exactly the audio of a pcap with
correct 20 ms pacing, its BYE timing is exact, it can send RFC 4733 DTMF (pyVoIP 1.6.8 cannot) and the same
tool drives load tests. The process exits with 0 when the scenario completed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from callcenter_sim.phones.audio import load_telephone_wav
from callcenter_sim.phones.pcap import write_rtp_pcap
from callcenter_sim.phones.ports import free_port_block
from callcenter_sim.phones.scenario import caller_scenario

HOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class CallerScript:
    """What the simulated citizen does once Asterisk answers.

    Speaks ``audio`` (any WAV, converted to 8 kHz) after ``speak_after_s`` and hangs up ``tail_s`` after it
    ends; with ``hang_up_after_s`` it hangs up that long after the answer instead (an abandoned call when
    no agent has taken it by then). A BYE from Asterisk ends the call at any point.

    ``keys``: DTMF to send, as (seconds after the answer, digits), e.g. ``((2.0, "2"),)``; RFC 4733 events
    in the media stream. The other times (``speak_after_s``, ``hang_up_after_s``) still count from the
    answer: keying time is taken out of them.
    """

    caller_number: str = "13800138001"
    dialled: str = "12345"
    audio: Path | None = None
    speak_after_s: float = 0.0
    tail_s: float = 1.0
    hang_up_after_s: float | None = None
    max_call_s: float = 180.0
    keys: tuple[tuple[float, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CallerResult:
    """``completed``: sipp ran the scenario to its end; ``ended_by``: "caller", "remote" or "" (failed)."""

    completed: bool
    returncode: int
    answered: bool
    ended_by: str
    log: str


class SippCaller:
    """One call from ``script.caller_number`` to the hotline on Asterisk's ``sip_port`` (loopback)."""

    def __init__(self, script: CallerScript, sip_port: int, workdir: Path | None = None, sipp: str = "sipp"):
        self.script = script
        self.sip_port = sip_port
        self._sipp = shutil.which(sipp) or sipp
        self._workdir = workdir or Path(tempfile.mkdtemp(prefix="sipp-caller-"))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def workdir(self) -> Path:
        return self._workdir

    def start(self) -> None:
        """Write the pcap and scenario, then launch sipp in the background."""
        self._workdir.mkdir(parents=True, exist_ok=True)
        scenario = self._workdir / "caller.xml"
        scenario.write_text(self._scenario(), encoding="utf-8")
        with (self._workdir / "sipp.out").open("wb") as out:
            self._process = subprocess.Popen(
                self._argv(scenario),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self._workdir,
            )

    def wait(self, timeout: float | None = None) -> CallerResult:
        """Block until sipp exits (``timeout`` defaults to the script's max call length plus 10 s)."""
        if self._process is None:
            raise RuntimeError("caller not started")
        limit = timeout if timeout is not None else self.script.max_call_s + 10
        try:
            code = self._process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.stop()
            code = self._process.wait(timeout=5)
        return self._result(code)

    def run(self, timeout: float | None = None) -> CallerResult:
        """``start`` then ``wait``: the whole call, blocking (use ``asyncio.to_thread`` from async code)."""
        self.start()
        return self.wait(timeout)

    def stop(self) -> None:
        """Kill our sipp process if it still runs (cleanup after a failed test)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()

    def _scenario(self) -> str:
        pcap = None
        talk_s = self.script.tail_s
        if self.script.audio is not None:
            pcap = self._workdir / "speech.pcap"
            talk_s += write_rtp_pcap(pcap, load_telephone_wav(self.script.audio))
        keys, keyed_s = _key_steps(self.script.keys)
        speak_after_s = max(self.script.speak_after_s - keyed_s, 0.0)
        speak_after_ms = int(speak_after_s * 1000)
        if self.script.hang_up_after_s is not None:
            hang_up_after_s = max(self.script.hang_up_after_s - keyed_s, 0.001)
            talk_s = max(hang_up_after_s - speak_after_s, 0.001)
            if self.script.audio is None:
                speak_after_ms, talk_s = 0, hang_up_after_s
        return caller_scenario(
            self.script.caller_number, str(pcap) if pcap else None, speak_after_ms, int(talk_s * 1000), keys
        )

    def _argv(self, scenario: Path) -> list[str]:
        local_sip, media = free_port_block(1), free_port_block(4)
        return [
            self._sipp,
            f"{HOST}:{self.sip_port}",
            "-sf",
            str(scenario),
            "-s",
            self.script.dialled,
            "-m",
            "1",
            "-l",
            "1",
            "-i",
            HOST,
            "-p",
            str(local_sip),
            "-mi",
            HOST,
            "-mp",
            str(media),
            "-timeout",
            f"{int(self.script.max_call_s)}s",
            "-timeout_error",
            "-nostdin",
            "-trace_logs",
            "-log_file",
            str(self._workdir / "calls.log"),
            "-trace_msg",
            "-message_file",
            str(self._workdir / "messages.log"),
            "-trace_err",
            "-error_file",
            str(self._workdir / "errors.log"),
        ]

    def _result(self, code: int) -> CallerResult:
        log_file = self._workdir / "calls.log"
        log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.is_file() else ""
        markers = set(log.split())
        ended_by = "remote" if "remote-bye" in markers else "caller" if "caller-bye" in markers else ""
        return CallerResult(
            completed=code == 0, returncode=code, answered="answered" in markers, ended_by=ended_by, log=log
        )


KEY_MS = 250  # sipp play_dtmf: each digit lasts 250 ms


def _key_steps(keys: tuple[tuple[float, str], ...]) -> tuple[list[tuple[int, str]], float]:
    """Keys as (ms to wait before, digits) steps, and the scenario seconds they take (to the last start).

    sipp plays the digits in the background (the scenario goes on at once), so each wait counts from the
    previous step's start; a step never starts before the previous digits have been sent."""
    steps: list[tuple[int, str]] = []
    start_ms = free_ms = 0
    for at_s, digits in sorted(keys):
        at_ms = max(int(at_s * 1000), free_ms)
        steps.append((at_ms - start_ms, digits))
        start_ms, free_ms = at_ms, at_ms + KEY_MS * len(digits)
    return steps, start_ms / 1000
