"""How the AMI survey dialer reads a leg that was not answered (adapters/ami/surveys.py): the Q.850 cause
first, then the OriginateResponse reason; and the Originate it sends (on the allow-list, no number in
anything but the channel); and when a recording of the leg is complete enough to be read."""

from __future__ import annotations

import struct
from pathlib import Path, PurePosixPath

import pytest

from callcenter.adapters.ami.originate_policy import check_originate
from callcenter.adapters.ami.surveys import originate_fields, unanswered_outcome, wav_state
from callcenter.core.ids import TicketId
from callcenter.ticketing.surveys.model import AttemptOutcome, SurveyId
from callcenter.ticketing.surveys.ports import SurveyCall


@pytest.mark.parametrize(
    ("reason", "cause", "outcome"),
    [
        ("3", "", AttemptOutcome.NO_ANSWER),  # rang out
        ("5", "", AttemptOutcome.BUSY),
        ("0", "17", AttemptOutcome.BUSY),  # 486 Busy Here, as Asterisk 22 reports it
        ("1", "21", AttemptOutcome.BUSY),  # rejected
        ("0", "19", AttemptOutcome.NO_ANSWER),
        ("0", "1", AttemptOutcome.FAILED),  # unallocated number (空号)
        ("8", "34", AttemptOutcome.FAILED),  # congestion
        ("0", "", AttemptOutcome.FAILED),
        ("x", "y", AttemptOutcome.FAILED),  # malformed headers: a failure, never an exception
    ],
)
def test_an_unanswered_leg_is_read_by_its_cause_then_its_reason(
    reason: str, cause: str, outcome: AttemptOutcome
) -> None:
    reply = {"event": "OriginateResponse", "reason": reason, "cause": cause}
    assert unanswered_outcome(reply) is outcome


def test_an_originate_refused_by_asterisk_is_a_failure() -> None:
    assert unanswered_outcome({"response": "Error", "message": "Permission denied"}) is AttemptOutcome.FAILED


def test_the_survey_originate_is_on_the_allow_list_and_names_the_attempt() -> None:
    call = SurveyCall(SurveyId(7), 2, "a", "13800138000", "sv7-2-ab", "您好", TicketId(41), 1)
    fields = originate_fields(
        call, PurePosixPath("/rec/survey-prompts/dynamic/f"), PurePosixPath("/rec"), "pstn-out", "12345", 30
    )
    check_originate(fields)  # raises if the context or channel were not allowed
    assert (fields["Channel"], fields["ChannelId"], fields["Timeout"]) == (
        "PJSIP/13800138000@pstn-out",
        "sv7-2-ab",
        "30000",
    )
    assert "SURVEY_ID=7" in fields["Variable"] and "SURVEY_ATTEMPT=2" in fields["Variable"]
    assert all("13800138000" not in v for v in fields["Variable"])


def asterisk_wav(path: Path, audio_bytes: int, header_says: int) -> Path:
    """A WAV as Asterisk's format_wav writes it: 44-byte header, lengths filled in only at close."""
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    header = b"RIFF" + struct.pack("<I", 36 + header_says) + b"WAVE" + b"fmt " + fmt
    path.write_bytes(header + b"data" + struct.pack("<I", header_says) + bytes(audio_bytes))
    return path


def test_a_recording_is_read_only_once_its_writer_has_closed_it(tmp_path: Path) -> None:
    assert wav_state(tmp_path / "none.wav") == "missing"
    assert wav_state(asterisk_wav(tmp_path / "open.wav", 16000, 0)) == "open"  # header says no audio yet
    assert wav_state(asterisk_wav(tmp_path / "growing.wav", 16000, 8000)) == "open"
    assert wav_state(asterisk_wav(tmp_path / "closed.wav", 16000, 16000)) == "closed"
    assert wav_state(asterisk_wav(tmp_path / "empty.wav", 0, 0)) == "open"  # not a byte of audio yet
    (tmp_path / "short.wav").write_bytes(b"RIFF")
    assert wav_state(tmp_path / "short.wav") == "open"
