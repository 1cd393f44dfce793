"""A hotline-shaped corpus of citizen requests with their labels, the same for the same seed (docs/corpus.md).

Each request is a frame (``frames.csv``) filled with a problem of one category, an ask that says the
caller's intent, a place of the sample city's gazetteer (street and community names, house numbers) and,
in some frames, a phone number read the way callers say it. All numbers go through the hotline's reading
rules (``ivr/reading.py``); callers' own variations are added: 一 for 幺, and pauses (commas) between
the groups of a number.

Coverage is by rotation, not by chance: problems cycle (every problem, so every top-level category, once
per cycle) and communities cycle (every community, so every street, once per cycle), each cycle shuffled
by the seeded generator. Only ``random.Random(seed)`` decides; nothing reads the clock or the environment.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final, TypeVar

from callcenter.ivr.reading import Count, Digits, FieldValue, digit_by_digit, spoken
from callcenter.ivr.voice import VoiceChoice
from callcenter.ticketing.catalogue.gazetteer import Area, AreaLevel
from callcenter.ticketing.catalogue.model import Catalogue
from callcenter.ticketing.suggestions.cues import CallerIntent, request_type_of
from callcenter_sim.corpus.phrasing import Phrasings, Problem

DEFAULT_SEED: Final = 13
DEFAULT_COUNT: Final = 240
# The Kokoro Mandarin voices the corpus reads with, in turn. zf_xiaoni is left out: Whisper-base heard
# it at 61 % CER against 6–20 % for each of the others, on the same three hotline sentences through
# 8 kHz μ-law (docs/corpus.md, "Voices") — a call nobody could transcribe measures no draft field.
VOICES: Final = (
    "zf_xiaobei",
    "zf_xiaoxiao",
    "zf_xiaoyi",
    "zm_yunjian",
    "zm_yunxi",
    "zm_yunxia",
    "zm_yunyang",
)
SPEEDS: Final = (1.0, 0.9, 1.1)
PHONE_STYLES: Final = ("yao", "yi", "yao_pauses", "yi_pauses")  # how the caller says the digits
MOBILE_PREFIXES: Final = ("133", "135", "138", "139", "150", "158", "177", "186", "189")
LANDLINE_SHARE: Final = 0.2
REQUESTS_FILE: Final = "requests.jsonl"
MANIFEST_FILE: Final = "manifest.json"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CorpusRequest:
    """One citizen request: the reference text, what a perfect draft says of it, and who reads it."""

    id: str
    text: str  # the reference: what the caller says, numbers as words
    category: str  # catalogue code
    top_category: str  # its level-1 class
    street: str  # area code of the street (街道) whose office handles the place
    community: str  # area code of the community named, "" when only the street is named
    area: str  # the most precise area named
    house: str  # house number as digits ("2号楼3单元102室"), "" when none is said
    phone: str  # contact number as digits, "" when none is said
    phone_style: str  # PHONE_STYLES, "" when none is said
    urgency: str  # deadlines.Urgency value
    intent: str  # suggestions.cues.CallerIntent value
    request_type: str  # the work order's request type: the intent's, else the category's default, or ""
    voice: str  # VoiceChoice.name
    speed: float  # VoiceChoice.speed

    def voice_choice(self, rate: int = 8000) -> VoiceChoice:
        return VoiceChoice(self.voice, self.speed, rate)


def _cycle(items: Sequence[T], rng: random.Random) -> Iterator[T]:
    """Every item once per round, each round in a fresh seeded order."""
    while True:
        order = list(items)
        rng.shuffle(order)
        yield from order


def _phone(rng: random.Random) -> str:
    if rng.random() < LANDLINE_SHARE:
        return "010" + str(rng.randint(2, 9)) + "".join(rng.choice(string.digits) for _ in range(7))
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice(string.digits) for _ in range(8))


def say_phone(digits: str, style: str) -> str:
    """The number as the caller says it: 幺 or 一 for 1, with or without pauses (commas) between groups
    (3-4-4 for a mobile, 3-4-4 for 010 + eight digits)."""
    one = "一" if style.startswith("yi") else "幺"
    if not style.endswith("pauses"):
        return Digits(digits, one).words()
    groups = (digits[:3], digits[3:7], digits[7:])
    return "，".join(digit_by_digit(group, one=one) for group in groups)


def _fill(template: str, fields: dict[str, FieldValue]) -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return spoken(template, **{name: fields[name] for name in names})


@dataclass(frozen=True, slots=True)
class _Place:
    text: str
    area: Area
    street: Area
    community: Area | None
    house: str


def _place(rng: random.Random, template: str, community: Area, catalogue: Catalogue) -> _Place:
    gazetteer = catalogue.gazetteer
    street = gazetteer.get(community.parent or "")
    district = gazetteer.get(street.parent or "")
    building, unit = rng.randint(1, 24), rng.randint(1, 6)
    room = f"{rng.randint(1, 18)}0{rng.randint(1, 4)}"
    fields: dict[str, FieldValue] = {
        "district": district.name,
        "street": street.name,
        "community": community.name,
        "building": building,
        "unit": unit,
        "room": Digits(room),
    }
    names_community = "{community}" in template
    house = ""
    if "{building}" in template:
        house = f"{building}号楼" + (f"{unit}单元{room}室" if "{room}" in template else "")
    return _Place(
        _fill(template, fields),
        community if names_community else street,
        street,
        community if names_community else None,
        house,
    )


def _request_type(problem: Problem, intent: str, catalogue: Catalogue) -> str:
    own = request_type_of(CallerIntent(intent))
    default = catalogue.categories.default_request_type(problem.category)
    chosen = own or default
    return chosen.value if chosen else ""


def generate(
    phrasings: Phrasings, catalogue: Catalogue, seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT
) -> tuple[CorpusRequest, ...]:
    """``count`` requests from ``seed``: the same arguments give the same requests."""
    rng = random.Random(seed)
    communities = [a for a in catalogue.gazetteer if a.level is AreaLevel.COMMUNITY]
    problems, places = _cycle(phrasings.problems, rng), _cycle(sorted(communities, key=lambda a: a.code), rng)
    return tuple(_request(i, next(problems), next(places), phrasings, catalogue, rng) for i in range(count))


def _request(
    i: int, problem: Problem, community: Area, phrasings: Phrasings, catalogue: Catalogue, rng: random.Random
) -> CorpusRequest:
    intent = rng.choice(problem.intents)
    frame = rng.choice(phrasings.frames)
    place = _place(rng, rng.choice(phrasings.places), community, catalogue)
    phone = style = contact = ""
    if "{contact}" in frame:
        phone, style = _phone(rng), rng.choice(PHONE_STYLES)
        contact = rng.choice(phrasings.contacts).replace("{phone}", say_phone(phone, style))
    said = _fill(
        problem.text, {"days": Count(rng.randint(1, 5), "天"), "months": Count(rng.randint(2, 6), "个月")}
    )
    text = _fill(
        frame,
        {"place": place.text, "problem": said, "ask": rng.choice(phrasings.asks[intent]), "contact": contact},
    )
    return CorpusRequest(
        id=f"c{i + 1:04d}",
        text=text,
        category=problem.category,
        top_category=catalogue.categories.path(problem.category)[0].code,
        street=place.street.code,
        community=place.community.code if place.community else "",
        area=place.area.code,
        house=place.house,
        phone=phone,
        phone_style=style,
        urgency=problem.urgency.value,
        intent=intent.value,
        request_type=_request_type(problem, intent.value, catalogue),
        voice=VOICES[i % len(VOICES)],
        speed=SPEEDS[i // len(VOICES) % len(SPEEDS)],
    )


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def write_corpus(out: Path, requests: Sequence[CorpusRequest], seed: int, fingerprint: str) -> Path:
    """``requests.jsonl`` (one request with its labels a line) and ``manifest.json`` (seed, count, the
    data files' fingerprint, coverage) in ``out``; returns the manifest's path. Byte-for-byte repeatable."""
    out.mkdir(parents=True, exist_ok=True)
    lines = "".join(_json(asdict(r)) + "\n" for r in requests)
    (out / REQUESTS_FILE).write_text(lines, "utf-8")
    manifest = {
        "seed": seed,
        "count": len(requests),
        "data": fingerprint,
        "requests": REQUESTS_FILE,
        "categories": _tally(r.top_category for r in requests),
        "streets": _tally(r.street for r in requests),
        "urgency": _tally(r.urgency for r in requests),
        "intent": _tally(r.intent for r in requests),
        "phone_style": _tally(r.phone_style or "none" for r in requests),
    }
    path = out / MANIFEST_FILE
    path.write_text(json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1) + "\n", "utf-8")
    return path


def _tally(values: Iterator[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def read_corpus(out: Path) -> tuple[CorpusRequest, ...]:
    """The requests a ``write_corpus`` wrote."""
    lines = (out / REQUESTS_FILE).read_text("utf-8").splitlines()
    return tuple(CorpusRequest(**json.loads(line)) for line in lines if line)
