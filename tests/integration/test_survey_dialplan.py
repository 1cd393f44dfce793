"""The callback survey's dialplan (回访, asterisk_conf/extensions_survey.conf) on a real Asterisk 22.

Each test Originates a survey leg through the outbound trunk, as the survey dialer does, to the test
citizen's phone (sipp on the trunk's loopback contact), which answers and sends what a citizen would:
a key (RFC 4733 telephone-events), speech, a flood of wrong keys, or nothing; the hangup handler's
UserEvent ``HotlineSurveyEnded`` says what the citizen answered and where their words were recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import soundfile

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter_sim.phones.audio import load_telephone_wav
from callcenter_sim.phones.citizen import CitizenPhone
from callcenter_sim.phones.pcap import write_answer_pcap
from tests.support.asr import speech_dir
from tests.support.asterisk import AmiSession

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

REASON_CLIP = "aishell1_BAC009S0724W0121"  # a Mandarin sentence of about 4 s: the citizen's reason
CALL_TIMEOUT_S = 60.0


@pytest.fixture
def citizen(asterisk: AsteriskInstance, tmp_path: Path) -> Iterator[CitizenPhone]:
    phone = CitizenPhone(asterisk.settings.pstn_outbound_uri, tmp_path / "citizen")
    yield phone
    phone.stop()


def survey_call(
    ami: AmiSession, asterisk: AsteriskInstance, survey_id: int, number: str = "13800138601"
) -> dict[str, str]:
    """Originate one survey leg (intro: the greeting prompt) and wait for its HotlineSurveyEnded."""
    variables = {
        "SURVEY_ID": str(survey_id),
        "SURVEY_ATTEMPT": "1",
        "SURVEY_INTRO": str(asterisk.layout.sounds_dir / "greeting"),
        "SURVEY_RECORDINGS": str(asterisk.layout.recording_dir),
    }
    reply = ami.action(
        "Originate",
        Channel=f"PJSIP/{number}@pstn-out",
        Context="survey-leg",
        Exten="s",
        Priority="1",
        Timeout="20000",
        Async="true",
        Variable=",".join(f"{k}={v}" for k, v in variables.items()),
    )
    assert reply.get("response") == "Success", reply
    return ami.wait_event(
        "UserEvent", CALL_TIMEOUT_S, userevent="HotlineSurveyEnded", surveyid=str(survey_id)
    )


def answer_pcap(tmp_path: Path, keys: Sequence[tuple[float, str]], speech_at_s: float | None = None) -> Path:
    path = tmp_path / "citizen.pcap"
    if speech_at_s is None:
        write_answer_pcap(path, 40.0, keys)
        return path
    speech = load_telephone_wav(speech_dir() / "8k" / f"{REASON_CLIP}_8k.wav")
    write_answer_pcap(path, speech_at_s + len(speech) / 8000 + 6.0, keys, speech, speech_at_s)
    return path


def recorded_seconds(asterisk: AsteriskInstance, base: str) -> float:
    path = asterisk.host_path(Path(base + ".wav"))
    return float(soundfile.info(path).duration) if path.is_file() else 0.0


def seconds_of(asterisk: AsteriskInstance, prompt: str) -> float:
    return float(soundfile.info(asterisk.host_path(asterisk.layout.sounds_dir / f"{prompt}.wav")).duration)


def speech_in(asterisk: AsteriskInstance, base: str) -> float:
    """Seconds of the recording louder than the phone's silence (20 ms frames above -40 dBFS)."""
    samples, rate = soundfile.read(asterisk.host_path(Path(base + ".wav")), dtype="float32")
    frames = samples[: len(samples) // 160 * 160].reshape(-1, 160)
    return float(((frames**2).mean(axis=1) > 1e-4).sum() * 160 / rate)


def test_key_1_during_the_intro_is_the_answer(
    ami: AmiSession, asterisk: AsteriskInstance, citizen: CitizenPhone, tmp_path: Path
) -> None:
    citizen.start("answer", pcap=answer_pcap(tmp_path, [(1.5, "1")]))
    ended = survey_call(ami, asterisk, 9101)
    assert (ended["key"], ended["spoken"], ended["reason"]) == ("1", "", ""), citizen.diagnostics()
    assert ended["call"].endswith("survey-9101-1-call"), ended  # kept for replay


def test_key_3_asks_for_the_reason_and_keeps_it(
    ami: AmiSession, asterisk: AsteriskInstance, citizen: CitizenPhone, tmp_path: Path
) -> None:
    reason_prompt = seconds_of(asterisk, "survey_reason")
    speak_at = 1.5 + 0.2 + reason_prompt + 0.8  # key 3 cuts the intro; the reason prompt, the beep, speech
    citizen.start("answer", pcap=answer_pcap(tmp_path, [(1.5, "3")], speech_at_s=speak_at))
    ended = survey_call(ami, asterisk, 9102)
    assert ended["key"] == "3" and ended["spoken"] == "", ended
    assert ended["reason"].endswith("survey-9102-1-reason"), ended
    assert recorded_seconds(asterisk, ended["reason"]) > 2.0, citizen.diagnostics()


def test_no_key_records_the_spoken_answer(
    ami: AmiSession, asterisk: AsteriskInstance, citizen: CitizenPhone, tmp_path: Path
) -> None:
    speak_at = (
        seconds_of(asterisk, "greeting") + seconds_of(asterisk, "survey_question") + 1.0
    )  # after the question, while Read waits for a key
    citizen.start("answer", pcap=answer_pcap(tmp_path, [], speech_at_s=speak_at))
    ended = survey_call(ami, asterisk, 9103)
    assert ended["key"] == "" and ended["reason"] == "" and ended["heard"] == "1", ended
    assert ended["spoken"].endswith("survey-9103-1-answer"), ended
    assert speech_in(asterisk, ended["spoken"]) > 2.0, citizen.diagnostics()


def test_wrong_keys_are_refused_twice_then_the_call_ends_without_an_answer(
    ami: AmiSession, asterisk: AsteriskInstance, citizen: CitizenPhone, tmp_path: Path
) -> None:
    # a flood: 9 during the intro, then * # 0 5 while "按键无效" plays
    citizen.start("answer", pcap=answer_pcap(tmp_path, [(1.5, "9"), (3.0, "*#05")]))
    ended = survey_call(ami, asterisk, 9104)
    assert ended["key"] not in ("1", "2", "3") and ended["tries"] == "2", ended
    assert ended["reason"] == "" and speech_in(asterisk, ended["spoken"]) == 0.0, ended


def test_a_citizen_who_hangs_up_at_once_leaves_no_answer(
    ami: AmiSession, asterisk: AsteriskInstance, citizen: CitizenPhone
) -> None:
    citizen.start("answer", hang_up_after_ms=800)
    ended = survey_call(ami, asterisk, 9105)
    assert (ended["key"], ended["tries"], ended["heard"], ended["reason"]) == ("", "1", "", ""), ended
    assert speech_in(asterisk, ended["spoken"]) == 0.0, ended  # nothing said: no spoken answer
