"""The committed data the corpus is written from (``corpus/data/*.csv``), and the sample city's catalogue.

- ``problems.csv``: category, urgency, intents (space-separated: the kinds of call the words fit), text —
  what is wrong, in a caller's words, with optional slots ``{days}`` and ``{months}`` (counts).
- ``asks.csv``: intent, text — what the caller wants done (我要投诉, 麻烦你们派人来处理一下 …).
- ``places.csv``: where, with ``{district}``, ``{street}``, ``{community}`` and house numbers
  ``{building}``, ``{unit}``, ``{room}``.
- ``contacts.csv``: how a caller gives the number, with ``{phone}``.
- ``frames.csv``: how the parts are put together, with ``{place}``, ``{problem}``, ``{ask}`` and
  optionally ``{contact}``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from importlib.resources import files
from typing import Final

from callcenter.ticketing.catalogue.model import Catalogue
from callcenter.ticketing.catalogue.seed import SEED_FILES, parse_seed
from callcenter.ticketing.deadlines import Urgency
from callcenter.ticketing.suggestions.cues import CallerIntent

DATA_PACKAGE: Final = "callcenter_sim.corpus"
DATA_FILES: Final = ("problems.csv", "asks.csv", "places.csv", "contacts.csv", "frames.csv")
SEED_PACKAGE: Final = "callcenter.ticketing.catalogue.seed"


@dataclass(frozen=True, slots=True)
class Problem:
    category: str
    urgency: Urgency
    intents: tuple[CallerIntent, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Phrasings:
    problems: tuple[Problem, ...]
    asks: dict[CallerIntent, tuple[str, ...]]
    places: tuple[str, ...]
    contacts: tuple[str, ...]
    frames: tuple[str, ...]
    fingerprint: str  # sha256 of the data files, in the corpus manifest


def _text(name: str) -> str:
    return files(DATA_PACKAGE).joinpath("data", name).read_text("utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(name))))


def load_phrasings() -> Phrasings:
    """The five data files, parsed; a wrong urgency or intent name raises ValueError."""
    problems = tuple(
        Problem(
            r["category"],
            Urgency(r["urgency"]),
            tuple(CallerIntent(i) for i in r["intents"].split()),
            r["text"],
        )
        for r in _rows("problems.csv")
    )
    asks: dict[CallerIntent, list[str]] = {}
    for row in _rows("asks.csv"):
        asks.setdefault(CallerIntent(row["intent"]), []).append(row["text"])
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(_text(name).encode())
    return Phrasings(
        problems=problems,
        asks={intent: tuple(texts) for intent, texts in asks.items()},
        places=tuple(r["template"] for r in _rows("places.csv")),
        contacts=tuple(r["template"] for r in _rows("contacts.csv")),
        frames=tuple(r["template"] for r in _rows("frames.csv")),
        fingerprint=digest.hexdigest(),
    )


def sample_city() -> Catalogue:
    """The sample city's dispatch catalogue, from the seed files shipped with the product."""
    folder = files(SEED_PACKAGE)
    return parse_seed({name: folder.joinpath(name).read_text("utf-8") for name in SEED_FILES}).catalogue()
