"""Reading recordings into per-side audio: format rules, silence, stereo split, resampling, G.711 μ-law."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.adapters.asr.audio import (
    CALLER_AGENT,
    MIN_AUDIBLE_SECONDS,
    SILENCE_DBFS,
    audible_seconds,
    frame_levels_dbfs,
    is_silent,
    load_mono,
    load_recording,
    load_sides,
    load_stereo,
    mulaw_decode,
    mulaw_encode,
    pcm16,
    resample,
    telephone_round_trip,
)
from callcenter.asr.model import Audio, Speaker
from callcenter.core.errors import AudioError

RATE = 8000


def tone(seconds: float, rate: int = RATE, hz: float = 440.0, dbfs: float = -20.0) -> npt.NDArray[np.float32]:
    """A sine whose RMS is ``dbfs`` (peak = RMS × √2)."""
    t = np.arange(round(seconds * rate)) / rate
    samples: npt.NDArray[np.float32] = (10 ** (dbfs / 20) * np.sqrt(2) * np.sin(2 * np.pi * hz * t)).astype(
        np.float32
    )
    return samples


def silence(seconds: float, rate: int = RATE) -> npt.NDArray[np.float32]:
    return np.zeros(round(seconds * rate), dtype=np.float32)


def write(path: Path, samples: npt.NDArray[np.float32], rate: int = RATE, subtype: str = "PCM_16") -> Path:
    soundfile.write(path, samples, rate, subtype=subtype)
    return path


def reason_of(excinfo: pytest.ExceptionInfo[AudioError]) -> str:
    return str(excinfo.value.details["reason"])


# --- format rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"this is a ticket note, not a recording\n" * 20, "unreadable"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00garbage", "unreadable"),
        (bytes(range(256)) * 64, "unreadable"),
    ],
    ids=["zero-bytes", "text", "truncated-header", "random-bytes"],
)
def test_files_that_are_not_usable_audio_raise_audio_error_with_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError) as excinfo:
        load_recording(path)
    assert reason_of(excinfo) == reason
    assert excinfo.value.code == "audio_error"
    assert excinfo.value.details["path"] == str(path)


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(AudioError) as excinfo:
        load_mono(tmp_path / "nowhere.wav")
    assert reason_of(excinfo) == "not_found"


def test_wav_header_without_samples_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.wav", np.zeros(0, dtype=np.float32))
    with pytest.raises(AudioError) as excinfo:
        load_mono(path)
    assert reason_of(excinfo) == "empty"


def test_recording_shorter_than_minimum_is_too_short(tmp_path: Path) -> None:
    path = write(tmp_path / "blip.wav", tone(0.1))
    with pytest.raises(AudioError) as excinfo:
        load_mono(path)
    assert reason_of(excinfo) == "too_short"


def test_rate_below_8khz_is_unsupported(tmp_path: Path) -> None:
    path = write(tmp_path / "low.wav", tone(1.0, rate=4000), rate=4000)
    with pytest.raises(AudioError) as excinfo:
        load_mono(path)
    assert reason_of(excinfo) == "unsupported_rate"


def test_float_file_with_nan_is_invalid(tmp_path: Path) -> None:
    samples = tone(1.0)
    samples[100] = np.nan
    path = write(tmp_path / "nan.wav", samples, subtype="FLOAT")
    with pytest.raises(AudioError) as excinfo:
        load_mono(path)
    assert reason_of(excinfo) == "invalid_samples"


def test_mu_law_wav_as_asterisk_writes_it_is_decoded(tmp_path: Path) -> None:
    path = write(tmp_path / "ulaw.wav", tone(1.0), subtype="ULAW")
    audio = load_mono(path)
    assert audio.rate == RATE
    assert audio.duration == pytest.approx(1.0)
    assert np.abs(audio.samples - tone(1.0)).max() < 0.01


# --- silence ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "samples",
    [silence(2.0), tone(2.0, dbfs=SILENCE_DBFS - 6), np.random.default_rng(7).normal(0, 0.001, 16000)],
    ids=["digital-silence", "hum-below-threshold", "line-noise-at-minus-60-dBFS"],
)
def test_all_silent_recording_raises_silent(tmp_path: Path, samples: npt.NDArray[np.float32]) -> None:
    path = write(tmp_path / "quiet.wav", samples.astype(np.float32))
    with pytest.raises(AudioError) as excinfo:
        load_recording(path)
    assert reason_of(excinfo) == "silent"


def test_silence_threshold_needs_a_tenth_of_a_second_of_audible_frames() -> None:
    short_word = Audio(np.concatenate([silence(1.0), tone(0.06), silence(1.0)]), RATE)
    long_word = Audio(np.concatenate([silence(1.0), tone(0.2), silence(1.0)]), RATE)
    assert is_silent(short_word)
    assert not is_silent(long_word)
    assert audible_seconds(long_word) >= MIN_AUDIBLE_SECONDS


def test_frame_level_of_a_sine_is_its_rms_in_dbfs() -> None:
    levels = frame_levels_dbfs(Audio(tone(1.0, dbfs=-30.0), RATE))
    assert len(levels) == 50
    assert levels == pytest.approx(-30.0, abs=0.1)


# --- sides -----------------------------------------------------------------------------------------------


def stereo(left: npt.NDArray[np.float32], right: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return np.stack([left, right], axis=1)


def test_stereo_channel_0_is_caller_and_channel_1_is_agent(tmp_path: Path) -> None:
    caller, agent = tone(2.0, hz=300.0), tone(2.0, hz=1200.0, dbfs=-26.0)
    path = write(tmp_path / "call.wav", stereo(caller, agent))
    sides = load_stereo(path)
    assert list(sides) == [Speaker.CALLER, Speaker.AGENT]
    assert np.abs(sides[Speaker.CALLER].samples - caller).max() < 1e-3
    assert np.abs(sides[Speaker.AGENT].samples - agent).max() < 1e-3
    assert load_recording(path).keys() == sides.keys()


def test_stereo_layout_can_put_the_agent_on_channel_0(tmp_path: Path) -> None:
    path = write(tmp_path / "call.wav", stereo(tone(1.0, hz=300.0), silence(1.0)))
    sides = load_stereo(path, (Speaker.AGENT, Speaker.CALLER))
    assert not is_silent(sides[Speaker.AGENT])
    assert is_silent(sides[Speaker.CALLER])


def test_stereo_with_one_silent_side_is_kept_but_both_silent_is_an_error(tmp_path: Path) -> None:
    one_sided = write(tmp_path / "one.wav", stereo(tone(1.0), silence(1.0)))
    assert is_silent(load_stereo(one_sided)[Speaker.AGENT])
    both_silent = write(tmp_path / "none.wav", stereo(silence(1.0), silence(1.0)))
    with pytest.raises(AudioError) as excinfo:
        load_stereo(both_silent)
    assert reason_of(excinfo) == "silent"


def test_stereo_layout_must_name_two_speakers(tmp_path: Path) -> None:
    path = write(tmp_path / "call.wav", stereo(tone(1.0), tone(1.0)))
    with pytest.raises(ValueError, match="two different speakers"):
        load_stereo(path, (Speaker.CALLER, Speaker.CALLER))


def test_channel_count_rules(tmp_path: Path) -> None:
    mono = write(tmp_path / "mono.wav", tone(1.0))
    two = write(tmp_path / "two.wav", stereo(tone(1.0), tone(1.0)))
    three = write(tmp_path / "three.wav", np.stack([tone(1.0)] * 3, axis=1))
    loads: list[Callable[[], object]] = [
        lambda: load_stereo(mono),
        lambda: load_sides(caller=two),
        lambda: load_recording(three),
    ]
    for load in loads:
        with pytest.raises(AudioError) as excinfo:
            load()
        assert reason_of(excinfo) == "unsupported_channels"


def test_mono_recording_is_one_side(tmp_path: Path) -> None:
    path = write(tmp_path / "mono.wav", tone(1.0))
    assert list(load_recording(path)) == [Speaker.CALLER]
    assert list(load_recording(path, mono_speaker=Speaker.AGENT)) == [Speaker.AGENT]


def test_two_mono_files_are_two_sides_resampled_to_the_engine_rate(tmp_path: Path) -> None:
    caller = write(tmp_path / "caller.wav", tone(1.5, rate=8000), rate=8000)
    agent = write(tmp_path / "agent.wav", tone(1.5, rate=48000), rate=48000)
    sides = load_sides(caller=caller, agent=agent, rate=16000)
    assert {speaker: audio.rate for speaker, audio in sides.items()} == {
        Speaker.CALLER: 16000,
        Speaker.AGENT: 16000,
    }
    assert all(len(audio.samples) == 24000 for audio in sides.values())
    assert list(load_sides(caller=caller)) == [Speaker.CALLER]


def test_default_layout_is_caller_then_agent() -> None:
    assert CALLER_AGENT == (Speaker.CALLER, Speaker.AGENT)


# --- resampling ------------------------------------------------------------------------------------------

RATES = st.sampled_from([8000, 16000, 22050, 44100, 48000])


@settings(max_examples=40, deadline=None)
@given(source=RATES, target=RATES, seconds=st.floats(min_value=0.05, max_value=3.0))
def test_resampled_length_keeps_the_duration(source: int, target: int, seconds: float) -> None:
    audio = Audio(tone(seconds, rate=source), source)
    out = resample(audio, target)
    assert out.rate == target
    assert out.samples.dtype == np.float32
    assert abs(len(out.samples) - len(audio.samples) * target / source) <= 1


def test_soxr_hq_upsampling_reconstructs_a_tone_far_better_than_linear_interpolation() -> None:
    narrow = Audio(tone(1.0, rate=8000, hz=3000.0), 8000)
    wide = resample(narrow, 16000).samples
    truth = tone(1.0, rate=16000, hz=3000.0)
    linear = np.interp(np.arange(16000) / 2, np.arange(8000), narrow.samples)
    middle = slice(1000, 15000)  # away from the filter's edge transients

    def error_db(estimate: npt.NDArray[np.floating]) -> float:
        return float(20 * np.log10(np.sqrt(np.mean((estimate[middle] - truth[middle]) ** 2))))

    assert error_db(wide) < -70.0  # the tone itself is at -20 dBFS
    assert error_db(linear) > -40.0


def test_same_rate_is_returned_unchanged() -> None:
    audio = Audio(tone(0.5), RATE)
    assert resample(audio, RATE) is audio


# --- PCM and G.711 μ-law ---------------------------------------------------------------------------------


def test_pcm16_rounds_and_clips() -> None:
    samples = np.array([-1.5, -1.0, 0.0, 0.5, 1.0, 2.0], dtype=np.float32)
    assert pcm16(samples).tolist() == [-32768, -32768, 0, 16384, 32767, 32767]


def test_mu_law_matches_libsndfile_for_every_16_bit_value() -> None:
    every = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)
    buffer = io.BytesIO()
    soundfile.write(buffer, every, 8000, format="WAV", subtype="ULAW")
    buffer.seek(0)
    reference, _ = soundfile.read(buffer, dtype="int16")
    assert np.array_equal(mulaw_decode(mulaw_encode(every)), reference)


def test_mu_law_known_codes() -> None:
    assert mulaw_encode(np.array([0, 32767, -32768], dtype=np.int16)).tolist() == [0xFF, 0x80, 0x00]
    assert mulaw_decode(np.array([0xFF, 0x7F, 0x80, 0x00], dtype=np.uint8)).tolist() == [0, 0, 32124, -32124]


def test_every_mu_law_code_survives_a_second_round_trip() -> None:
    codes = np.arange(256, dtype=np.uint8)
    once = mulaw_decode(codes)
    assert np.array_equal(mulaw_decode(mulaw_encode(once)), once)


@given(st.integers(min_value=-32635, max_value=32635))
def test_mu_law_error_is_at_most_half_a_step_of_its_segment(value: int) -> None:
    decoded = int(mulaw_decode(mulaw_encode(np.array([value], dtype=np.int16)))[0])
    step = 2 ** (max(0, (abs(value) + 0x84).bit_length() - 8) + 3)
    assert abs(decoded - value) <= step // 2 + 1


def test_telephone_round_trip_is_8khz_and_keeps_a_voice_band_tone_clean() -> None:
    wide = Audio(tone(1.0, rate=48000, hz=1000.0, dbfs=-20.0), 48000)
    phone = telephone_round_trip(wide)
    assert phone.rate == 8000
    assert len(phone.samples) == 8000
    truth = tone(1.0, rate=8000, hz=1000.0, dbfs=-20.0)
    middle = slice(500, 7500)
    noise = np.sqrt(np.mean((phone.samples[middle] - truth[middle]) ** 2))
    snr_db = -20.0 - 20 * np.log10(noise)
    assert snr_db > 30.0  # G.711 gives about 38 dB for speech-level signals
