"""Where Asterisk 22 lives on this machine, and how to run it there.

Rule (scripts/setup.sh, asterisk_runtime): a host ``asterisk`` binary wins; otherwise the Debian sid root
recorded in ``$CALLCENTER_CACHE/asterisk.mode`` as ``chroot:/path``. A chroot needs /proc and /dev mounted
and, because this sandbox's root lacks CAP_DAC_OVERRIDE, readable/writable directories of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from callcenter.adapters.asterisk.errors import HOW_TO_GET_ASTERISK, AsteriskNotInstalled

RuntimeKind = Literal["host", "chroot"]
ASTERISK_IN_CHROOT = PurePosixPath("/usr/sbin/asterisk")
CHROOT_BASE_DIR = PurePosixPath("/var/lib/callcenter12345/instances")
_MODULE_DIRS = (
    "usr/lib/x86_64-linux-gnu/asterisk/modules",
    "usr/lib/aarch64-linux-gnu/asterisk/modules",
    "usr/lib/asterisk/modules",
    "usr/lib64/asterisk/modules",
)


def cache_dir() -> Path:
    """``$CALLCENTER_CACHE``, default ``~/.cache/callcenter12345`` (the same rule as scripts/setup.sh)."""
    return Path(os.environ.get("CALLCENTER_CACHE") or Path.home() / ".cache" / "callcenter12345")


@dataclass(frozen=True, slots=True)
class AsteriskRuntime:
    """An Asterisk installation: the host's own (root ``/``) or a chroot at ``root``."""

    kind: RuntimeKind
    root: Path
    binary: PurePosixPath

    def argv(self, *args: str) -> list[str]:
        """The command line that runs ``asterisk *args`` in this runtime."""
        if self.kind == "chroot":
            return ["chroot", str(self.root), str(self.binary), *args]
        return [str(self.binary), *args]

    def host_path(self, path: PurePosixPath | str) -> Path:
        """The host's name for a path as Asterisk sees it (e.g. a recording named in an AMI event)."""
        inside = PurePosixPath(path)
        if not inside.is_absolute():
            raise ValueError(f"not an absolute path: {path}")
        return self.root.joinpath(*inside.parts[1:]) if self.kind == "chroot" else Path(inside)

    def asterisk_path(self, path: Path) -> PurePosixPath:
        """Asterisk's name for a host path; the path must lie inside the runtime's root."""
        if self.kind == "host":
            return PurePosixPath(path)
        relative = path.resolve().relative_to(self.root.resolve())
        return PurePosixPath("/") / PurePosixPath(relative)

    @property
    def module_dir(self) -> PurePosixPath:
        """Asterisk's module directory in this runtime (Debian's multiarch path, else the upstream one)."""
        for candidate in _MODULE_DIRS:
            if self.host_path("/" + candidate).is_dir():
                return PurePosixPath("/" + candidate)
        return PurePosixPath("/usr/lib/asterisk/modules")

    @property
    def data_dir(self) -> PurePosixPath:
        for candidate in ("/usr/share/asterisk", "/var/lib/asterisk"):
            if self.host_path(candidate).is_dir():
                return PurePosixPath(candidate)
        return PurePosixPath("/usr/share/asterisk")

    @property
    def default_base_dir(self) -> PurePosixPath:
        """Where instances live unless settings say otherwise (inside the root for a chroot). Root starts a
        host Asterisk as the ``asterisk`` user, who cannot reach into root's home: /var/lib then."""
        if self.kind == "chroot" or os.geteuid() == 0:
            return CHROOT_BASE_DIR
        return PurePosixPath(cache_dir() / "instances")


def locate_runtime(cache: Path | None = None) -> AsteriskRuntime:
    """The host binary if there is one, else the provisioned chroot; raises AsteriskNotInstalled."""
    host = shutil.which("asterisk") or (
        "/usr/sbin/asterisk" if os.access("/usr/sbin/asterisk", os.X_OK) else None
    )
    if host:
        return AsteriskRuntime("host", Path("/"), PurePosixPath(host))
    return _chroot_runtime(cache or cache_dir())


def _chroot_runtime(cache: Path) -> AsteriskRuntime:
    mode_file = cache / "asterisk.mode"
    mode = mode_file.read_text().strip() if mode_file.is_file() else ""
    if not mode.startswith("chroot:"):
        raise AsteriskNotInstalled(f"no Asterisk runtime recorded in {mode_file}. {HOW_TO_GET_ASTERISK}")
    root = Path(mode.removeprefix("chroot:"))
    if not (root / ".complete").is_file() or not (root / "usr/sbin/asterisk").is_file():
        raise AsteriskNotInstalled(
            f"the Asterisk chroot {root} is missing or incomplete. {HOW_TO_GET_ASTERISK}"
        )
    return AsteriskRuntime("chroot", root, ASTERISK_IN_CHROOT)


def prepare_runtime(runtime: AsteriskRuntime) -> None:
    """Make a chroot runnable; idempotent and a no-op for a host runtime."""
    if runtime.kind != "chroot":
        return
    _mount_once(runtime.root / "proc", ["-t", "proc", "proc"])
    _mount_once(runtime.root / "dev", ["--bind", "/dev"])
    _make_readable(runtime.root / "etc" / "asterisk")
    (runtime.root / "run" / "asterisk").mkdir(parents=True, exist_ok=True)
    (runtime.root / "run" / "asterisk").chmod(0o1777)


def _mount_once(target: Path, how: list[str]) -> None:
    """Mount unless /proc/mounts already lists ``target`` (several instances share one chroot)."""
    if str(target) in _mount_points():
        return
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *how, str(target)], capture_output=True, text=True, check=False)
    if done.returncode != 0 and str(target) not in _mount_points():
        raise AsteriskNotInstalled(f"cannot mount {target}: {done.stderr.strip()} (needs root)")


def _mount_points() -> set[str]:
    with open("/proc/mounts", encoding="utf-8") as mounts:
        return {line.split()[1] for line in mounts if len(line.split()) > 1}


def _make_readable(directory: Path) -> None:
    """``chmod -R a+rX``: the package's files belong to a user that root here cannot read through.

    Each directory is opened up before it is listed (listing a closed one would fail)."""
    if not directory.is_dir():
        return
    _add_mode(directory, 0o555)
    for child in directory.iterdir():
        if child.is_dir() and not child.is_symlink():
            _make_readable(child)
        elif not child.is_symlink():
            _add_mode(child, 0o444)


def _add_mode(path: Path, bits: int) -> None:
    mode = path.stat().st_mode
    if mode | bits != mode:
        path.chmod(mode | bits)
