"""Draft quality on the synthetic corpus, per line condition, with and without correction by sound.

Run from the repository root:

    python bench/corpus_quality.py [--count 40] [--conditions telephone,snr10,clipped] [--verbose]

1. The corpus (callcenter_sim/corpus, docs/corpus.md): the first ``--count`` requests of seed 13, a
   deterministic subset (problems and communities in rotation).
2. Read by the natural voice (``adapters/voice/factory.build_synthesizer``: Kokoro, else espeak-ng with
   a logged warning; ``--voice espeak`` to choose it) and heard through each condition
   (``degrade.CONDITIONS``: telephone = clean 8 kHz μ-law, snr20/10/5 babble, loss2, clipped); audio
   cached under ``--cache`` (synthesis is done once per engine, voice, speed and text).
3. Transcribed by the project's Whisper engine, built from the settings as the ASR worker builds it
   (``transcriber_from_config`` with ``asr_engine=whisper``), the caller's side alone.
4. ``suggest(text, catalogue, lexicon)`` with correction off and on → per-field accuracy: category,
   street, community, phone (exact), urgency, intent, request type. Beside it the same on the reference
   text (what extraction alone loses), so ASR loss and extraction loss are told apart. CER of the
   transcript, and of the transcript after correction.

Targets (issue 13, clean calls): phone and street ≥ 95 % exact, category ≥ 85 %, urgency ≥ 95 %; the drop
at 10 dB is reported. Offline: no Asterisk; the corpus through a real call (sipp → Asterisk → MixMonitor
recording → live and after-call recognition → API) is bench/draft_quality.py. Measured on a
2-core machine other suites may load; prints figures, asserts nothing (figures: docs/corpus.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

from callcenter.adapters.asr.cer import ErrorCount, cer_count
from callcenter.ticketing.catalogue.model import Catalogue
from callcenter.ticketing.suggestions.assistant import DraftSuggestions
from callcenter_sim.corpus.generate import CorpusRequest

CACHE = Path(os.environ.get("CALLCENTER_CACHE", Path.home() / ".cache" / "callcenter12345")) / "corpus-bench"
TARGETS = {"phone": 0.95, "street": 0.95, "category": 0.85, "urgency": 0.95}
REFERENCE = "reference"

Field = tuple[str, Callable[[CorpusRequest], str], Callable[[Catalogue, DraftSuggestions], str]]


def _street(_c: Catalogue, s: DraftSuggestions) -> str:
    loc = s.location
    if (
        loc is None
        or loc.area_code is None
        or loc.level is None
        or loc.level.value not in ("street", "community")
    ):
        return ""
    return loc.area_code[:9] + "000"


def _community(_c: Catalogue, s: DraftSuggestions) -> str:
    loc = s.location
    if loc is None or loc.level is None or loc.level.value != "community":
        return ""
    return loc.area_code or ""


def _request_type(c: Catalogue, s: DraftSuggestions) -> str:
    """The intent's request type, else the suggested category's default (as the corpus labels it)."""
    chosen = s.request_type or (c.categories.default_request_type(s.category.code) if s.category else None)
    return chosen.value if chosen else ""


FIELDS: tuple[Field, ...] = (
    ("category", lambda r: r.category, lambda _c, s: s.category.code if s.category else ""),
    ("street", lambda r: r.street, _street),
    ("community", lambda r: r.community, _community),
    ("phone", lambda r: r.phone, lambda _c, s: s.contact_number or ""),
    ("urgency", lambda r: r.urgency, lambda _c, s: s.urgency.value),
    ("intent", lambda r: r.intent, lambda _c, s: s.intent.value),
    ("request type", lambda r: r.request_type, _request_type),
)


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.share:.0%}" if self.total else "—"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--conditions", default="", help="comma-separated (default: all six)")
    parser.add_argument("--voice", choices=("kokoro", "espeak"), default="kokoro")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--verbose", action="store_true", help="print every transcript and wrong field")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from callcenter.adapters.asr.audio import load_mono
    from callcenter.adapters.asr.factory import transcriber_from_config
    from callcenter.adapters.voice.factory import build_synthesizer
    from callcenter.asr.model import Speaker
    from callcenter.config.settings import Settings
    from callcenter.ticketing.suggestions.assistant import correction_vocabulary, suggest
    from callcenter.ticketing.suggestions.correction import correct
    from callcenter.wiring.workorders import load_category_lexicon
    from callcenter_sim.corpus.degrade import CONDITIONS
    from callcenter_sim.corpus.generate import generate
    from callcenter_sim.corpus.phrasing import load_phrasings, sample_city
    from callcenter_sim.corpus.render import render

    city, lexicon = sample_city(), load_category_lexicon()
    vocabulary = correction_vocabulary(city, lexicon)
    wanted = [c for c in args.conditions.split(",") if c]
    conditions = [c for c in CONDITIONS if not wanted or c.name in wanted]
    requests = generate(load_phrasings(), city, args.seed, args.count)
    started = time.monotonic()
    synthesizer = build_synthesizer(args.voice)
    files = render(requests, synthesizer, args.cache, conditions, seed=args.seed)
    rendered = time.monotonic() - started
    transcriber = transcriber_from_config(replace(Settings(), asr_engine="whisper"))
    by_id = {r.id: r for r in requests}

    tallies: dict[tuple[str, str, str], Tally] = {}  # (field, condition, off|on)
    cer: dict[tuple[str, str], ErrorCount] = {}  # (condition, off|on)
    corrected_calls: dict[str, int] = {}

    def score(condition: str, mode: str, request: CorpusRequest, text: str, correction: bool) -> None:
        s = suggest(text, city, lexicon, correction=correction)
        for field, expected, got in FIELDS:
            ok = expected(request) == got(city, s)
            tallies.setdefault((field, condition, mode), Tally()).add(ok)
            if args.verbose and not ok:
                want, have = expected(request), got(city, s)
                print(f"  {request.id} {condition}/{mode} {field}: want {want!r} got {have!r}")

    for request in requests:
        for mode, on in (("off", False), ("on", True)):
            score(REFERENCE, mode, request, request.text, on)
    started = time.monotonic()
    heard = _TranscriptCache(args.cache / "transcripts.json")
    for f in files:
        request = by_id[f.id]
        path = args.cache / f.path
        text = heard.get(path)
        if text is None:
            text = "".join(s.text for s in transcriber.transcribe(load_mono(path), Speaker.CALLER))
            heard.put(path, text)
        fixed = correct(text, vocabulary)
        corrected_calls[f.condition] = corrected_calls.get(f.condition, 0) + bool(fixed.corrections)
        for mode, said in (("off", text), ("on", fixed.text)):
            cer[f.condition, mode] = cer.get((f.condition, mode), ErrorCount(0, 0)) + cer_count(
                request.text, said
            )
            score(f.condition, mode, request, text, mode == "on")
        if args.verbose:
            print(f"{f.id} {f.condition}: {request.text}\n    heard: {text}")
            for c in fixed.corrections:
                print(f"    corrected {c.heard} → {c.name}")
    transcribed = time.monotonic() - started
    engine = files[0].engine if files else synthesizer.engine
    print(
        f"\n{len(requests)} calls (seed {args.seed}), voice {engine}, Whisper as the ASR worker builds it; "
        f"rendering {rendered:.0f} s, transcription {transcribed:.0f} s"
    )
    _print([REFERENCE, *(c.name for c in conditions)], tallies, cer, corrected_calls, len(requests))
    return 0


def _print(
    columns: list[str],
    tallies: dict[tuple[str, str, str], Tally],
    cer: dict[tuple[str, str], ErrorCount],
    corrected: dict[str, int],
    calls: int,
) -> None:
    width = 18

    def pair(field: str, column: str) -> str:
        off, on = tallies.get((field, column, "off"), Tally()), tallies.get((field, column, "on"), Tally())
        return f"{off!s}/{on!s}"

    header = f"{'field':<14}{'target':>8}" + "".join(f"{c + ' off/on':>{width}}" for c in columns)
    print(header + "\n" + "-" * len(header))
    cells = "".join(
        f"{_rate(cer.get((c, 'off'))) + '/' + _rate(cer.get((c, 'on'))):>{width}}" for c in columns[1:]
    )
    print(f"{'CER':<14}{'':>8}{'0/0':>{width}}" + cells)
    counts = "".join(f"{str(corrected.get(c, '—')) + '/' + str(calls):>{width}}" for c in columns[1:])
    print(f"{'calls corrected':<14}{'':>8}{'0/' + str(calls):>{width}}" + counts)
    for field, _e, _g in FIELDS:
        target = f"≥{TARGETS[field]:.0%}" if field in TARGETS else ""
        print(f"{field:<14}{target:>8}" + "".join(f"{pair(field, c):>{width}}" for c in columns))
    if "telephone" in columns and "snr10" in columns:
        print("\ndrop from clean (telephone) to 10 dB SNR, correction on:")
        for field, _e, _g in FIELDS:
            clean, noisy = tallies[field, "telephone", "on"].share, tallies[field, "snr10", "on"].share
            print(f"  {field:<14}{clean:.0%} → {noisy:.0%} ({(noisy - clean) * 100:+.0f} points)")


class _TranscriptCache:
    """Whisper's text per audio file (keyed by the file's sha256 and the engine's settings), so a second
    run only scores."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._texts: dict[str, str] = json.loads(path.read_text("utf-8")) if path.is_file() else {}

    @staticmethod
    def _key(audio: Path) -> str:
        from callcenter.config.settings import Settings

        s = Settings()
        engine = f"whisper|{s.whisper_beam_size}|{s.whisper_compute_type}|{s.whisper_split_on_silence}"
        return hashlib.sha256(audio.read_bytes() + engine.encode()).hexdigest()

    def get(self, audio: Path) -> str | None:
        return self._texts.get(self._key(audio))

    def put(self, audio: Path, text: str) -> None:
        self._texts[self._key(audio)] = text
        self._path.write_text(json.dumps(self._texts, ensure_ascii=False, indent=0), "utf-8")


def _rate(count: ErrorCount | None) -> str:
    return f"{count.rate:.1%}" if count and count.length else "—"


if __name__ == "__main__":
    raise SystemExit(main())
