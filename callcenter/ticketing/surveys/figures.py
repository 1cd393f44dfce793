"""The survey figures (回访统计), pure: today's campaign, and coverage per day and per unit.

Definitions (docs/surveys.md):

* 回访率 = surveyed ÷ concluded: orders whose reply (or conclusion on the call) fell on the day, surveyed =
  the citizen answered the automated survey (满意, 基本满意 or 不满意); concluded counts every survey job of
  the day but the cancelled ones (the order moved on before it was asked);
* 接通率 = survey calls picked up (an answer, or picked up without a valid answer) ÷ survey calls placed;
* 满意率 / 基本满意率 / 不满意率 = each answer ÷ surveyed.

A rate with nothing to divide by is ``None``. The manual 回访 agents record is counted by the work-order
reports, not here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from callcenter.ticketing.surveys.model import PICKED_UP, AttemptOutcome, SurveyState
from callcenter.ticketing.surveys.ports import AttemptRow, SurveyRow

UNREACHED = frozenset(
    {
        AttemptOutcome.NO_ANSWER,
        AttemptOutcome.BUSY,
        AttemptOutcome.HUNG_UP,
        AttemptOutcome.FAILED,
        AttemptOutcome.LOST,
    }
)


@dataclass(frozen=True, slots=True)
class Campaign:
    """Today's campaign (今日回访)."""

    day: date
    paused: bool
    channels: int
    due: int  # waiting surveys due by the end of the day
    placed: int  # calls placed today
    answered: int  # calls picked up
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    no_input: int  # picked up, no valid key and no recognisable word
    unreachable: int  # no answer, busy, hung up, number failed, lost
    manual: int  # surveys moved to the manual list today


@dataclass(frozen=True, slots=True)
class Coverage:
    day: date
    unit: str  # "" for orders concluded on the call (no unit)
    concluded: int
    surveyed: int
    placed: int
    answered: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int

    @property
    def survey_rate(self) -> float | None:  # 回访率
        return rate(self.surveyed, self.concluded)

    @property
    def answer_rate(self) -> float | None:  # 接通率
        return rate(self.answered, self.placed)

    @property
    def satisfied_rate(self) -> float | None:  # 满意率
        return rate(self.satisfied, self.surveyed)

    @property
    def basically_satisfied_rate(self) -> float | None:  # 基本满意率
        return rate(self.basically_satisfied, self.surveyed)

    @property
    def dissatisfied_rate(self) -> float | None:  # 不满意率
        return rate(self.dissatisfied, self.surveyed)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def campaign(
    day: date, paused: bool, channels: int, due: int, attempts: Iterable[AttemptRow], manual: int
) -> Campaign:
    outcomes = Counter(a.outcome for a in attempts if a.day == day)
    placed = sum(outcomes.values())
    return Campaign(
        day=day,
        paused=paused,
        channels=channels,
        due=due,
        placed=placed,
        answered=sum(n for o, n in outcomes.items() if o in PICKED_UP),
        satisfied=outcomes[AttemptOutcome.SATISFIED],
        basically_satisfied=outcomes[AttemptOutcome.BASIC_SATISFIED],
        dissatisfied=outcomes[AttemptOutcome.DISSATISFIED],
        no_input=outcomes[AttemptOutcome.NO_INPUT],
        unreachable=sum(n for o, n in outcomes.items() if o in UNREACHED),
        manual=manual,
    )


def coverage(surveys: Iterable[SurveyRow], attempts: Iterable[AttemptRow]) -> list[Coverage]:
    """One row per day and unit, in order of day then unit."""
    concluded: Counter[tuple[date, str]] = Counter()
    answers: Counter[tuple[date, str, AttemptOutcome | None]] = Counter()
    for s in surveys:
        if s.state is SurveyState.CANCELLED:
            continue
        concluded[(s.day, s.unit)] += 1
        if s.state is SurveyState.DONE:
            answers[(s.day, s.unit, s.outcome)] += 1
    placed: Counter[tuple[date, str]] = Counter()
    picked: Counter[tuple[date, str]] = Counter()
    for a in attempts:
        placed[(a.day, a.unit)] += 1
        picked[(a.day, a.unit)] += a.outcome in PICKED_UP
    keys = sorted(set(concluded) | set(placed))
    return [_row(k, concluded, answers, placed, picked) for k in keys]


def _row(
    key: tuple[date, str],
    concluded: Counter[tuple[date, str]],
    answers: Counter[tuple[date, str, AttemptOutcome | None]],
    placed: Counter[tuple[date, str]],
    picked: Counter[tuple[date, str]],
) -> Coverage:
    day, unit = key
    sat, basic, dis = (
        answers[(day, unit, o)]
        for o in (AttemptOutcome.SATISFIED, AttemptOutcome.BASIC_SATISFIED, AttemptOutcome.DISSATISFIED)
    )
    return Coverage(day, unit, concluded[key], sat + basic + dis, placed[key], picked[key], sat, basic, dis)
