"""The labelled set of Mandarin "calls" (bench/data/labelled_calls/labels.json) and its audio.

Items are ``real`` (every utterance of ../shared/speech/zh: not hotline calls, so they expect no category,
place or number and normal urgency — they measure false positives) or ``synthesized`` (hotline calls
written for this set with the seed gazetteer's street and community names, the catalogue's categories,
spoken phone numbers, urgency cues and intents, spoken by espeak-ng's ``cmn-latn-pinyin`` voice). The
synthesized audio is made here on first use and cached under ~/.cache/callcenter12345/labelled/ (never
committed); the cache key is a hash of the voice, speed and text, so an edited label makes new audio.

Label fields: ``text`` (reference), ``category`` (code, "" none), ``area`` (most precise area code),
``street`` (the street whose 街道办事处 handles it), ``phone`` (digits), ``urgency``, ``intent`` ("" not
labelled).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from callcenter.adapters.asr.audio import load_mono, telephone_round_trip
from callcenter.asr.model import Audio

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "bench" / "data" / "labelled_calls" / "labels.json"
SHARED_SPEECH = REPO.parent / "shared" / "speech"
CACHE = Path(os.environ.get("CALLCENTER_CACHE", Path.home() / ".cache" / "callcenter12345")) / "labelled"
VOICE, SPEED = "cmn-latn-pinyin", 150


@dataclass(frozen=True, slots=True)
class LabelledCall:
    id: str
    source: str  # real | synthesized
    audio: str  # real: path under ../shared/speech; synthesized: ""
    text: str
    category: str
    area: str
    street: str
    phone: str
    urgency: str
    intent: str


def load_labels(path: Path = LABELS) -> tuple[LabelledCall, ...]:
    return tuple(LabelledCall(**item) for item in json.loads(path.read_text("utf-8")))


def synthesized_wav(text: str, cache: Path = CACHE) -> Path:
    """espeak-ng's reading of ``text`` (22.05 kHz WAV), made once and cached by voice, speed and text."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is missing: apt-get install espeak-ng")
    key = hashlib.sha256(f"{VOICE}|{SPEED}|{text}".encode()).hexdigest()[:16]
    target = cache / f"{key}.wav"
    if not target.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part.wav")
        subprocess.run(
            ["espeak-ng", "-v", VOICE, "-s", str(SPEED), "-w", str(partial), text], check=True, timeout=60
        )
        partial.rename(target)
    return target


def phone_audio(item: LabelledCall) -> Audio:
    """The item as a caller's side of a call: its audio through the 8 kHz G.711 μ-law channel."""
    path = SHARED_SPEECH / item.audio if item.source == "real" else synthesized_wav(item.text)
    return telephone_round_trip(load_mono(path))
