"""Empty recordings are deleted by the app, never outside the recordings directory (issue 11).

Real files on this disk; the paths are as Asterisk names them (inside a chroot: ``/var/lib/…``) and reach
the disk through the same kind of path map the app uses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.adapters.recording_files import RecordingFileStore
from callcenter.calls.model import RecordingFiles
from callcenter.core.ids import CallId

ROOT = "/var/lib/callcenter12345/instances/hotline/recordings"  # as Asterisk sees it
CALL = CallId("hotline-1.1")


@pytest.fixture
def disk(tmp_path: Path) -> Path:
    (tmp_path / "chroot" / ROOT.lstrip("/") / "20261124").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    return tmp_path


def store(disk: Path) -> RecordingFileStore:
    return RecordingFileStore([ROOT], lambda p: str(disk / "chroot" / p.lstrip("/")))


def files(base: str) -> RecordingFiles:
    return RecordingFiles(caller=f"{base}-caller.wav", agent=f"{base}-agent.wav", mixed=f"{base}.wav")


def on_disk(disk: Path, path: str) -> Path:
    return disk / "chroot" / path.lstrip("/")


def make(path: Path) -> Path:
    path.write_bytes(b"RIFF" + bytes(40))  # a header-only WAV
    return path


async def test_the_three_files_of_an_empty_recording_are_deleted(disk: Path) -> None:
    empty = files(f"{ROOT}/20261124/hotline-1.1_hotline-1.1")
    paths = [make(on_disk(disk, p)) for p in (empty.caller, empty.agent, empty.mixed)]

    await store(disk).discard(CALL, empty)

    assert not any(p.exists() for p in paths)
    assert (disk / "chroot" / ROOT.lstrip("/") / "20261124").is_dir()  # the day's directory stays


async def test_a_file_outside_the_recordings_directory_is_never_deleted(disk: Path) -> None:
    (disk / "chroot" / "tmp").mkdir()
    victim = make(on_disk(disk, "/tmp/victim.wav"))

    for base in ("/tmp/victim", f"{ROOT}/../../../../../tmp/victim", f"{ROOT}-evil/victim"):
        await store(disk).discard(CALL, files(base))

    assert victim.exists()


async def test_a_symlink_in_the_recordings_directory_is_not_followed(disk: Path) -> None:
    victim = make(disk / "outside" / "victim-caller.wav")
    link = on_disk(disk, f"{ROOT}/20261124/x-caller.wav")
    link.symlink_to(victim)

    await store(disk).discard(CALL, files(f"{ROOT}/20261124/x"))

    assert victim.exists() and link.is_symlink()


async def test_a_day_directory_that_leads_outside_is_refused(disk: Path) -> None:
    victim = make(disk / "outside" / "x-caller.wav")
    on_disk(disk, f"{ROOT}/20261125").symlink_to(disk / "outside", target_is_directory=True)

    await store(disk).discard(CALL, files(f"{ROOT}/20261125/x"))

    assert victim.exists()


async def test_missing_files_are_no_error(disk: Path) -> None:
    await store(disk).discard(CALL, files(f"{ROOT}/20261124/gone"))
