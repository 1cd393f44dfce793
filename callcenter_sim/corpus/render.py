"""The corpus as audio: each request read by the voice port, then heard through each condition.

``render`` writes, under ``out_dir`` (a cache, never committed):

- ``speech/<key>.wav``: what the synthesizer said, at its rate; ``key`` hashes the engine, voice, speed
  and text, so a request already synthesized by this engine is not synthesized again;
- ``<condition>/<id>.wav``: the request through one ``Degradation`` (8 kHz, 16-bit);
- ``audio.jsonl``: one line per file written: id, condition, path (relative), seconds, engine, voice,
  speed, seed — with the request's labels in ``requests.jsonl`` beside the text.

Synthesis is CPU-bound and synchronous (the port's contract); run this from a command, not the event loop.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

import numpy as np
import soundfile

from callcenter.adapters.voice.audio import samples_of
from callcenter.ivr.voice import Synthesizer
from callcenter_sim.corpus.degrade import CONDITIONS, TELEPHONE_RATE, Degradation, Samples
from callcenter_sim.corpus.generate import CorpusRequest

AUDIO_MANIFEST: Final = "audio.jsonl"
SYNTHESIS_RATE: Final = 16000  # asked of the engine; the conditions bring it down to 8 kHz


@dataclass(frozen=True, slots=True)
class RenderedFile:
    id: str
    condition: str
    path: str  # relative to out_dir
    seconds: float
    engine: str
    voice: str
    speed: float
    seed: int


def condition_seed(seed: int, request_id: str, condition: str) -> int:
    """A seed per request and condition, stable across runs and machines (CRC-32, not ``hash``)."""
    return zlib.crc32(f"{seed}|{request_id}|{condition}".encode())


def _speech(request: CorpusRequest, synthesizer: Synthesizer, cache: Path) -> tuple[Samples, int]:
    voice = request.voice_choice(SYNTHESIS_RATE)
    key = hashlib.sha256(f"{synthesizer.engine}|{voice.name}|{voice.speed}|{request.text}".encode())
    path = cache / f"{key.hexdigest()[:20]}.wav"
    if not path.is_file():
        speech = synthesizer.synthesize(request.text, voice)
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part.wav")
        soundfile.write(partial, samples_of(speech), speech.rate, subtype="PCM_16")
        partial.rename(path)
    samples, rate = soundfile.read(path, dtype="float64")
    return np.asarray(samples, dtype=np.float64), int(rate)


def render(
    requests: Sequence[CorpusRequest],
    synthesizer: Synthesizer,
    out_dir: Path,
    degradations: Sequence[Degradation] = CONDITIONS,
    seed: int = 0,
) -> tuple[RenderedFile, ...]:
    """Every request under every condition as 8 kHz WAVs, and ``audio.jsonl``; returns what it wrote."""
    written: list[RenderedFile] = []
    for request in requests:
        samples, rate = _speech(request, synthesizer, out_dir / "speech")
        for condition in degradations:
            written.append(_write(request, condition, samples, rate, out_dir, synthesizer.engine, seed))
    lines = "".join(json.dumps(asdict(f), ensure_ascii=False, sort_keys=True) + "\n" for f in written)
    (out_dir / AUDIO_MANIFEST).write_text(lines, "utf-8")
    return tuple(written)


def _write(
    request: CorpusRequest,
    condition: Degradation,
    samples: Samples,
    rate: int,
    out_dir: Path,
    engine: str,
    seed: int,
) -> RenderedFile:
    own_seed = condition_seed(seed, request.id, condition.name)
    heard = np.clip(condition.apply(samples, rate, own_seed), -1.0, 32767 / 32768)
    relative = Path(condition.name) / f"{request.id}.wav"
    (out_dir / condition.name).mkdir(parents=True, exist_ok=True)
    soundfile.write(out_dir / relative, heard, TELEPHONE_RATE, subtype="PCM_16")
    return RenderedFile(
        request.id,
        condition.name,
        relative.as_posix(),
        round(heard.size / TELEPHONE_RATE, 3),
        engine,
        request.voice,
        request.speed,
        own_seed,
    )
