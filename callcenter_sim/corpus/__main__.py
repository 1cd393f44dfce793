"""python -m callcenter_sim.corpus generate --out DIR [--seed N] [--count N]

Writes DIR/requests.jsonl (the requests with their labels) and DIR/manifest.json; the same seed and count
give the same bytes. Audio: ``render`` in ``callcenter_sim/corpus/render.py`` with an engine of the voice
port (docs/corpus.md).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from callcenter_sim.corpus.generate import DEFAULT_COUNT, DEFAULT_SEED, generate, write_corpus
from callcenter_sim.corpus.phrasing import load_phrasings, sample_city


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m callcenter_sim.corpus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write the requests and their labels")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--seed", type=int, default=DEFAULT_SEED)
    gen.add_argument("--count", type=int, default=DEFAULT_COUNT)
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    phrasings = load_phrasings()
    requests = generate(phrasings, sample_city(), args.seed, args.count)
    manifest = write_corpus(args.out, requests, args.seed, phrasings.fingerprint)
    print(f"{len(requests)} requests → {manifest.parent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
