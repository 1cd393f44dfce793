"""Draft quality on the labelled set: how often each suggested field of a draft is right.

Run from the repository root:  python bench/labelled_draft_quality.py [--verbose] [--only real|synthesized]

For every item of bench/data/labelled_calls (bench/labelled_set.py): the audio through the 8 kHz G.711
μ-law channel (``telephone_round_trip``), transcribed by Whisper without and with domain adaptation
(adapters/asr/domain_vocabulary.py), then ``suggest(text, catalogue, lexicon)`` with the sample city's
catalogue → per-field accuracy. The same fields computed from the reference text bound what extraction
alone can do. Fields: category (exact code, and same second-level class), street (the street office's
area), contact number, urgency, intent (where labelled). Real items expect no category, place or number
and normal urgency (false positives). ``--verbose`` prints every wrong field with the text it came from.
Measured on a 2-core machine other suites may load; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

from bench.labelled_set import LabelledCall, load_labels, phone_audio
from callcenter.adapters.asr.cer import ErrorCount, cer_count
from callcenter.asr.model import Speaker
from callcenter.ticketing.suggestions.assistant import DraftSuggestions

Field = tuple[str, Callable[[LabelledCall], str], Callable[[DraftSuggestions], str]]


def _street(s: DraftSuggestions) -> str:
    """The street (街道) of the suggested place, when it names a street or a community."""
    loc = s.location
    if (
        loc is None
        or loc.area_code is None
        or loc.level is None
        or loc.level.value not in ("street", "community")
    ):
        return ""
    return loc.area_code[:9] + "000"


FIELDS: tuple[Field, ...] = (
    ("category", lambda i: i.category, lambda s: s.category.code if s.category else ""),
    ("category class", lambda i: i.category[:4], lambda s: s.category.code[:4] if s.category else ""),
    ("street", lambda i: i.street, _street),
    ("phone", lambda i: i.phone, lambda s: s.contact_number or ""),
    ("urgency", lambda i: i.urgency, lambda s: s.urgency.value),
    ("intent", lambda i: i.intent, lambda s: s.intent.value),
)


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    def __str__(self) -> str:
        return f"{self.right}/{self.total} {self.right / self.total:.0%}" if self.total else "—"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--verbose", action="store_true", help="print every wrong field")
    parser.add_argument("--only", choices=("real", "synthesized"), default=None)
    args = parser.parse_args(argv)

    from callcenter.adapters.asr.factory import domain_vocabulary_from_seed, domain_whisper_options
    from callcenter.adapters.asr.settings import WhisperOptions
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber
    from callcenter.adapters.db.catalogue import load_seed
    from callcenter.ticketing.suggestions.assistant import suggest
    from callcenter.wiring.workorders import load_category_lexicon

    catalogue, lexicon = load_seed().catalogue(), load_category_lexicon()
    items = [i for i in load_labels() if args.only in (None, i.source)]
    plain = WhisperTranscriber(WhisperOptions(cpu_threads=2))
    adapted = plain.with_options(domain_whisper_options(plain.options, domain_vocabulary_from_seed()))
    sources: dict[str, Callable[[LabelledCall], str]] = {"reference": lambda i: i.text}
    for name, engine in (("whisper", plain), ("whisper+domain", adapted)):
        sources[name] = _transcribing(engine)

    tallies: dict[tuple[str, str, str], Tally] = {}
    cer: dict[tuple[str, str], ErrorCount] = {}
    for item in items:
        for source, text_of in sources.items():
            text = text_of(item)
            cer[source, item.source] = cer.get((source, item.source), ErrorCount(0, 0)) + cer_count(
                item.text, text
            )
            suggestion = suggest(text, catalogue, lexicon)
            for field, expected, got in FIELDS:
                if field == "intent" and not item.intent:
                    continue
                ok = expected(item) == got(suggestion)
                tallies.setdefault((field, source, item.source), Tally()).add(ok)
                if args.verbose and not ok:
                    print(
                        f"  {item.id} {field} [{source}]: want {expected(item)!r} "
                        f"got {got(suggestion)!r}: {text}"
                    )
    _print(tallies, cer, list(sources), sorted({i.source for i in items}))
    return 0


def _transcribing(engine: object) -> Callable[[LabelledCall], str]:
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

    assert isinstance(engine, WhisperTranscriber)

    def text_of(item: LabelledCall) -> str:
        return "".join(s.text for s in engine.transcribe(phone_audio(item), Speaker.CALLER))

    return text_of


def _print(
    tallies: dict[tuple[str, str, str], Tally],
    cer: dict[tuple[str, str], ErrorCount],
    sources: list[str],
    sets: list[str],
) -> None:
    columns = [(source, kind) for kind in sets for source in sources]
    header = f"{'field':<15}" + "".join(f"{source + ' (' + kind[:5] + ')':>26}" for source, kind in columns)
    print("\n" + header + "\n" + "-" * len(header))
    print(f"{'CER':<15}" + "".join(f"{_rate(cer.get(c)):>26}" for c in columns))
    for field, _expected, _got in FIELDS:
        cells = "".join(f"{tallies.get((field, *c), Tally())!s:>26}" for c in columns)
        print(f"{field:<15}{cells}")


def _rate(count: ErrorCount | None) -> str:
    return f"{count.rate:.1%} ({count.edits}/{count.length})" if count and count.length else "—"


if __name__ == "__main__":
    raise SystemExit(main())
