"""The floor under load (issue 5): bounded runs on loopback, figures printed.

(a) 100 concurrent calls through greeting → queue on a throw-away Asterisk 22 (sipp citizens speaking a
    Mandarin pcap, one sipp process of auto-answering seats): dropped calls (target 0) and the peak of
    channels Asterisk itself counted (``core show channels count``, sampled every second).
(b) AMI events/s the whole bridge path absorbs — the app built by ``bootstrap.build_app`` (real floor
    handlers: live seats, service-level ledger, wallboard publisher on the real Redis) with its bridge
    logged in to a loopback AMI server that replays recorded queue calls (tests/fixtures/ami) at full
    speed — printed next to panoramisk's raw parse rate of the same bytes in the same run.
(c) AMI event → wallboard latency during (a): an SSE client on /api/wallboard/stream; latency = arrival
    − ``source_event_at`` (both this machine's clock).
(d) after (a): the live figures (GET /api/service-level, rolling 24 h) against the queue_log recount.

Run from the repository root: python bench/floor_load.py [--calls 100 --agents 50 --handle-time 20]
The machine is shared (2 cores): other processes may run tests meanwhile; say so next to the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, ClientTimeout, CookieJar, web

from callcenter.adapters.ami.floor_translate import translate_floor
from callcenter.adapters.ami.translate import normalise
from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.commands.simulate import default_speech, instance_target, own_asterisk
from callcenter.config.loading import load
from callcenter.config.settings import Settings
from callcenter.wiring.app import HOTLINE, build_app
from callcenter_sim.drill import run_drill
from callcenter_sim.phones.ports import free_port_block
from callcenter_sim.plan import DrillSpec, plan_drill
from callcenter_sim.report import percentile

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "ami"
REDIS_URL = "redis://127.0.0.1:6379/0"
ADMIN_PASSWORD = "bench-hotline-secret-42"
SKIPPED_EVENTS = {"FullyBooted", "PeerStatus", "ContactStatus", "QueueMemberAdded"}
ID_HEADERS = re.compile(r"^(Uniqueid|Linkedid|DestUniqueid|DestLinkedid): (\S+)", re.MULTILINE)


# --- app settings --------------------------------------------------------------------------------------


def app_settings(data_dir: Path, ami_port: int, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": str(data_dir),
        "redis_url": REDIS_URL,
        "jobs_stream": f"cc:bench:jobs:{uuid.uuid4().hex[:8]}",
        "wallboard_prefix": f"cc:bench:wallboard:{uuid.uuid4().hex[:8]}",
        "ami_port": ami_port,
        "ami_secret": extra.pop("ami_secret", "bench-secret-0000"),
        "asr_workers": 0,
        "asr_engine": "whisper",
        "admin_password": ADMIN_PASSWORD,
        "http_port": free_port_block(1),
        "agi_port": extra.pop("agi_port", free_port_block(1)),
        "live_asr": 0,  # no live taps: replayed AgentConnects would register and originate them (issue 6)
    }
    values.update(extra)
    values.update(json.loads(os.environ.get("FLOOR_BENCH_SETTINGS", "{}")))  # experiments only
    return load(None, {}, **values)


async def start_app(settings: Settings, host_path: Any = str) -> tuple[web.AppRunner, web.Application]:
    app = build_app(settings, host_path, asr_workers=0)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.http_port).start()
    return runner, app


async def logged_in(settings: Settings) -> ClientSession:
    session = ClientSession(
        base_url=f"http://127.0.0.1:{settings.http_port}",
        timeout=ClientTimeout(total=None),
        cookie_jar=CookieJar(unsafe=True),  # the session cookie of a bare IP address
    )
    response = await session.post("/api/login", json={"login": "admin", "password": ADMIN_PASSWORD})
    if response.status != 200:
        raise RuntimeError(f"login failed: {response.status} {await response.text()}")
    return session


# --- (b) AMI replay ------------------------------------------------------------------------------------


def event_blocks(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8")
    blocks = [b for b in text.split("\r\n\r\n") if b.startswith("Event: ")]
    return [b for b in blocks if b.split("\r\n", 1)[0][7:] not in SKIPPED_EVENTS]


def synthetic_stream(copies: int) -> tuple[bytes, int]:
    """``copies`` × (an answered call + an abandoned call), every copy with its own ids and number."""
    template = event_blocks(FIXTURES / "answered_call.ami") + event_blocks(FIXTURES / "abandoned_call.ami")
    now = f"{time.time():.6f}"
    parts: list[str] = []
    for k in range(copies):
        for block in template:
            parts.append(_copy_of(block, k, now) + "\r\n\r\n")
    return "".join(parts).encode("utf-8"), len(parts)


def _copy_of(block: str, k: int, now: str) -> str:
    """The k-th copy of an event: ids suffixed with ``-k``, its own caller number, a current time."""

    def new_id(m: re.Match[str]) -> str:
        return f"{m.group(1)}: {m.group(2)}-{k}"

    def new_number(m: re.Match[str]) -> str:
        return f"137{k:07d}{m.group(1)}"

    block = ID_HEADERS.sub(new_id, block)
    block = re.sub(r"1380013800(\d)", new_number, block)
    return re.sub(r"^Timestamp: [^\r\n]*", f"Timestamp: {now}", block, flags=re.MULTILINE)


def floor_events_in(stream: bytes, server: str) -> int:
    now = datetime.now(UTC)
    total = 0
    for block in stream.split(b"\r\n\r\n"):
        if not block.strip():
            continue
        headers: dict[str, str] = {}
        for line in block.decode("utf-8").split("\r\n"):
            key, _, value = line.partition(": ")
            headers[key] = value
        total += translate_floor(normalise(headers), now, server) is not None
    return total


def raw_parse_rate(stream: bytes) -> tuple[int, float]:
    """panoramisk 1.4's own protocol alone, same bytes, 64 KiB reads; events dispatched to a counter."""
    from panoramisk.ami_protocol import AMIProtocol

    class Counter:
        n = 0

        def dispatch(self, _message: object) -> None:
            self.n += 1

    protocol = AMIProtocol()
    protocol.connection_made(None)
    counter = Counter()
    protocol.factory = counter
    started = time.perf_counter()
    for i in range(0, len(stream), 65536):
        protocol.data_received(stream[i : i + 65536])
    return counter.n, time.perf_counter() - started


