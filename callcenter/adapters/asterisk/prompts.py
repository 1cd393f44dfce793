"""The hotline's voice prompts as 8 kHz mono 16-bit WAV files, and speech made on demand (docs/voice.md).

Run as ``python -m callcenter.adapters.asterisk.prompts --out DIR`` (scripts/setup.sh does). Every prompt of
``ivr/prompts.py`` is synthesized by a :class:`~callcenter.ivr.voice.Synthesizer` — the natural voice
(Kokoro, reading the Chinese text) when provisioned, else espeak-ng (reading the hand-written pinyin).
Idempotent: a ``<id>.json`` sidecar holds the fingerprint of text, pinyin, pause, voice choice and engine
string; a prompt whose fingerprint is unchanged is not synthesized again, and a new text, voice or engine
re-synthesizes it. The dialplan plays ``sounds/<id>`` (Asterisk's ``.wav`` is 8 kHz signed linear), so
prompts are always written at 8 kHz whatever the choice's rate.

:meth:`PromptCache.speech_for` makes speech that names an order or a date (the text prepared by the reading
rules of ``ivr/reading.py``), cached per key and text as ``dynamic/<fingerprint>.wav`` (8 kHz) or ``.wav16``
(16 kHz, Asterisk's name for it), bounded in count and bytes, the least recently used evicted first.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile

from callcenter.adapters.voice.audio import PEAK, samples_of
from callcenter.adapters.voice.espeak import EspeakSynthesizer
from callcenter.ivr.prompts import PROMPTS, Prompt
from callcenter.ivr.voice import DEFAULT_VOICE, Speech, Synthesizer, VoiceChoice

RATE = 8000  # telephone audio; Asterisk plays .wav files as 8 kHz signed linear
SYNTH_VERSION = 2  # bump when the processing below changes
DYNAMIC_MAX_FILES = 2000
DYNAMIC_MAX_BYTES = 200 * 1024 * 1024


def _digest(recipe: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class PromptCache:
    """Prompt files in ``out_dir`` made by one synthesizer with one voice choice."""

    def __init__(
        self,
        out_dir: Path,
        synthesizer: Synthesizer,
        voice: VoiceChoice = DEFAULT_VOICE,
        *,
        max_files: int = DYNAMIC_MAX_FILES,
        max_bytes: int = DYNAMIC_MAX_BYTES,
    ) -> None:
        self.out_dir = out_dir
        self.synthesizer = synthesizer
        self.voice = voice
        self.max_files = max_files
        self.max_bytes = max_bytes

    # --- the fixed prompts -------------------------------------------------------------------------------

    def _reads_pinyin(self) -> bool:
        return isinstance(self.synthesizer, EspeakSynthesizer)

    def fingerprint(self, prompt: Prompt) -> str:
        """Everything that changes the audio: words, pause, voice choice, engine and processing."""
        return _digest(
            {
                "text": prompt.text,
                "reading": prompt.reading,
                "pinyin": prompt.pinyin if self._reads_pinyin() else None,
                "trailing_silence_ms": prompt.trailing_silence_ms,
                "voice": self.voice.name,
                "speed": self.voice.speed,
                "rate": RATE,
                "engine": self.synthesizer.engine,
                "peak": PEAK,
                "version": SYNTH_VERSION,
            }
        )

    def is_current(self, prompt: Prompt) -> bool:
        """The WAV exists and its sidecar names the prompt's current fingerprint."""
        sidecar = self.out_dir / f"{prompt.id}.json"
        if not (self.out_dir / f"{prompt.id}.wav").is_file() or not sidecar.is_file():
            return False
        try:
            found = json.loads(sidecar.read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, ValueError):
            return False
        return bool(found == self.fingerprint(prompt))

    def prompt(self, prompt: Prompt) -> Path:
        """``<id>.wav`` (8 kHz mono 16-bit) and its sidecar; synthesized only when not current."""
        target = self.out_dir / f"{prompt.id}.wav"
        if self.is_current(prompt):
            return target
        self.out_dir.mkdir(parents=True, exist_ok=True)
        voice = dataclasses.replace(self.voice, rate=RATE)
        synthesizer = self.synthesizer
        if isinstance(synthesizer, EspeakSynthesizer):
            speech = synthesizer.synthesize_pinyin(prompt.pinyin, voice)
        else:
            speech = synthesizer.synthesize(prompt.reading, voice)
        samples = np.concatenate(
            [samples_of(speech), np.zeros(RATE * prompt.trailing_silence_ms // 1000, dtype=np.float32)]
        )
        _write_atomically(target, samples, RATE, "WAV")
        sidecar = {
            "fingerprint": self.fingerprint(prompt),
            "text": prompt.text,
            "pinyin": prompt.pinyin,
            "engine": synthesizer.engine,
            "voice": self.voice.name,
            "speed": self.voice.speed,
            "seconds": round(len(samples) / RATE, 3),
        }
        (self.out_dir / f"{prompt.id}.json").write_text(
            json.dumps(sidecar, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        return target

    def all(self, prompts: Sequence[Prompt] = PROMPTS) -> list[Path]:
        return [self.prompt(prompt) for prompt in prompts]

    # --- speech on demand --------------------------------------------------------------------------------

    @property
    def dynamic_dir(self) -> Path:
        return self.out_dir / "dynamic"

    def speech_fingerprint(self, key: str, text: str) -> str:
        return _digest(
            {
                "key": key,
                "text": text,
                "voice": self.voice.name,
                "speed": self.voice.speed,
                "rate": self.voice.rate,
                "engine": self.synthesizer.engine,
                "peak": PEAK,
                "version": SYNTH_VERSION,
            }
        )

    def speech_for(self, key: str, text: str) -> Path:
        """``text`` (already written as it is read: ``ivr/reading.py``) spoken at the choice's rate, cached
        under ``key`` + text + voice + engine. The played file is ``dynamic/<fingerprint>.wav`` (8 kHz) or
        ``.wav16`` (16 kHz); the dialplan plays it without the extension."""
        extension = "wav" if self.voice.rate == RATE else "wav16"
        target = self.dynamic_dir / f"{self.speech_fingerprint(key, text)}.{extension}"
        if target.is_file():
            os.utime(target)  # recently used: evicted last
            return target
        self.dynamic_dir.mkdir(parents=True, exist_ok=True)
        speech: Speech = self.synthesizer.synthesize(text, self.voice)
        _write_atomically(target, samples_of(speech), speech.rate, "WAV")
        self._evict(keep=target)
        return target

    def _evict(self, keep: Path) -> None:
        """Drop the least recently used files while over ``max_files`` or ``max_bytes``."""
        entries = []
        for path in self.dynamic_dir.iterdir():
            if path.suffix in (".wav", ".wav16") and path.is_file():
                stat = path.stat()
                entries.append((stat.st_mtime_ns, path.name, stat.st_size, path))
        entries.sort()
        count, total = len(entries), sum(size for _, _, size, _ in entries)
        for _, _, size, path in entries:
            if count <= self.max_files and total <= self.max_bytes:
                break
            if path == keep:
                continue
            path.unlink(missing_ok=True)
            count, total = count - 1, total - size


def synthesize_all(
    out_dir: Path,
    prompts: Sequence[Prompt] = PROMPTS,
    synthesizer: Synthesizer | None = None,
    voice: VoiceChoice = DEFAULT_VOICE,
) -> list[Path]:
    """Every prompt into ``out_dir``; the natural voice when provisioned (see ``voice/factory.py``)."""
    if synthesizer is None:
        from callcenter.adapters.voice.factory import build_synthesizer

        synthesizer = build_synthesizer()
    return PromptCache(out_dir, synthesizer, voice).all(prompts)


def _write_atomically(target: Path, samples: np.ndarray, rate: int, fmt: str) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    soundfile.write(temporary, samples, rate, subtype="PCM_16", format=fmt)
    os.replace(temporary, target)


def main(argv: Sequence[str] | None = None) -> int:
    from callcenter.adapters.voice.factory import build_synthesizer
    from callcenter.adapters.voice.models import VOICE_NAMES, default_dir

    parser = argparse.ArgumentParser(description="Synthesize the hotline's voice prompts (8 kHz WAV).")
    parser.add_argument("--out", type=Path, required=True, help="directory for <id>.wav and <id>.json")
    parser.add_argument("--engine", choices=("kokoro", "espeak"), default="kokoro", help="kokoro falls back")
    parser.add_argument("--voice-dir", type=Path, default=default_dir(), help="the Kokoro files")
    parser.add_argument("--voice", choices=VOICE_NAMES, default=VoiceChoice().name)
    parser.add_argument("--speed", type=float, default=1.0)
    args = parser.parse_args(argv)
    logging_setup()
    synthesizer = build_synthesizer(args.engine, args.voice_dir)
    voice = VoiceChoice(name=args.voice, speed=args.speed, rate=RATE)
    for path in synthesize_all(args.out, synthesizer=synthesizer, voice=voice):
        print(path, file=sys.stderr)
    print(f"prompts: {synthesizer.engine}, voice {voice.name}", file=sys.stderr)
    return 0


def logging_setup() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


if __name__ == "__main__":
    raise SystemExit(main())
