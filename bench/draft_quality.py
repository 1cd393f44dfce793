"""Draft quality through the phone: corpus calls placed through a real Asterisk, scored field by field.

Run from the repository root (Asterisk 22, Redis and the natural voice provisioned by ./hotline setup):

    python bench/draft_quality.py [--count 20] [--conditions telephone,snr10] [--concurrent 2] [--verbose]

1. The corpus (callcenter_sim/corpus, docs/corpus.md): the first ``--count`` requests of seed 13, read
   by the natural voice and heard through each line condition (``degrade.CONDITIONS``), rendered into the
   same cache as bench/corpus_quality.py (a second run synthesizes nothing).
2. The whole hotline as ``serve`` runs it (composition root, AMI bridge, live worker, ASR worker
   process, SQLite, Redis, web API) against a throw-away Asterisk 22 on loopback with free ports.
3. Each request is one call: a sipp citizen (G.711 μ-law, its own caller number) dials 12345, hears the
   greeting, is queued, a pyVoIP seat answers (and says a line of its own), the citizen speaks and hangs
   up; MixMonitor records both sides, the live worker transcribes while the call lasts, the after-call
   job finishes the transcript and stores the draft work order. ``--concurrent`` calls at a time (one
   seat each).
4. The draft's suggestions are read through the JSON API (``/api/workorders/<id>``, as the desk reads
   them: correction by sound as configured, on by default) → per-field accuracy: category, street,
   community, phone (exact), urgency, intent, request type. Beside them: the same extraction on the
   reference text (what extraction alone loses) and on the heard text with correction off (what the
   correction adds). CER of the heard citizen text against the reference.

Targets (issue 13, clean calls): phone and street ≥ 95 % exact, category ≥ 85 %, urgency ≥ 95 %; the drop
at 10 dB is printed. The synthetic corpus measures the draft pipeline, not the recogniser's limit on
human speech (bench/asr_baseline.py on ../shared/speech/zh is that figure). Measured on a 2-core
machine other work may load; prints figures, asserts nothing (figures: docs/corpus.md).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

from bench.corpus_quality import CACHE, FIELDS, REFERENCE, TARGETS, Tally
from callcenter.adapters.asr.cer import ErrorCount, cer_count
from callcenter.ticketing.catalogue.model import Catalogue
from callcenter_sim.corpus.generate import CorpusRequest

SEATS = ("agent1001", "agent1002", "agent1003", "agent1004")
AGENT_CLIP = "cv_zh-CN_18536155"
REPO = Path(__file__).resolve().parents[1]
DRAFT_WAIT_S = 240.0


@dataclass(frozen=True, slots=True)
class Heard:
    """One call's outcome: the draft's text and its suggestions as the API gave them ("" / {} if none)."""

    request: CorpusRequest
    condition: str
    text: str
    suggestions: dict[str, Any]
    seconds: float  # from the citizen's hangup to the draft readable through the API
    problem: str = ""


def api_fields(catalogue: Catalogue) -> dict[str, Callable[[dict[str, Any]], str]]:
    """The same fields as ``corpus_quality.FIELDS``, read off the API's suggestion JSON."""

    def location(s: dict[str, Any]) -> dict[str, Any]:
        return s.get("location") or {}

    def street(s: dict[str, Any]) -> str:
        loc = location(s)
        ok = loc.get("area_code") and loc.get("level") in ("street", "community")
        return str(loc["area_code"])[:9] + "000" if ok else ""

    def category(s: dict[str, Any]) -> str:
        return str((s.get("category") or {}).get("code") or "")

    def request_type(s: dict[str, Any]) -> str:
        chosen = s.get("request_type")
        if not chosen and category(s):
            default = catalogue.categories.default_request_type(category(s))
            chosen = default.value if default else ""
        return str(chosen or "")

    return {
        "category": category,
        "street": street,
        "community": lambda s: (
            str(location(s).get("area_code") or "") if location(s).get("level") == "community" else ""
        ),
        "phone": lambda s: str(s.get("contact_number") or ""),
        "urgency": lambda s: str(s.get("urgency") or ""),
        "intent": lambda s: str(s.get("intent") or ""),
        "request type": request_type,
    }


