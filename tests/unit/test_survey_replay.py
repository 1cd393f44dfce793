"""Which file replays a survey call (ticketing/surveys/replay.py): only the attempt's own recording, by the
name the survey dialplan gives it; the stored path is data and the name is checked before any disk."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.core.errors import NotFound
from callcenter.core.ids import TicketId
from callcenter.ticketing.surveys.model import Survey, SurveyAttempt, SurveyId, SurveyState, SurveyTrigger
from callcenter.ticketing.surveys.replay import (
    SurveyCallNotFound,
    SurveyRecordingMissing,
    recording_name,
    recording_path,
)

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def survey(*recordings: str, survey_id: int | None = 12) -> Survey:
    history = tuple(SurveyAttempt(n, f"c{n}", "a", T, recording=r) for n, r in enumerate(recordings, 1))
    return Survey(
        SurveyId(survey_id) if survey_id else None,
        TicketId(3), 1, SurveyTrigger.REPLIED, None, T, T, T, SurveyState.DONE, T, 3, len(history),
        history=history,
    )  # fmt: skip


def test_the_name_is_the_dialplans() -> None:
    assert recording_name(SurveyId(12), 1) == "survey-12-1-call.wav"


def test_the_attempts_own_recording_is_replayed() -> None:
    stored = "/var/spool/asterisk/recording/20261124/survey-12-2-call.wav"
    assert recording_path(survey("", stored), 2) == stored


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "/rec/survey-12-1-call.wav",  # call 1's name on call 2
        "/rec/survey-13-2-call.wav",  # another survey's
        "/rec/survey-12-2-answer.wav",  # the citizen's side alone
        "/rec/hotline-1764.1-caller.wav",
        "/rec/survey-12-2-call.wav/",
    ],
)
def test_any_other_file_is_missing(stored: str) -> None:
    with pytest.raises(SurveyRecordingMissing) as refused:
        recording_path(survey("", stored), 2)
    assert isinstance(refused.value, NotFound) and refused.value.code == "survey_recording_missing"


def test_an_unknown_call_is_its_own_not_found() -> None:
    with pytest.raises(SurveyCallNotFound) as refused:
        recording_path(survey("/rec/survey-12-1-call.wav"), 2)
    assert refused.value.code == "survey_call_not_found"


def test_an_unstored_survey_has_nothing_to_replay() -> None:
    with pytest.raises(SurveyRecordingMissing):
        recording_path(survey("/rec/survey-12-1-call.wav", survey_id=None), 1)