class ReplayAmi:
    """A loopback AMI server: accepts the login, answers actions (lists empty), then on ``play()``
    writes the whole stream to the connected bridge as fast as the socket takes it."""

    def __init__(self) -> None:
        self.port = free_port_block(1)
        self.writer: asyncio.StreamWriter | None = None
        self.ready = asyncio.Event()

    async def serve(self) -> asyncio.Server:
        return await asyncio.start_server(self._client, "127.0.0.1", self.port)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        self.writer = writer
        try:
            while True:
                raw = await reader.readuntil(b"\r\n\r\n")
                writer.write(self._answer(raw.decode("utf-8", "replace")))
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    def _answer(self, action: str) -> bytes:
        headers = dict(line.split(": ", 1) for line in action.strip().split("\r\n") if ": " in line)
        name, action_id = headers.get("Action", ""), headers.get("ActionID", "")
        if name.lower() == "login":
            self.ready.set()
        if name in ("QueueStatus", "CoreShowChannels", "QueueSummary", "DeviceStateList", "Status"):
            return (
                f"Response: Success\r\nActionID: {action_id}\r\nEventList: start\r\n"
                f"Message: list follows\r\n\r\nEvent: {name}Complete\r\nActionID: {action_id}\r\n"
                f"EventList: Complete\r\nListItems: 0\r\n\r\n"
            ).encode()
        return f"Response: Success\r\nActionID: {action_id}\r\nMessage: ok\r\nPing: Pong\r\n\r\n".encode()


async def bridge_rate(copies: int, workdir: Path) -> dict[str, Any]:
    stream, events = synthetic_stream(copies)
    raw_events, raw_s = raw_parse_rate(stream)
    replay = ReplayAmi()
    server = await replay.serve()
    settings = app_settings(workdir / "replay", replay.port, asterisk_name="replay")
    expected = floor_events_in(stream, settings.asterisk_name)
    runner, app = await start_app(settings)
    hotline = app[HOTLINE]
    seen = 0
    done = asyncio.Event()

    class Counted:  # the app's own sink, counting each floor event once it has passed the live stage
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        async def live(self, event: object) -> None:
            nonlocal seen
            await self._inner.live(event)
            seen += 1
            if seen >= expected:
                done.set()

        def __getattr__(self, name: str) -> Any:  # the storing stage: the app's sink as it is
            return getattr(self._inner, name)

    hotline.bridge.sink = Counted(hotline.bridge.sink)
    try:
        await asyncio.wait_for(hotline.bridge.synced.wait(), 20)
        seen = 0  # the resync's FloorResynced is not part of the replay
        assert replay.writer is not None
        started = time.perf_counter()
        replay.writer.write(stream)
        await asyncio.wait_for(done.wait(), 300)
        elapsed = time.perf_counter() - started
        await hotline.bridge.drained()
        stored_s = time.perf_counter() - started
    finally:
        await runner.cleanup()
        server.close()
    return {
        "events": events,
        "floor_events": expected,
        "bridge_eps": events / elapsed,
        "bridge_s": elapsed,
        "stored_eps": events / stored_s,
        "stored_s": stored_s,
        "raw_events": raw_events,
        "raw_eps": raw_events / raw_s,
        "skipped": hotline.bridge.skipped_events,
    }


