"""Synthesizing the hotline's voice prompts with espeak-ng into 8 kHz mono 16-bit WAV files.

Run as ``python -m callcenter.adapters.asterisk.prompts --out DIR`` (scripts/setup.sh does). Idempotent: a
``<id>.json`` sidecar holds the fingerprint of text, pinyin and voice settings, and a prompt whose fingerprint
is unchanged is not synthesized again. espeak-ng is robotic; a real deployment records a human voice with the
same file names (the dialplan plays ``sounds/<id>``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile
import soxr

from callcenter.ivr.prompts import PROMPTS, Prompt

VOICE = "cmn-latn-pinyin"  # reads pinyin with Mandarin tones (the `cmn` voice reads it as English)
WORDS_PER_MINUTE = 240  # faster than espeak's 175: greeting + notice in about 7 s
RATE = 8000  # telephone audio; Asterisk plays .wav files as 8 kHz signed linear
PEAK = 0.7  # about -3 dBFS: loud enough on a phone, no clipping after G.711
SILENCE_THRESHOLD = 0.01  # leading/trailing samples below this are trimmed
SYNTH_VERSION = 1  # bump when the processing below changes

Samples = npt.NDArray[np.float32]


def fingerprint(prompt: Prompt) -> str:
    """Everything that changes the audio: text, pinyin, pause and synthesis settings."""
    recipe = {
        "text": prompt.text,
        "pinyin": prompt.pinyin,
        "trailing_silence_ms": prompt.trailing_silence_ms,
        "voice": VOICE,
        "wpm": WORDS_PER_MINUTE,
        "rate": RATE,
        "peak": PEAK,
        "version": SYNTH_VERSION,
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def is_current(prompt: Prompt, out_dir: Path) -> bool:
    """The WAV exists and its sidecar names the prompt's current fingerprint."""
    sidecar = out_dir / f"{prompt.id}.json"
    if not (out_dir / f"{prompt.id}.wav").is_file() or not sidecar.is_file():
        return False
    try:
        return bool(json.loads(sidecar.read_text(encoding="utf-8")).get("fingerprint") == fingerprint(prompt))
    except (OSError, ValueError):
        return False


def synthesize(prompt: Prompt, out_dir: Path, espeak: str = "espeak-ng") -> Path:
    """Write ``<id>.wav`` (8 kHz mono 16-bit) and its sidecar; skipped when already current."""
    target = out_dir / f"{prompt.id}.wav"
    if is_current(prompt, out_dir):
        return target
    out_dir.mkdir(parents=True, exist_ok=True)
    samples = _shape(*_speak(prompt.pinyin, espeak), prompt.trailing_silence_ms)
    _write_atomically(target, samples)
    sidecar = {
        "fingerprint": fingerprint(prompt),
        "text": prompt.text,
        "pinyin": prompt.pinyin,
        "seconds": round(len(samples) / RATE, 3),
    }
    (out_dir / f"{prompt.id}.json").write_text(
        json.dumps(sidecar, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return target


def synthesize_all(out_dir: Path, prompts: Sequence[Prompt] = PROMPTS) -> list[Path]:
    return [synthesize(prompt, out_dir) for prompt in prompts]


def _speak(pinyin: str, espeak: str) -> tuple[Samples, int]:
    """Run espeak-ng into a temporary WAV and read it back as float samples."""
    if shutil.which(espeak) is None:
        raise FileNotFoundError(f"{espeak} not found: install it with `bash scripts/setup.sh`")
    with tempfile.TemporaryDirectory(prefix="prompt-") as tmp:
        raw = Path(tmp) / "espeak.wav"
        subprocess.run(
            [espeak, "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-w", str(raw), pinyin],
            check=True,
            capture_output=True,
        )
        samples, rate = soundfile.read(raw, dtype="float32", always_2d=False)
    return np.asarray(samples, dtype=np.float32), int(rate)


def _shape(samples: Samples, rate: int, trailing_silence_ms: int) -> Samples:
    """Trim silence, resample to 8 kHz, normalise the peak, append the requested pause."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE_THRESHOLD)
    trimmed = samples[loud[0] : loud[-1] + 1] if loud.size else samples
    resampled = np.asarray(soxr.resample(trimmed, rate, RATE), dtype=np.float32)
    peak = float(np.max(np.abs(resampled))) if resampled.size else 0.0
    scaled = resampled * (PEAK / peak) if peak > 0 else resampled
    pause = np.zeros(RATE * trailing_silence_ms // 1000, dtype=np.float32)
    return np.concatenate([scaled, pause])


def _write_atomically(target: Path, samples: Samples) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    soundfile.write(temporary, samples, RATE, subtype="PCM_16", format="WAV")
    os.replace(temporary, target)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Synthesize the hotline's voice prompts (8 kHz WAV).")
    parser.add_argument("--out", type=Path, required=True, help="directory for <id>.wav and <id>.json")
    args = parser.parse_args(argv)
    for path in synthesize_all(args.out):
        print(path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
