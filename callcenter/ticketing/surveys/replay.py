"""Which file replays a survey call (回访录音回放), pure: the attempt's own recording, by its own name.

A survey call's ``recording`` is the path the dialplan reported in its ``HotlineSurveyEnded`` UserEvent, as
Asterisk sees it — i.e. data from whoever can make Asterisk send a UserEvent. It is never trusted: the
file must be named for this survey and attempt (``survey-<id>-<attempt>-call.wav``, the name the survey
dialplan gives MixMonitor's mix, asterisk_conf/extensions_survey.conf), and the ``SurveyRecordings`` port
must find it as a regular file inside a recordings directory (adapters/recording_files.py). Anything else
answers like a missing file.
"""

from __future__ import annotations

import posixpath

from callcenter.core.errors import NotFound
from callcenter.ticketing.surveys.model import Survey, SurveyAttempt, SurveyId


class SurveyCallNotFound(NotFound):
    """The survey exists but has no call of that number."""

    code = "survey_call_not_found"


class SurveyRecordingMissing(NotFound):
    """The call has no recording to replay: none was made, it is gone, or its stored path is refused."""

    code = "survey_recording_missing"


def recording_name(survey_id: SurveyId, attempt: int) -> str:
    """The mix the survey dialplan records: ``survey-<id>-<attempt>-call.wav``."""
    return f"survey-{survey_id}-{attempt}-call.wav"


def attempt_of(survey: Survey, number: int) -> SurveyAttempt:
    for attempt in survey.history:
        if attempt.number == number:
            return attempt
    raise SurveyCallNotFound(f"survey {survey.id} has no call {number}", survey_id=survey.id, attempt=number)


def replayable(survey: Survey, attempt: SurveyAttempt) -> bool:
    """The attempt names a recording, and by the name this survey and attempt would have."""
    if survey.id is None or not attempt.recording:
        return False
    return posixpath.basename(attempt.recording) == recording_name(survey.id, attempt.number)


def recording_path(survey: Survey, number: int) -> str:
    """The stored path (as Asterisk sees it) of call ``number``'s recording, if it may be replayed at all."""
    attempt = attempt_of(survey, number)
    if not replayable(survey, attempt):
        raise SurveyRecordingMissing(
            f"call {number} of survey {survey.id} has no recording", survey_id=survey.id, attempt=number
        )
    return attempt.recording