async def place_calls(
    calls: Sequence[tuple[CorpusRequest, str, Path, float]], concurrent: int
) -> list[Heard]:
    """Every (request, condition, audio, seconds) as a call through a throw-away Asterisk and the
    whole hotline (bench/rig.py); the draft of each read through the API."""
    from bench.rig import running_hotline
    from callcenter_sim.phones import AgentPhone

    seats: list[AgentPhone] = []
    async with running_hotline(asr_engine="whisper", live_asr=1) as rig:
        asterisk = rig.asterisk
        try:
            longest = max(seconds for *_r, seconds in calls)
            agent_voice = REPO.parent / "shared" / "speech" / "zh" / "8k" / f"{AGENT_CLIP}_8k.wav"
            speak_after = asterisk.greeting_seconds() + 5.0
            for seat in SEATS[:concurrent]:
                phone = AgentPhone(
                    seat,
                    asterisk.seat_secret(seat),
                    asterisk.settings.sip_port,
                    play=agent_voice if agent_voice.is_file() else None,
                    play_after_s=0.3,
                    hang_up_after_s=speak_after + longest + 20.0,  # the citizen hangs up first
                )
                seats.append(phone)
                await asyncio.to_thread(phone.start)
                await rig.hotline.bridge.actions.queue_add(rig.settings.hotline_queue, f"PJSIP/{seat}", seat)
            gate = asyncio.Semaphore(concurrent)
            numbers = [f"1391{i:07d}" for i in range(len(calls))]
            runs = [
                _one_call(rig.client, asterisk.settings.sip_port, gate, number, speak_after, call)
                for number, call in zip(numbers, calls, strict=True)
            ]
            return list(await asyncio.gather(*runs))
        finally:
            for phone in seats:
                await asyncio.to_thread(phone.stop)


async def _one_call(
    client: Any,
    sip_port: int,
    gate: asyncio.Semaphore,
    number: str,
    speak_after: float,
    call: tuple[CorpusRequest, str, Path, float],
) -> Heard:
    from callcenter_sim.phones import CallerScript, SippCaller

    request, condition, audio, _seconds = call
    async with gate:
        script = CallerScript(caller_number=number, audio=audio, speak_after_s=speak_after, tail_s=2.0)
        result = await asyncio.to_thread(SippCaller(script, sip_port).run, 180)
    hung_up = time.monotonic()
    if not result.answered:
        return Heard(request, condition, "", {}, 0.0, "not answered")
    draft = await _draft_of(client, number)
    waited = time.monotonic() - hung_up
    if draft is None:
        return Heard(request, condition, "", {}, waited, f"no draft within {DRAFT_WAIT_S:.0f} s")
    return Heard(request, condition, draft["request_text"], draft["suggestions"] or {}, waited)


async def _draft_of(client: Any, number: str) -> dict[str, Any] | None:
    """The draft work order of the (ended) call from ``number``, once the after-call job stored it."""
    deadline = time.monotonic() + DRAFT_WAIT_S
    while time.monotonic() < deadline:
        calls = await (await client.get("/api/calls?limit=200")).json()
        call = next((c for c in calls["items"] if c["caller_number"] == number), None)
        if call and call["phase"] == "ended":
            detail = await (await client.get(f"/api/calls/{call['call_id']}")).json()
            if detail["ticket"]:
                order = await client.get(f"/api/workorders/{detail['ticket']['id']}")
                return dict(await order.json())
        await asyncio.sleep(1.0)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--conditions", default="telephone,snr10", help="comma-separated, of CONDITIONS")
    parser.add_argument("--concurrent", type=int, default=2, choices=range(1, len(SEATS) + 1))
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--verbose", action="store_true", help="print every transcript and wrong field")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from callcenter.adapters.voice.factory import build_synthesizer
    from callcenter.wiring.workorders import load_category_lexicon
    from callcenter_sim.corpus.degrade import CONDITIONS
    from callcenter_sim.corpus.generate import generate
    from callcenter_sim.corpus.phrasing import load_phrasings, sample_city
    from callcenter_sim.corpus.render import render

    city = sample_city()
    wanted = [c for c in args.conditions.split(",") if c]
    conditions = [c for c in CONDITIONS if c.name in wanted]
    requests = generate(load_phrasings(), city, args.seed, args.count)
    started = time.monotonic()
    synthesizer = build_synthesizer("kokoro")
    files = render(requests, synthesizer, args.cache, conditions, seed=args.seed)
    rendered = time.monotonic() - started
    by_id = {r.id: r for r in requests}
    calls = [(by_id[f.id], f.condition, args.cache / f.path, f.seconds) for f in files]
    started = time.monotonic()
    heard = asyncio.run(place_calls(calls, args.concurrent))
    placed = time.monotonic() - started
    print(
        f"\n{len(requests)} requests × {len(conditions)} conditions = {len(calls)} calls (seed {args.seed}), "
        f"voice {synthesizer.engine}, through Asterisk 22 with {args.concurrent} seats; rendering "
        f"{rendered:.0f} s, calls {placed:.0f} s"
    )
    _report(heard, [c.name for c in conditions], city, load_category_lexicon(), args.verbose)
    return 0


