"""Logins under load (issue 11, item 7 c): 50 parallel logins with unknown names at the real web app,
with the production Argon2 parameters (argon2-cffi defaults: 64 MiB, t=3, p=4). Prints figures; asserts
nothing.

The app is composed as bootstrap composes its web part (``build_work_orders`` + ``create_app`` with the
login policy and hash slots), on a fresh SQLite file, served on loopback; a client in the same process
fires the logins. Each scenario runs in a process of its own, so that its peak RSS is its own:

  unguarded     no address limit, Argon2 bounded only by the thread pool (the code before issue 11)
  one-address   the defaults: 50 logins from one address — 5 reach Argon2, 45 get 429 at once
  50-addresses  the defaults, each login from its own loopback address (127.0.1.N): every login is
                hashed, at most ``login_hash_slots`` at once (two per core)

Figures: answered logins per second (all answers, 401 and 429 alike), how many reached Argon2 (401),
the peak of hashes handed to threads at once (unguarded: the thread pool, min(32, cores + 4), is what
really bounds them), and the process's peak RSS above its RSS before the burst (sampled every 5 ms
from /proc/self/status).

Run from the repository root: ./hotline python bench/login_load.py [--logins 50] [--slots N]
The machine may be shared: say so next to the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

import aiohttp
from aiohttp import web

from callcenter.adapters.db.engine import create_engine, upgrade
from callcenter.adapters.db.repositories import SqlReadModel
from callcenter.adapters.http.app import WebDeps, create_app
from callcenter.core.clock import SystemClock
from callcenter.staff.throttle import LoginPolicy
from callcenter.ticketing.orders.ports import InboxNotice
from callcenter.wiring.workorders import build_work_orders

SCENARIOS = ("unguarded", "one-address", "50-addresses")
THREAD_POOL = min(32, (os.cpu_count() or 1) + 4)  # asyncio.to_thread's default executor: the old bound
UNGUARDED = LoginPolicy(attempts_per_minute=600, burst=100_000, max_failures=100_000)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples this process's RSS every 5 ms in a thread (the hashes run in threads too)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mib())
            self._stop.wait(0.005)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


class NoInbox:
    async def publish(self, notice: InboxNotice) -> None:
        return None


async def healthy() -> dict[str, Any]:
    return {"ok": True}


async def serve(folder: Path, scenario: str, slots: int) -> tuple[web.AppRunner, str, Any]:
    url = f"sqlite+aiosqlite:///{folder / 'callcenter.db'}"
    await upgrade(url)
    engine = create_engine(url)
    hash_slots = 64 if scenario == "unguarded" else slots
    parts = build_work_orders(engine, NoInbox(), SystemClock(), folder / "attachments", hash_slots=hash_slots)
    deps = WebDeps(
        read_model=SqlReadModel(engine),
        host_path=lambda p: p,
        health=healthy,
        staff=parts.staff,
        clock=SystemClock(),
        work_orders=parts.orders,
        order_queries=parts.queries,
        audit_trail=parts.store,
        login_policy=UNGUARDED if scenario == "unguarded" else LoginPolicy(),
    )
    runner = web.AppRunner(create_app(deps))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}", parts.staff


async def one_login(base: str, n: int, source: str) -> int:
    connector = aiohttp.TCPConnector(local_addr=(source, 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        body = {"login": f"nobody-{n}", "password": "wrong-password!"}
        async with session.post(f"{base}/api/login", json=body) as response:
            await response.read()
            return response.status


async def run(scenario: str, logins: int, slots: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cc-login-bench-") as folder:
        runner, base, staff = await serve(Path(folder), scenario, slots)
        await one_login(base, -1, "127.0.0.9")  # warm-up: the unknown-login dummy hash is made once
        before = rss_mib()
        sources = [f"127.0.1.{n + 1}" if scenario == "50-addresses" else "127.0.0.1" for n in range(logins)]
        with PeakRss() as peak:
            started = time.perf_counter()
            statuses = await asyncio.gather(*(one_login(base, n, s) for n, s in enumerate(sources)))
            seconds = time.perf_counter() - started
        await runner.cleanup()
    counted = Counter(statuses)
    return {
        "scenario": scenario,
        "logins": logins,
        "seconds": round(seconds, 2),
        "logins_per_s": round(logins / seconds, 1),
        "hashed_401": counted.get(401, 0),
        "refused_429": counted.get(429, 0),
        "in_flight_peak": staff.hashing.peak,
        "hash_slots": staff.hashing.size if scenario != "unguarded" else f"none(pool {THREAD_POOL})",
        "rss_before_mib": round(before),
        "rss_peak_above_mib": round(peak.peak - before),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--logins", type=int, default=50)
    parser.add_argument("--slots", type=int, default=2 * (os.cpu_count() or 1), help="login_hash_slots")
    parser.add_argument(
        "--scenario", choices=SCENARIOS, help="run one scenario here (else each in a process)"
    )
    args = parser.parse_args()
    if args.scenario:
        print(json.dumps(asyncio.run(run(args.scenario, args.logins, args.slots))))
        return
    print(f"{args.logins} parallel unknown logins; {os.cpu_count()} cores; default Argon2 (64 MiB, t=3, p=4)")
    for scenario in SCENARIOS:
        command = [sys.executable, __file__, "--scenario", scenario, "--logins", str(args.logins)]
        out = subprocess.run(
            [*command, "--slots", str(args.slots)], capture_output=True, text=True, check=True
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        print("  ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
