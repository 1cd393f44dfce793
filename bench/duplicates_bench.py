"""并单 benchmark: how well and how fast `find_matter` links new orders to open ones.

Run from the repository root:  python bench/duplicates_bench.py

Quality: the labelled set bench/data/duplicates.json (short Chinese requests, several per matter, with hard
negatives: same compound, same street or same topic, different matter) is replayed in order of arrival;
each order is matched against every earlier one (all open). A link is right when the matched order has the
same label; recall counts the orders that have an earlier order of their matter. For every similarity
measure: ROC AUC over same-area pairs within the window (how well the score alone separates), the best F1
over thresholds, and the figures at the default rules. Speed: time per new order against 1,000 and 10,000
open candidates of one area (the worst case), with the text cache cold and warm. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import (
    DuplicateRules,
    MatterId,
    Measure,
    OpenOrder,
    Shingles,
    find_matter,
    profile,
    text_similarity,
)

DATA = Path(__file__).resolve().parent / "data" / "duplicates.json"
START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Labelled:
    order: OpenOrder
    matter: str


def load() -> list[Labelled]:
    rows: list[dict[str, Any]] = json.loads(DATA.read_text("utf-8"))["orders"]
    return sorted(
        (
            Labelled(
                OpenOrder(
                    ticket_id=TicketId(r["id"]),
                    matter_id=None,
                    text=r["text"],
                    area_code=r["area"],
                    category_code=r["category"],
                    caller_number=r["caller"],
                    received_at=START + timedelta(minutes=r["minute"]),
                ),
                r["matter"],
            )
            for r in rows
        ),
        key=lambda item: (item.order.received_at, item.order.ticket_id),
    )


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def replay(items: Sequence[Labelled], rules: DuplicateRules) -> Score:
    """Arrival order; a matched order joins the candidate's matter, as SqlMatterIndex.link would."""
    seen: list[Labelled] = []
    label_of: dict[TicketId, str] = {}
    matter_of: dict[TicketId, MatterId] = {}
    tp = fp = positives = 0
    for item in items:
        positives += any(s.matter == item.matter for s in seen)
        candidates = [replace(s.order, matter_id=matter_of.get(s.order.ticket_id)) for s in seen]
        match = find_matter(item.order, candidates, rules)
        if match is not None:
            right = label_of[match.ticket_id] == item.matter
            tp, fp = tp + right, fp + (not right)
            group = matter_of.setdefault(match.ticket_id, MatterId(match.ticket_id))
            matter_of[item.order.ticket_id] = group
        label_of[item.order.ticket_id] = item.matter
        seen.append(item)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / positives if positives else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, tp, fp, positives - tp)


def auc(items: Sequence[Labelled], rules: DuplicateRules) -> float:
    """Probability that a same-matter pair scores above a different-matter pair (same area, in window)."""
    same: list[float] = []
    other: list[float] = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if a.order.area_code != b.order.area_code or not a.order.area_code:
                continue
            if abs(a.order.received_at - b.order.received_at) > rules.window:
                continue
            score = text_similarity(a.order.text, b.order.text, rules)
            (same if a.matter == b.matter else other).append(score)
    wins = sum((s > o) + 0.5 * (s == o) for s in same for o in other)
    return wins / (len(same) * len(other))


def quality(items: Sequence[Labelled]) -> None:
    base = DuplicateRules()
    print(f"labelled set: {len(items)} requests, {len({i.matter for i in items})} matters ({DATA.name})")
    print("text alone (same area, within the window, any category):")
    print(f"{'shingles':<8} {'measure':<12} {'AUC':>6}  {'best F1':>7} {'at':>5} {'P':>5} {'R':>5}")
    for kind in Shingles:
        for measure in Measure:
            rules = replace(base, shingles=kind, measure=measure, same_category=False)  # text alone
            best, at = best_f1(items, rules)
            print(
                f"{kind.value:<8} {measure.value:<12} {auc(items, rules):6.3f}  {best.f1:7.3f} {at:5.2f} "
                f"{best.precision:5.2f} {best.recall:5.2f}"
            )
    for kind in (Shingles.MIXED, Shingles.CHARS):
        rules = replace(base, shingles=kind, same_category=True)
        best, at = best_f1(items, rules)
        print(
            f"{kind.value:<8} cosine + same_category: best F1 {best.f1:.3f} at {at:.2f} "
            f"(P {best.precision:.2f} R {best.recall:.2f}; the category does the work here, so the "
            "threshold is chosen on text alone, above)"
        )
    score = replay(items, base)
    print(
        f"default ({base.measure.value} ≥ {base.min_similarity}, near-identical {base.near_identical}, "
        f"window {base.window.total_seconds() / 3600:.0f} h): "
        f"P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f} "
        f"(TP {score.tp}, FP {score.fp}, FN {score.fn})"
    )
    loose = replay(items, replace(base, same_category=not base.same_category))
    print(
        f"default, same_category={not base.same_category}: "
        f"P {loose.precision:.3f} R {loose.recall:.3f} F1 {loose.f1:.3f}"
    )


def best_f1(items: Sequence[Labelled], rules: DuplicateRules) -> tuple[Score, float]:
    """The best F1 over thresholds 0.05 … 0.90 (the lowest threshold among equals)."""
    sweep = [
        (replay(items, replace(rules, min_similarity=t / 100, near_identical=max(t / 100, 0.85))), t / 100)
        for t in range(5, 91)
    ]
    return max(sweep, key=lambda pair: (pair[0].f1, -pair[1]))


def synthetic(items: Sequence[Labelled], n: int, rng: random.Random) -> list[OpenOrder]:
    """n open orders of one area within the window: the labelled texts with a random house number."""
    return [
        OpenOrder(
            ticket_id=TicketId(100_000 + k),
            matter_id=MatterId(k) if k % 3 == 0 else None,
            text=f"{rng.choice(items).order.text}{rng.randint(1, 300)}号{rng.choice('东西南北')}侧",
            area_code="110105010",
            category_code=None,
            caller_number=f"139{k:08d}",
            received_at=START + timedelta(minutes=rng.randint(0, 4000)),
        )
        for k in range(n)
    ]


def speed(items: Sequence[Labelled]) -> None:
    rules, rng = DuplicateRules(), random.Random(12345)
    news = [replace(i.order, area_code="110105010", received_at=START + timedelta(hours=60)) for i in items]
    for n in (1_000, 10_000):
        candidates = synthetic(items, n, rng)
        for cache in ("cold", "warm"):
            timings = []
            for new in news * (3 if n == 1_000 else 1):
                if cache == "cold":
                    profile.cache_clear()
                began = time.perf_counter()
                find_matter(new, candidates, rules)
                timings.append((time.perf_counter() - began) * 1000)
            q = statistics.quantiles(timings, n=100)
            print(
                f"{n:>6} candidates, cache {cache}: p50 {q[49]:7.2f} ms  p99 {q[98]:7.2f} ms  "
                f"({len(timings)} orders)"
            )


def main() -> None:
    items = load()
    quality(items)
    if "--quality" not in sys.argv:
        speed(items)


if __name__ == "__main__":
    main()