# --- (a) (c) (d) a real Asterisk ----------------------------------------------------------------------


class ChannelPeak:
    """Samples ``core show channels count`` every second in a thread; keeps the peak."""

    def __init__(self, instance: AsteriskInstance) -> None:
        self._instance = instance
        self._stop = threading.Event()
        self.peak_channels = 0
        self.peak_calls = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ChannelPeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            try:
                out = self._instance.cli("core show channels count", timeout=5)
            except Exception:
                continue
            numbers = [int(m) for m in re.findall(r"^(\d+) active", out, re.MULTILINE)]
            if len(numbers) >= 2:
                self.peak_channels = max(self.peak_channels, numbers[0])
                self.peak_calls = max(self.peak_calls, numbers[1])


async def ami_arrivals(settings: Settings, stop: asyncio.Event, seen: dict[datetime, datetime]) -> None:
    """A second, raw AMI login beside the bridge's: when each event (by its Timestamp) came off the wire.
    With it the wallboard latency is measured from the moment Asterisk *sent* the event, apart from
    Asterisk's own lag between dating an event and sending it (which grows when the box is saturated)."""
    reader, writer = await asyncio.open_connection(settings.ami_host, settings.ami_port)
    await reader.readline()  # banner
    login = f"Username: {settings.ami_user}\r\nSecret: {settings.ami_secret}\r\nEvents: on"
    writer.write(f"Action: Login\r\n{login}\r\n\r\n".encode())
    try:
        while not stop.is_set():
            try:
                block = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 1.0)
            except TimeoutError:
                continue
            arrived = datetime.now(UTC)
            match = re.search(rb"^Timestamp: ([0-9.]+)\r$", block, re.MULTILINE)
            if match:
                seen.setdefault(datetime.fromtimestamp(float(match.group(1)), UTC), arrived)
    finally:
        writer.close()


async def wallboard_latencies(settings: Settings, stop: asyncio.Event) -> list[tuple[datetime, datetime]]:
    """(source_event_at, arrival on the SSE stream) of each snapshot that folds in a newer AMI event than
    the one before (the once-a-second tick that keeps waits counting re-publishes the same source time
    and is left out)."""
    latencies: list[tuple[datetime, datetime]] = []
    session = await logged_in(settings)
    try:
        async with session.get("/api/wallboard/stream") as response:
            if response.status != 200:
                raise RuntimeError(f"wallboard stream: {response.status} {await response.text()}")
            first, last_source = True, None
            while not stop.is_set():
                try:
                    line = await asyncio.wait_for(response.content.readline(), 1.0)
                except TimeoutError:
                    continue
                arrived = datetime.now(UTC)
                if not line.startswith(b"data: "):
                    continue
                snapshot = json.loads(line[6:])
                if first:  # the stored snapshot sent at connect is not a fresh publish, nor its ticks
                    first, last_source = False, snapshot.get("source_event_at")
                    continue
                source = snapshot.get("source_event_at")
                if source and source != last_source:  # a tick re-publishes an old source: not counted
                    latencies.append((datetime.fromisoformat(source), arrived))
                last_source = source
    finally:
        await session.close()
    return latencies