def _report(heard: list[Heard], conditions: list[str], city: Catalogue, lexicon: Any, verbose: bool) -> None:
    from callcenter.ticketing.suggestions.assistant import suggest

    fields = api_fields(city)
    tallies: dict[tuple[str, str], Tally] = {}  # (field, column)
    cer: dict[str, ErrorCount] = {}
    waits: dict[str, list[float]] = {}
    for h in heard:
        r = h.request
        if h.problem:
            print(f"  {r.id} {h.condition}: {h.problem}")
        cer[h.condition] = cer.get(h.condition, ErrorCount(0, 0)) + cer_count(r.text, h.text)
        waits.setdefault(h.condition, []).append(h.seconds)
        plain = suggest(h.text, city, lexicon, correction=False)
        reference = suggest(r.text, city, lexicon)
        for field, expected, got in FIELDS:
            want = expected(r)
            tallies.setdefault((field, REFERENCE), Tally()).add(want == got(city, reference))
            tallies.setdefault((field, h.condition + " off"), Tally()).add(want == got(city, plain))
            have = fields[field](h.suggestions)
            tallies.setdefault((field, h.condition), Tally()).add(want == have)
            if verbose and want != have:
                print(f"  {r.id} {h.condition} {field}: want {want!r} got {have!r}")
        if verbose:
            print(f"{r.id} {h.condition}: {r.text}\n    heard: {h.text}")
    _print(conditions, tallies, cer, waits)


def _print(
    conditions: list[str],
    tallies: dict[tuple[str, str], Tally],
    cer: dict[str, ErrorCount],
    waits: dict[str, list[float]],
) -> None:
    columns = [REFERENCE, *(col for c in conditions for col in (c + " off", c))]
    width = 16
    header = f"{'field':<14}{'target':>7}" + "".join(f"{c:>{width}}" for c in columns)
    print(header + "\n" + "-" * len(header))
    cells = "".join(f"{_rate(cer.get(c)):>{width * 2}}" for c in conditions)
    print(f"{'CER':<14}{'':>7}{'0':>{width}}" + cells)
    slowest = "".join(f"{max(waits.get(c) or [0.0]):>{width * 2}.0f}" for c in conditions)
    print(f"{'draft wait max':<14}{'(s)':>7}{'':>{width}}" + slowest)
    for field, _e, _g in FIELDS:
        target = f"≥{TARGETS[field]:.0%}" if field in TARGETS else ""
        cells = "".join(f"{tallies.get((field, c), Tally())!s:>{width}}" for c in columns)
        print(f"{field:<14}{target:>7}" + cells)
    print("\ncolumns: reference = the reference text; <condition> off = the heard text, correction off;")
    print("<condition> = the draft's suggestions through the API (correction as configured: on)")
    if "telephone" in conditions and "snr10" in conditions:
        print("\ndrop from clean (telephone) to 10 dB SNR, through the API:")
        for field, _e, _g in FIELDS:
            clean, noisy = tallies[field, "telephone"].share, tallies[field, "snr10"].share
            print(f"  {field:<14}{clean:.0%} → {noisy:.0%} ({(noisy - clean) * 100:+.0f} points)")


def _rate(count: ErrorCount | None) -> str:
    return f"{count.rate:.1%}" if count and count.length else "—"


if __name__ == "__main__":
    raise SystemExit(main())
