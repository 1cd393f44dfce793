"""Record the shared Mandarin set through a real call, as the hotline records it, then score it.

For every clip of ../shared/speech/zh/8k, a sipp citizen calls 12345 on a throw-away Asterisk 22
instance (loopback, free ports), a pyVoIP agent answers, the citizen plays the clip, and the caller side
that MixMonitor wrote is copied to ``OUT/<clip>_call.wav``. Then ``asr_baseline.py --recordings OUT``
prints CER and RTF for those recordings next to the other sets.

Run from the repository root: python bench/record_through_asterisk.py [--out DIR] [--keep]
The path is: sipp (G.711 μ-law) → Asterisk → MixMonitor (8 kHz slin WAV). The clips were already
through one μ-law round trip, so these recordings carry two — closer to a real phone line than one.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from callcenter.adapters.asterisk import AsteriskInstance, locate_runtime
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from tests.support.asterisk import AmiSession, throwaway_settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "speech" / "zh"


def record_clip(asterisk: AsteriskInstance, ami: AmiSession, clip: Path, out: Path, number: str) -> Path:
    seconds = float(soundfile.info(clip).duration)
    agent = AgentPhone(
        "agent1001",
        asterisk.seat_secret("agent1001"),
        asterisk.settings.sip_port,
        hang_up_after_s=seconds + 4.0,
    )
    agent.start()
    try:
        ami.action("QueueAdd", Queue="hotline", Interface="PJSIP/agent1001", MemberName="agent1001")
        script = CallerScript(
            caller_number=number, audio=clip, speak_after_s=asterisk.greeting_seconds() + 2.5, tail_s=30.0
        )
        result = SippCaller(script, asterisk.settings.sip_port).run(timeout=120)
        if not result.answered:
            raise RuntimeError(f"call for {clip.name} was not answered:\n{result.log}")
        done = ami.wait_event("UserEvent", 15, userevent="HotlineRecordingComplete", calleridnum=number)
    finally:
        ami.action("QueueRemove", Queue="hotline", Interface="PJSIP/agent1001")
        agent.stop()
    target = out / f"{clip.stem.removesuffix('_8k')}_call.wav"
    shutil.copyfile(asterisk.host_path(done["callerfile"]), target)
    return target


def record_all(out: Path) -> None:
    asterisk = AsteriskInstance(throwaway_settings(), locate_runtime())
    asterisk.start(timeout=60.0, die_with_parent=True)
    try:
        settings = asterisk.settings
        with AmiSession(settings.ami_port, settings.ami_user, settings.ami_secret) as ami:
            clips = sorted((CORPUS / "8k").glob("*_8k.wav"))
            started = time.monotonic()
            for i, clip in enumerate(clips):
                path = record_clip(asterisk, ami, clip, out, f"1380000{i:04d}")
                print(f"recorded {path.name} ({soundfile.info(path).duration:.1f} s)", flush=True)
            print(f"{len(clips)} calls recorded in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        asterisk.stop()
        shutil.rmtree(asterisk.instance_dir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="where to keep the recordings")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="cc-recorded-"))
    out.mkdir(parents=True, exist_ok=True)
    record_all(out)
    from bench import asr_baseline

    return asr_baseline.main(["--recordings", str(out), "--threads", str(args.threads)])


if __name__ == "__main__":
    raise SystemExit(main())
