"""Arguments and entry of ``python -m callcenter simulate`` (kept light: the drill is imported on use).

python -m callcenter simulate --calls 200 --rate 0.5 --agents 4 --handle-time 60 --patience 45
python -m callcenter simulate --calls 100 --concurrent 100 --agents 30 --handle-time 30 --own-asterisk
"""

from __future__ import annotations

import argparse
from pathlib import Path

from callcenter.config.settings import Settings


def add_arguments(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--calls", type=int, required=True, help="calls to place in the drill")
    how = sp.add_mutually_exclusive_group(required=True)
    how.add_argument("--rate", type=float, help="Poisson arrivals, calls per second")
    how.add_argument("--concurrent", type=int, help="keep this many calls in the system at once")
    sp.add_argument("--agents", type=int, required=True, help="seats answering (auto-answer)")
    sp.add_argument("--handle-time", type=float, required=True, help="talk time per call, seconds")
    sp.add_argument(
        "--handle-spread", choices=("fixed", "exponential"), default="fixed", help="handle-time law"
    )
    sp.add_argument("--patience", type=float, default=None, help="mean wait in queue before abandoning")
    sp.add_argument("--seed", type=int, default=12345, help="seed of the plan (same seed, same drill)")
    sp.add_argument("--own-asterisk", action="store_true", help="a throw-away Asterisk on free ports")
    sp.add_argument("--speech", type=Path, default=None, help="WAV the citizens speak (Mandarin)")
    sp.add_argument("--workdir", type=Path, default=None, help="keep sipp files and logs here")


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    from callcenter.commands.simulate import SimulateOptions, simulate
    from callcenter_sim.plan import DrillSpec, HandleSpread, plan_drill

    spec = DrillSpec(
        calls=args.calls,
        agents=args.agents,
        handle_time_s=args.handle_time,
        rate_per_s=args.rate,
        concurrent=args.concurrent,
        handle_spread=HandleSpread(args.handle_spread),
        patience_s=args.patience,
        seed=args.seed,
    )
    options = SimulateOptions(own_asterisk=args.own_asterisk, speech=args.speech, workdir=args.workdir)
    run = simulate(settings, plan_drill(spec), options)
    print(f"drill report (sipp files in {run.workdir})")
    for line in run.report.lines():
        print("  " + line)
    return 0 if not run.report.dropped else 1
