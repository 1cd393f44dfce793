"""The architecture rules, checked (docs/adr/0018-layers.md):

* layers point one way: core ← features ← config ← adapters ← wiring ← commands;
* the pure layers (core and the features) import no adapter and no technology client;
* features point one way among themselves (``FEATURE_USES``): the telephone side (calls, asr, queue) never
  imports the work-order side;
* the import graph of the product has no cycle;
* the scripted phones and drills (``callcenter_sim``, which loads pyVoIP) are reached only by the commands
  that need them, never by the app, the workers or the wiring;
* one answer to "what does a process run with": the database engine and the Redis client are made only in
  ``wiring/stores.py``; the bridge's handlers are put in order only by the call-flow table
  (``wiring/pipeline.py``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "callcenter"

# Top-level folder (or module) of callcenter → its layer: a module imports only from its layer or lower.
LAYERS = {
    "core": 0,
    "calls": 1,
    "ivr": 1,
    "queue": 1,
    "asr": 1,
    "ticketing": 1,
    "staff": 1,
    "config": 2,
    "adapters": 3,
    "wiring": 4,
    "commands": 5,
    "__main__": 5,
    "__init__": 0,
}
FEATURES = ("calls", "ivr", "queue", "asr", "ticketing", "staff")
FEATURE_USES = {  # which other features a feature may import (the rest: never)
    "calls": set(),
    "asr": set(),
    "queue": {"calls", "asr"},
    "ticketing": {"calls", "asr"},
    "ivr": {"ticketing"},
    "staff": {"ticketing"},
}
PURE = ("core", *FEATURES)
TECHNOLOGY = (
    "aiohttp",
    "panoramisk",
    "pyVoIP",
    "redis",
    "sqlalchemy",
    "alembic",
    "asyncpg",
    "aiosqlite",
    "vosk",
    "faster_whisper",
    "ctranslate2",
    "soundfile",
    "soxr",
    "opencc",
)
SIM_USERS = {"commands/demo.py", "commands/simulate.py", "commands/drill.py"}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules() -> Iterator[tuple[Path, str]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, str(path.relative_to(PACKAGE))


def top(name: str) -> str:
    """``callcenter.queue.seats.agents`` → ``queue``; a file path relative to the package likewise."""
    parts = name.removeprefix("callcenter.").replace("/", ".").removesuffix(".py").split(".")
    return parts[0]


def is_under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_every_top_level_part_has_a_layer() -> None:
    parts = {top(rel) for _, rel in modules()}
    assert parts <= set(LAYERS), sorted(parts - set(LAYERS))


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_no_adapter_or_technology(package: str) -> None:
    offending = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in (PACKAGE / package).rglob("*.py")
        for name in imports_of(path)
        if any(is_under(name, t) for t in TECHNOLOGY) or is_under(name, "callcenter_sim")
    }
    assert not offending, sorted(offending)


def test_no_module_imports_a_higher_layer() -> None:
    offending = sorted(
        f"{rel} (layer {LAYERS[top(rel)]}) imports {name} (layer {LAYERS[top(name)]})"
        for path, rel in modules()
        for name in imports_of(path)
        if is_under(name, "callcenter") and name != "callcenter" and LAYERS[top(name)] > LAYERS[top(rel)]
    )
    assert not offending, offending


@pytest.mark.parametrize("feature", FEATURES)
def test_features_point_one_way(feature: str) -> None:
    allowed = FEATURE_USES[feature] | {feature, "core"}
    offending = sorted(
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in (PACKAGE / feature).rglob("*.py")
        for name in imports_of(path)
        if is_under(name, "callcenter") and top(name) not in allowed
    )
    assert not offending, offending


def test_the_import_graph_has_no_cycle() -> None:
    graph = {rel: _imported_files(path) for path, rel in modules()}
    cycles = _cycles(graph)
    assert not cycles, cycles


def test_only_the_drill_and_demo_commands_reach_the_scripted_phones() -> None:
    offending = sorted(
        f"{rel}: {name}"
        for path, rel in modules()
        for name in imports_of(path)
        if is_under(name, "callcenter_sim") and rel not in SIM_USERS
    )
    assert not offending, offending


# A call of this name is made only in these files: the one place it is wired.
BUILT_ONLY_IN = {
    "create_engine": {"wiring/stores.py"},
    "from_url": {"wiring/stores.py"},  # Redis.from_url
    "FloorPipeline": {"wiring/pipeline.py"},
}


@pytest.mark.parametrize("callee", sorted(BUILT_ONLY_IN))
def test_engines_clients_and_the_floor_pipeline_are_built_in_one_place(callee: str) -> None:
    offending = sorted(rel for path, rel in modules() if callee in _called_names(path))
    assert set(offending) <= BUILT_ONLY_IN[callee], offending


def _called_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def test_the_app_and_the_workers_load_without_pyvoip() -> None:
    """What ``serve`` and the workers import never loads pyVoIP (its audioop import is the one that breaks on
    newer Pythons without the backport)."""
    code = (
        "import sys, callcenter.commands.cli, callcenter.wiring.app, callcenter.commands.asr_worker, "
        "callcenter.commands.live_worker; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pyVoIP', 'callcenter_sim')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def _imported_files(path: Path) -> set[str]:
    """The package files a module imports: ``from pkg import mod`` names ``pkg/mod.py`` when that is a
    module, else ``pkg/__init__.py``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [n if _module_file(n) else node.module for n in names]
        found.update(f for f in map(_module_file, names) if f is not None)
    return found


def _module_file(name: str) -> str | None:
    """The package file a dotted import names (a module, or a package's ``__init__``), if it is ours."""
    if not is_under(name, "callcenter"):
        return None
    rel = Path(*name.split(".")[1:])
    for candidate in (rel.with_suffix(".py"), rel / "__init__.py"):
        if (PACKAGE / candidate).is_file():
            return str(candidate)
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found
