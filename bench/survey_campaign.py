"""The automated 回访 campaign under load, through a real Asterisk: surveys per minute at N channels.

Run from the repository root (Asterisk 22, Redis, sipp and the voice provisioned by ./hotline setup):

    python bench/survey_campaign.py [--orders 500] [--channels 10,30,60] [--voice kokoro|espeak]

For each channel count: ``--orders`` work orders of distinct matters (the synthetic corpus's requests)
are registered, dispatched to their street office and replied (回单) through the work-order service, so
the scheduler files one survey each; the campaign (the app's own, with the AMI survey dialer: the intro
naming each matter synthesized per order in the hotline's voice) calls them through the outbound trunk of
a throw-away Asterisk 22 on loopback, where one sipp process answers every call and keys 1, 2 or 3,
chosen at random per call (RFC 4733, 1.5 s after the answer; after 3 it stays silent through the reason
prompt). The campaign stays paused until it has made the intros ahead (as it does while surveys are
filed over a day). Printed per run: surveys completed per minute (first call placed → last outcome stored),
the seconds waited for the intros made ahead and those still spent synthesizing while dialing, CPU
seconds of Asterisk and of the app process, and the count of lost
surveys (no outcome at the end) and duplicated ones (more than one call for a survey, or more INVITEs at
the citizen's phone than surveys). Targets (issue 14): 0 lost and 0 duplicated; ≥ 60 surveys a minute
at 30 channels. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

from bench.rig import Rig, running_hotline
from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.ids import TicketId

AGENT = Actor(StaffId("agent1"), Role.AGENT)
RULES = """
[survey]
first_delay_minutes = 0
calling_hours = ["00:00-23:59"]
call_on_days_off = true
max_attempts = 1
channels = 1
"""
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Run:
    channels: int
    orders: int
    done: int
    seconds: float
    ahead_s: float  # waiting, paused, for the campaign to make the intros ahead
    synth_s: float  # synthesizing while dialing (intros not made ahead)
    asterisk_cpu_s: float
    app_cpu_s: float
    lost: int
    duplicated: int
    invites: int
    outcomes: dict[str, int]

    @property
    def per_minute(self) -> float:
        return self.done / self.seconds * 60 if self.seconds else 0.0


def answer_pcaps(directory: Path) -> list[Path]:
    """Three pcaps: keys 1, 2 and 3 1.5 s after the answer (the citizen's phone picks one per call)."""
    from callcenter_sim.phones.pcap import write_answer_pcap

    paths = []
    for key in "123":
        path = directory / f"key{key}.pcap"
        write_answer_pcap(path, 16.0, [(1.5, key)])
        paths.append(path)
    return paths


async def replied_orders(rig: Rig, count: int, first: int) -> list[TicketId]:
    """``count`` orders of distinct matters — the synthetic corpus's requests in turn (other categories,
    places and words, so 并单 keeps them apart: one 不满意 would otherwise reopen a whole matter) — each
    dispatched to its street's office and replied by it."""
    from callcenter.ticketing.orders import commands as c
    from callcenter.ticketing.orders.record import CitizenContact
    from callcenter.ticketing.orders.registration import Registration
    from callcenter.ticketing.orders.workorder import Classification
    from callcenter_sim.corpus.generate import generate
    from callcenter_sim.corpus.phrasing import load_phrasings, sample_city

    corpus = generate(load_phrasings(), sample_city())
    orders = rig.hotline.work.orders
    ids: list[TicketId] = []
    i = first
    while len(ids) < count:
        request, i = corpus[i % len(corpus)], i + 1
        number = f"139{i:08d}"
        unit = UnitId("jd-" + request.street[:9])
        registration = Registration(
            request_text=request.text,
            summary=request.text[:30],
            citizen=CitizenContact("市民", number),
            classification=Classification(category_code=request.category, area_code=request.area),
        )
        try:
            created = await orders.create(registration, number, AGENT, c.DispatchTicket(unit))
            order, staff = created.order, Actor(StaffId("bench"), Role.UNIT_STAFF, unit)
            for command in (c.AcknowledgeTicket(), c.StartHandling(), c.ReplyTicket("已处理。")):
                order = await orders.act(order.life.id, order.version, command, staff)
        except Exception as exc:  # a street without an office in the sample city: the next request
            logging.getLogger(__name__).info("request %s skipped: %s", request.id, exc)
            continue
        ids.append(order.life.id)
    return ids


async def campaign(rig: Rig, pcaps: list[Path], work: Path, orders: int, channels: int, first: int) -> Run:
    from callcenter_sim.phones.citizen import CitizenPhone

    parts = rig.hotline.surveys
    assert parts is not None and parts.campaign is not None, "the survey dialer is not wired"
    now = rig.hotline.clock.now()
    await parts.control.set_paused(True, "bench", now, channels)
    citizen = CitizenPhone(rig.asterisk.settings.pstn_outbound_uri, work / f"citizen-{channels}")
    citizen.start("answer", calls=orders, pcap=pcaps, limit_s=None)
    try:
        ids = await replied_orders(rig, orders, first)
        ahead_started = time.monotonic()
        await _intros_made(_SYNTH_CALLS[0] + len(ids), deadline_s=len(ids) * 15 + 60)
        ahead = time.monotonic() - ahead_started
        await parts.control.set_channels(channels, "bench", rig.hotline.clock.now())
        synth_before = _synth_seconds()
        cpu_before = (_tree_cpu(rig.asterisk.pid()), _own_cpu())
        await parts.control.set_paused(False, "bench", rig.hotline.clock.now(), channels)
        started = time.monotonic()
        surveys = await _finished(parts.store, ids, deadline_s=orders * 60 / channels + 600)
        seconds = time.monotonic() - started
        cpu_after = (_tree_cpu(rig.asterisk.pid()), _own_cpu())
    finally:
        invites = len(citizen.dialled_numbers())
        citizen.stop()
    outcomes: dict[str, int] = {}
    for s in surveys:
        for a in s.history:
            outcomes[str(a.outcome)] = outcomes.get(str(a.outcome), 0) + 1
    done = sum(1 for s in surveys if s.history and s.history[-1].outcome is not None)
    duplicated = sum(1 for s in surveys if len(s.history) > 1) + max(invites - len(ids), 0)
    return Run(
        channels,
        orders,
        done,
        seconds,
        ahead,
        _synth_seconds() - synth_before,
        cpu_after[0] - cpu_before[0],
        cpu_after[1] - cpu_before[1],
        len(ids) - done,
        duplicated,
        invites,
        outcomes,
    )


async def _finished(store: object, ids: list[TicketId], deadline_s: float) -> list:  # type: ignore[type-arg]
    """Every order's survey once each has an outcome (or what there is at the deadline)."""
    from callcenter.adapters.db.surveys import SqlSurveys

    assert isinstance(store, SqlSurveys)
    deadline = time.monotonic() + deadline_s
    while True:
        surveys = [s for t in ids for s in await store.for_ticket(t)]
        over = [s for s in surveys if s.history and s.history[-1].outcome is not None]
        if len(over) == len(ids) or time.monotonic() > deadline:
            return surveys
        await asyncio.sleep(1.0)


_SYNTH: list[float] = [0.0]
_SYNTH_CALLS: list[int] = [0]


async def _intros_made(calls: int, deadline_s: float) -> None:
    """Until the campaign (paused) has made ``calls`` intros in all, or the deadline."""
    deadline = time.monotonic() + deadline_s
    while _SYNTH_CALLS[0] < calls and time.monotonic() < deadline:  # noqa: ASYNC110 - a counter, polled
        await asyncio.sleep(0.5)


def _timed_synthesis() -> None:
    """Count the seconds spent synthesizing intros (the per-order cost of a natural voice)."""
    from callcenter.adapters.asterisk.prompts import PromptCache

    original = PromptCache.speech_for

    def timed(self: PromptCache, key: str, text: str) -> Path:
        started = time.perf_counter()
        try:
            return original(self, key, text)
        finally:
            _SYNTH[0] += time.perf_counter() - started
            _SYNTH_CALLS[0] += 1

    PromptCache.speech_for = timed  # type: ignore[method-assign]


def _synth_seconds() -> float:
    return _SYNTH[0]


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _tree_cpu(pid: int | None) -> float:
    """CPU seconds of ``pid`` and its descendants, from /proc (Asterisk runs under a chroot starter)."""
    if pid is None:
        return 0.0
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--channels", default="10,30,60")
    parser.add_argument("--voice", choices=("kokoro", "espeak"), default="kokoro")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _timed_synthesis()
    runs = asyncio.run(_all([int(c) for c in args.channels.split(",")], args.orders, args.voice))
    print(f"\n{args.orders} replied orders per run, voice {args.voice}, one Asterisk 22, 2 cores")
    header = (
        f"{'channels':>8} {'done':>9} {'per min':>8} {'seconds':>8} {'ahead s':>8} {'synth s':>8} "
        f"{'Asterisk CPU s':>15} {'app CPU s':>10} {'lost':>5} {'dup':>4}  outcomes"
    )
    print(header + "\n" + "-" * len(header))
    for r in runs:
        print(
            f"{r.channels:>8} {r.done:>4}/{r.orders:<4} {r.per_minute:>8.1f} {r.seconds:>8.0f} "
            f"{r.ahead_s:>8.0f} {r.synth_s:>8.0f} "
            f"{r.asterisk_cpu_s:>15.1f} {r.app_cpu_s:>10.1f} {r.lost:>5} {r.duplicated:>4}  {r.outcomes}"
        )
    return 0


async def _all(channels: list[int], orders: int, voice: str) -> list[Run]:
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="cc-survey-bench-"))
    rules = work / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    pcaps = answer_pcaps(work)
    runs = []
    async with running_hotline(survey_calls=1, rules_file=str(rules), voice_engine=voice) as rig:
        for n, count in enumerate(channels):
            runs.append(await campaign(rig, pcaps, work, orders, count, first=n * orders))
            print(f"{count} channels: {runs[-1].done} surveys in {runs[-1].seconds:.0f} s", flush=True)
    return runs


if __name__ == "__main__":
    raise SystemExit(main())