async def live_against_recount(settings: Settings, queue_log: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    from callcenter.adapters.asterisk.queue_log_file import read_lines
    from callcenter.queue.service_level.queue_log import recount
    from callcenter.queue.service_level.reconcile import COUNTS, Window, grouped
    from callcenter.wiring.service_level import call_me_back_keys, service_level_policy

    session = await logged_in(settings)
    try:
        live = (await (await session.get("/api/service-level")).json())["rolling_24h"]
    finally:
        await session.close()
    now = datetime.now(UTC)
    result = recount(
        read_lines(queue_log), server=settings.asterisk_name, call_me_back_keys=call_me_back_keys(settings)
    )
    figures = grouped(
        result.entries, service_level_policy(settings), now, Window(now.replace(year=now.year - 1), now)
    )
    counted = figures["all"]
    recounted = {name: getattr(counted, name) for name in COUNTS}
    recounted["rate_in_threshold"] = counted.rate_in_threshold
    return {k: live[k] for k in recounted}, recounted


async def floor_run(calls: int, agents: int, handle_s: float, workdir: Path) -> dict[str, Any]:
    plan = plan_drill(DrillSpec(calls=calls, agents=agents, handle_time_s=handle_s, concurrent=calls))
    with own_asterisk(agents, calls) as instance:
        ast = instance.settings
        settings = app_settings(
            workdir / "app",
            ast.ami_port,
            asterisk_name=ast.name,
            ami_user=ast.ami_user,
            ami_secret=ast.ami_secret,
            sip_port=ast.sip_port,
            rtp_start=ast.rtp_start,
            rtp_end=ast.rtp_end,
            agi_port=ast.agi_port,
            wrapup_time=0,
            sl_queue_log=str(instance.host_path(instance.layout.log_dir / "queue_log")),
        )
        runner, app = await start_app(settings, lambda p: str(instance.host_path(p)))
        try:
            await asyncio.wait_for(app[HOTLINE].bridge.synced.wait(), 20)
            stop = asyncio.Event()
            wire: dict[datetime, datetime] = {}
            ami = asyncio.create_task(ami_arrivals(settings, stop, wire))
            sse = asyncio.create_task(wallboard_latencies(settings, stop))
            await asyncio.sleep(1.0)
            with ChannelPeak(instance) as peak:
                run = await run_drill(instance_target(instance), plan, default_speech(), workdir / "drill")
            await asyncio.sleep(2.0)
            await app[HOTLINE].bridge.drained()
            await asyncio.sleep(1.5)  # the wallboard publisher coalesces; let the last publish out
            stop.set()
            snapshots = await sse
            await ami
            live, recounted = await live_against_recount(settings, Path(settings.sl_queue_log))
        finally:
            await runner.cleanup()
    return {
        "report": run.report,
        "peak_channels": peak.peak_channels,
        "peak_calls": peak.peak_calls,
        "latencies": [(got - source).total_seconds() for source, got in snapshots],
        "wire_latencies": [
            (got - wire[source]).total_seconds() for source, got in snapshots if source in wire
        ],
        "live": live,
        "recount": recounted,
    }


# --- printing ------------------------------------------------------------------------------------------


def print_floor(result: dict[str, Any], calls: int) -> None:
    report = result["report"]
    print(f"(a) {calls} concurrent calls through greeting → queue (throw-away Asterisk, loopback)")
    for line in report.lines():
        print("      " + line)
    print(f"      peak channels seen by Asterisk: {result['peak_channels']} ({result['peak_calls']} calls)")
    verdict = "OK" if not report.dropped and report.reached_greeting == calls else "DROPPED CALLS"
    print(f"      → {verdict}: {len(report.dropped)} dropped of {calls} (target 0)")
    lat = sorted(result["latencies"])
    if lat:
        p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
        print(
            f"(c) AMI event → wallboard (SSE) latency from the event's Asterisk Timestamp, "
            f"{len(lat)} snapshots: p50 {p50:.0f} ms, "
            f"p99 {p99:.0f} ms, max {lat[-1] * 1000:.0f} ms (target p99 ≤ 300 ms)"
        )
    else:
        print("(c) AMI event → wallboard latency: not available: no snapshot arrived on the SSE stream")
    wire = sorted(result["wire_latencies"])
    if wire:
        p50, p99 = percentile(wire, 50) * 1000, percentile(wire, 99) * 1000
        print(
            f"    from the event leaving Asterisk (a raw AMI client's arrival time), {len(wire)} snapshots: "
            f"p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {wire[-1] * 1000:.0f} ms"
        )
    live, recount = result["live"], result["recount"]
    match = "MATCH" if live == recount else "MISMATCH"
    print(f"(d) live service level (GET /api/service-level, rolling 24 h): {live}")
    print(f"    queue_log recount:                                 {recount}")
    print(f"    → {match}")


def print_bridge(result: dict[str, Any]) -> None:
    print(
        f"(b) AMI replay: {result['events']} events ({result['floor_events']} floor events), "
        f"{result['skipped']} skipped as malformed"
    )
    print(
        f"      bridge path (parse, translate, live seats/queues, wallboard fold+publish):  "
        f"{result['bridge_eps']:,.0f} events/s ({result['bridge_s']:.2f} s)"
    )
    print(
        f"      ... and everything stored (call records, SL ledger, missed-call list):       "
        f"{result['stored_eps']:,.0f} events/s ({result['stored_s']:.2f} s)"
    )
    print(
        f"      panoramisk raw parse alone, same bytes:                                   "
        f"{result['raw_eps']:,.0f} events/s (target bridge ≥ 10,000/s)"
    )


async def main_async(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="cc-floor-load-"))
    try:
        if not args.skip_replay:
            print_bridge(await bridge_rate(args.replay_calls, workdir))
        if not args.skip_floor:
            print_floor(await floor_run(args.calls, args.agents, args.handle_time, workdir), args.calls)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"files kept in {workdir}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--handle-time", type=float, default=20.0)
    parser.add_argument("--replay-calls", type=int, default=2000, help="answered+abandoned pairs replayed")
    parser.add_argument("--skip-replay", action="store_true")
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    print(
        f"floor_load {datetime.now(UTC).isoformat(timespec='seconds')} (2-core box, shared with other work)"
    )
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
