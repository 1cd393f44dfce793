"""Fetching a model archive on explicit request: download with a short timeout, verify, unpack safely.

Rules: the archive must have exactly the pinned size, sha256 (and md5 where the publisher lists one) before a
single file is unpacked; every member must stay inside the archive's top directory; the model appears under
``dest`` only when complete (unpacked beside it, then renamed). Never called at run time by the service.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ModelArchive:
    """A published model archive: ``name`` is also the single top-level directory inside the zip."""

    name: str
    url: str
    size: int
    sha256: str
    md5: str | None = None


# Alpha Cephei's own model list (model-list.json) publishes size 43898754 and md5 d1a8e829…; the sha256 is
# the Git LFS object id of the byte-identical mirror in Rhasspy's vosk-models repository (zh/ folder).
VOSK_SMALL_CN = ModelArchive(
    name="vosk-model-small-cn-0.22",
    url="https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip",
    size=43_898_754,
    sha256="3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba",
    md5="d1a8e82933dcc7632667c036b0bb3dbb",
)


class FetchError(Exception):
    """Provisioning failed; ``reason`` is one of offline, http_error, size_mismatch, checksum_mismatch,
    bad_archive, unsafe_archive."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _copy_limited(source: BinaryIO, target: BinaryIO, limit: int) -> None:
    """Copy at most ``limit`` + 1 bytes, so an oversized download stops early and fails the size check."""
    copied = 0
    while copied <= limit and (chunk := source.read(min(_CHUNK, limit + 1 - copied))):
        target.write(chunk)
        copied += len(chunk)


def download(archive: ModelArchive, target: Path, *, timeout: float) -> None:
    """Stream ``archive.url`` into ``target``; FetchError(offline/http_error) with a clear message."""
    try:
        with urllib.request.urlopen(archive.url, timeout=timeout) as response, target.open("wb") as out:
            _copy_limited(response, out, archive.size)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{archive.url} answered HTTP {exc.code}", "http_error") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(
            f"cannot download {archive.url} within {timeout:g} s ({exc}); this machine looks offline. "
            f"Copy {archive.name}.zip here by other means and pass --archive FILE",
            "offline",
        ) from exc


def verify(archive: ModelArchive, file: Path) -> None:
    """The file must have the pinned size, sha256 and (if pinned) md5; FetchError otherwise."""
    size = file.stat().st_size
    if size != archive.size:
        raise FetchError(f"{file} has {size} bytes, expected {archive.size}", "size_mismatch")
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with file.open("rb") as data:
        while chunk := data.read(_CHUNK):
            sha256.update(chunk)
            md5.update(chunk)
    if sha256.hexdigest() != archive.sha256 or (archive.md5 and md5.hexdigest() != archive.md5):
        raise FetchError(f"{file} does not match the pinned checksum of {archive.name}", "checksum_mismatch")


def _safe_members(bundle: zipfile.ZipFile, top: str) -> list[zipfile.ZipInfo]:
    """Every member must sit under ``top/`` with no absolute path or '..' component (zip-slip guard)."""
    members = bundle.infolist()
    for member in members:
        parts = PurePosixPath(member.filename).parts
        if not parts or parts[0] != top or ".." in parts or member.filename.startswith("/"):
            raise FetchError(f"archive member {member.filename!r} is outside {top}/", "unsafe_archive")
    return members


def unpack(archive: ModelArchive, file: Path, dest: Path) -> Path:
    """Unpack a verified zip into ``dest/archive.name`` atomically (temp dir in ``dest``, then rename)."""
    target = dest / archive.name
    with tempfile.TemporaryDirectory(dir=dest, prefix=f".{archive.name}.") as scratch:
        try:
            with zipfile.ZipFile(file) as bundle:
                bundle.extractall(scratch, members=_safe_members(bundle, archive.name))
        except zipfile.BadZipFile as exc:
            raise FetchError(f"{file} is not a valid zip archive: {exc}", "bad_archive") from exc
        if target.exists():
            shutil.rmtree(target)
        (Path(scratch) / archive.name).rename(target)
    return target


def fetch_model(
    archive: ModelArchive, dest: Path, *, timeout: float = 20.0, archive_file: Path | None = None
) -> Path:
    """Download (or take ``archive_file``), verify, then unpack into ``dest``; return the model directory.

    Idempotent: a complete model already at ``dest/archive.name`` (it has ``am/final.mdl``) is returned as is.
    """
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / archive.name
    if (target / "am" / "final.mdl").is_file():
        return target
    if archive_file is not None:
        verify(archive, archive_file)
        return unpack(archive, archive_file, dest)
    partial = dest / f".{archive.name}.zip.part"
    try:
        download(archive, partial, timeout=timeout)
        verify(archive, partial)
        return unpack(archive, partial, dest)
    finally:
        partial.unlink(missing_ok=True)
