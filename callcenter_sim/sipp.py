"""The two sipp processes of a drill: all citizens in one, all agent seats in another (loopback only).

Each process writes its scenario and injection file into its own work directory, logs one marker line
per step (``<marker> <number>``) and, for the citizens, sipp's call counters every second. Only processes
started here are stopped, by their PID.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from callcenter.core.errors import InvalidInput
from callcenter_sim.phones.audio import load_telephone_wav
from callcenter_sim.phones.pcap import write_rtp_pcap
from callcenter_sim.phones.ports import free_port_block
from callcenter_sim.plan import DrillPlan
from callcenter_sim.report import PhoneLog, SippCounters
from callcenter_sim.scenarios import (
    Marker,
    citizen_scenario,
    seat_answers_scenario,
    seats_register_scenario,
    ticks,
)

HOST = "127.0.0.1"
START_RATE = 50  # calls/s at which sipp creates call tasks; a planned start waits inside the scenario
REGISTER_EXPIRES_S = 7200  # PJSIP's default maximum_expiration; a drill longer than this is refused


class SippProcess:
    """One sipp run in ``workdir``; ``markers()`` reads its log, ``stop()`` kills it (our PID only)."""

    def __init__(self, workdir: Path, name: str) -> None:
        self.workdir = workdir
        self.name = name
        self._process: subprocess.Popen[bytes] | None = None
        self.trace = os.environ.get("CALLCENTER_SIM_TRACE", "") == "1"
        workdir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the seats' file holds their password

    @property
    def log_file(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def launch(self, argv: Sequence[str]) -> None:
        sipp = shutil.which("sipp")
        if sipp is None:
            raise InvalidInput("sipp is not installed (Debian package sip-tester; bash scripts/setup.sh)")
        common = ["-nostdin", "-trace_logs", "-log_file", str(self.log_file)]
        if self.trace:  # every SIP message to <name>_messages.log, for a post-mortem
            common += ["-trace_msg", "-message_file", str(self.workdir / f"{self.name}_messages.log")]
        with (self.workdir / f"{self.name}.out").open("wb") as out:
            self._process = subprocess.Popen(
                [sipp, *argv, *common],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
            )

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self, timeout: float) -> int:
        if self._process is None:
            raise RuntimeError(f"sipp {self.name} not started")
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            return self._process.wait(timeout=5)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=5)

    def output(self) -> str:
        path = self.workdir / f"{self.name}.out"
        return path.read_text("utf-8", "replace") if path.is_file() else ""

    def markers(self) -> PhoneLog:
        found: dict[str, set[str]] = defaultdict(set)
        text = self.log_file.read_text("utf-8", "replace") if self.log_file.is_file() else ""
        for line in text.splitlines():
            marker, _, subject = line.strip().partition(" ")
            if subject:
                found[subject.removeprefix("sip:")].add(marker)
        return PhoneLog({k: frozenset(v) for k, v in found.items()})


class Citizens(SippProcess):
    """Every planned call from one sipp UAC (``-l`` = the plan's concurrency, ``-m`` = its calls)."""

    def __init__(
        self, plan: DrillPlan, workdir: Path, greeting_s: float, speech: Path | None, max_wait_s: float
    ) -> None:
        super().__init__(workdir, "citizens")
        self.plan = plan
        self.max_wait_s = max_wait_s  # "no patience" still ends: no call outlives the drill
        self.greeting_s = greeting_s
        self.speech = speech

    def start(self, sip_port: int, dialled: str) -> None:
        pcap = None
        if self.speech is not None:
            pcap = self.workdir / "speech.pcap"
            write_rtp_pcap(pcap, load_telephone_wav(self.speech))
        scenario = self.workdir / "citizen.xml"
        scenario.write_text(citizen_scenario(str(pcap) if pcap else None), encoding="utf-8")
        injection = self.workdir / "citizens.csv"
        injection.write_text(self.injection(), encoding="utf-8")
        self.launch(
            [
                f"{HOST}:{sip_port}",
                "-sf",
                str(scenario),
                "-inf",
                str(injection),
                "-s",
                dialled,
                "-m",
                str(len(self.plan.calls)),
                "-l",
                str(self.plan.concurrency_limit),
                "-r",
                str(START_RATE),
                "-i",
                HOST,
                "-p",
                str(free_port_block(1)),
                "-mi",
                HOST,
                "-mp",
                str(free_port_block(4)),
                "-trace_stat",
                "-stf",
                str(self.stats_file),
                "-fd",
                "1",
            ]
        )

    @property
    def stats_file(self) -> Path:
        return self.workdir / "citizens_stats.csv"

    def injection(self) -> str:
        """``number;start_ms;patience_ticks;handle_ticks`` per call, in plan order (sipp reads it
        SEQUENTIAL: the n-th call created takes the n-th line). A start is relative to the moment sipp
        creates the call (``START_RATE`` per second), so Poisson offsets are kept exactly."""
        rows = ["SEQUENTIAL"]
        for i, call in enumerate(self.plan.calls):
            created_ms = i * 1000 / START_RATE if self.plan.spec.rate_per_s is not None else 0.0
            start_ms = max(0, round(call.start_s * 1000 - created_ms))
            patience = self.max_wait_s if call.patience_s is None else call.patience_s
            rows.append(
                f"{call.caller_number};{start_ms};{ticks(self.greeting_s + patience)};{ticks(call.handle_s)}"
            )
        return "\n".join(rows) + "\n"

    def counters(self) -> SippCounters:
        return read_counters(self.stats_file)


class Seats(SippProcess):
    """The agent seats' phones: one sipp process registers them all and answers every call to them."""

    def __init__(self, secrets: Mapping[str, str], workdir: Path, max_call_s: float) -> None:
        super().__init__(workdir, "seats")
        self.seats = tuple(secrets)
        self._secrets = dict(secrets)  # each seat registers with its own secret
        self._max_call_s = max_call_s

    def start(self, sip_port: int, run_for_s: float) -> None:
        if run_for_s > REGISTER_EXPIRES_S:
            raise InvalidInput(f"a drill runs at most {REGISTER_EXPIRES_S} s (seat registrations expire)")
        register = self.workdir / "seats_register.xml"
        register.write_text(
            seats_register_scenario(REGISTER_EXPIRES_S, int(run_for_s * 1000)), encoding="utf-8"
        )
        answer = self.workdir / "seat_answers.xml"
        answer.write_text(seat_answers_scenario(int(self._max_call_s * 1000)), encoding="utf-8")
        self.launch([*self._register_argv(register, sip_port), "-oocsf", str(answer)])

    def wait_registered(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.markers()
            if all(log.has(seat, Marker.REGISTERED) for seat in self.seats):
                return
            if not self.running():
                break
            time.sleep(0.1)
        raise TimeoutError(
            f"seat phones not registered within {timeout:.0f} s (wrong seat secrets or seat names?)\n"
            + self.output()[-2000:]
        )

    def unregister(self, sip_port: int, timeout: float = 15.0) -> None:
        """Remove the seats' contacts again (``Contact: *``, Expires 0), from a short second run."""
        self.stop()
        scenario = self.workdir / "seats_unregister.xml"
        scenario.write_text(seats_register_scenario(0, 0, unregister=True), encoding="utf-8")
        runner = SippProcess(self.workdir, "seats_unregister")
        runner.launch(self._register_argv(scenario, sip_port))
        runner.wait(timeout)

    def _register_argv(self, scenario: Path, sip_port: int) -> list[str]:
        injection = self.workdir / "seats.csv"
        rows = [f"{s};[authentication username={s} password={self._secrets[s]}]" for s in self.seats]
        injection.write_text("SEQUENTIAL\n" + "\n".join(rows) + "\n", encoding="utf-8")
        injection.chmod(0o600)
        n = str(len(self.seats))
        rate = str(max(10, len(self.seats)))  # all seats register within about a second
        local = ["-i", HOST, "-p", str(free_port_block(1))]
        return [
            f"{HOST}:{sip_port}",
            "-sf",
            str(scenario),
            "-inf",
            str(injection),
            "-m",
            n,
            "-l",
            n,
            "-r",
            rate,
            *local,
        ]


def read_counters(stats_file: Path) -> SippCounters:
    """The last line of sipp's ``-trace_stat`` CSV: cumulative outgoing, successful and failed calls."""
    if not stats_file.is_file():
        return SippCounters(0, 0, 0)
    rows = list(csv.reader(stats_file.read_text("utf-8", "replace").splitlines(), delimiter=";"))
    if len(rows) < 2:
        return SippCounters(0, 0, 0)
    last = dict(zip(rows[0], rows[-1], strict=False))
    return SippCounters(
        placed=int(last.get("OutgoingCall(C)", "0") or 0),
        successful=int(last.get("SuccessfulCall(C)", "0") or 0),
        failed=int(last.get("FailedCall(C)", "0") or 0),
    )
