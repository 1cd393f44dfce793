"""Telephone degradations (callcenter_sim/corpus/degrade.py) and rendering the corpus through the voice
port, with a tone generator of our own standing in for a speech engine."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.ivr.voice import Speech, VoiceChoice
from callcenter_sim.corpus.degrade import (
    CONCEALMENT_FADE,
    CONDITIONS,
    TELEPHONE_RATE,
    Samples,
    add_noise,
    clip,
    conceal,
    lost_frames,
    mu_law_bound,
    mu_law_round_trip,
    packet_loss,
    resample,
    snr_db,
)
from callcenter_sim.corpus.generate import generate
from callcenter_sim.corpus.phrasing import load_phrasings, sample_city
from callcenter_sim.corpus.render import AUDIO_MANIFEST, render


def speechlike(seconds: float = 3.0, rate: int = TELEPHONE_RATE, seed: int = 1) -> Samples:
    """Harmonics of a gliding pitch under a syllable-rate envelope: level and spectrum like a voice."""
    t = np.arange(int(seconds * rate)) / rate
    pitch = 120 + 30 * np.sin(2 * np.pi * 0.5 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t + seed)
    return np.asarray(0.1 * voiced * envelope, dtype=np.float64)


class ToneSynthesizer:
    """A fake of our voice port: a tone whose pitch and length follow the text, at the voice's rate."""

    engine = "tone-1"

    def __init__(self) -> None:
        self.calls = 0

    def synthesize(self, text: str, voice: VoiceChoice) -> Speech:
        self.calls += 1
        n = int(0.05 * len(text) / voice.speed * voice.rate)
        t = np.arange(n) / voice.rate
        tone = 0.3 * np.sin(2 * np.pi * (200 + len(text) % 200) * t)
        return Speech((tone * 32767).astype("<i2").tobytes(), voice.rate)


@pytest.mark.parametrize("snr", [20.0, 10.0, 5.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_babble_is_added_at_the_asked_snr(snr: float, seed: int) -> None:
    clean = speechlike(seed=seed)
    noisy = add_noise(clean, TELEPHONE_RATE, snr, seed)
    assert abs(snr_db(clean, noisy) - snr) <= 0.5
    # also as written to a 16-bit file
    quantised = np.round(noisy * 32767) / 32767
    assert abs(snr_db(clean, quantised) - snr) <= 0.5


def test_the_noise_is_the_same_for_the_same_seed_and_differs_between_seeds() -> None:
    clean = speechlike()
    a, b, c = (add_noise(clean, TELEPHONE_RATE, 10.0, s) for s in (7, 7, 8))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_babble_fluctuates_like_voices_not_like_a_steady_hiss() -> None:
    noise = add_noise(speechlike(), TELEPHONE_RATE, 0.0, 3) - speechlike()
    frames = noise[: noise.size // 160 * 160].reshape(-1, 160)
    levels = np.sqrt(np.mean(frames**2, axis=1))
    assert levels.std() / levels.mean() > 0.1


@settings(max_examples=50)
@given(st.lists(st.floats(min_value=-1.0, max_value=1.0), min_size=1, max_size=200))
def test_the_mu_law_round_trip_error_stays_within_half_a_code_step(values: list[float]) -> None:
    x = np.array(values)
    assert np.all(np.abs(mu_law_round_trip(x) - x) <= mu_law_bound(x))


def test_the_mu_law_channel_keeps_speech_clear() -> None:
    clean = speechlike()
    assert snr_db(clean, mu_law_round_trip(clean)) > 30


def test_resampling_to_eight_kilohertz_keeps_the_telephone_band() -> None:
    rate = 16000
    t = np.arange(rate) / rate
    x = np.sin(2 * np.pi * 1000 * t) + np.sin(2 * np.pi * 6000 * t)
    y = resample(x, rate)
    assert y.size == TELEPHONE_RATE
    expected = np.sin(2 * np.pi * 1000 * np.arange(TELEPHONE_RATE) / TELEPHONE_RATE)
    assert np.max(np.abs(y - expected)) < 1e-6  # 1 kHz kept, 6 kHz (above 4 kHz) gone


def test_about_two_percent_of_packets_are_lost() -> None:
    lost = lost_frames(50_000, 0.02, seed=5)
    assert abs(lost.mean() - 0.02) < 0.003
    per_seed = [lost_frames(3000, 0.02, seed=s).mean() for s in range(20)]
    assert abs(float(np.mean(per_seed)) - 0.02) < 0.003


def test_a_lost_frame_repeats_the_last_one_faded() -> None:
    x = speechlike(seconds=0.2)
    lost = np.zeros(10, dtype=bool)
    lost[[3, 4]] = True
    y = conceal(x, TELEPHONE_RATE, lost)
    size = TELEPHONE_RATE * 20 // 1000
    assert np.array_equal(y[: 3 * size], x[: 3 * size])
    assert np.allclose(y[3 * size : 4 * size], x[2 * size : 3 * size] * CONCEALMENT_FADE)
    assert np.allclose(y[4 * size : 5 * size], x[2 * size : 3 * size] * CONCEALMENT_FADE**2)
    assert np.array_equal(y[5 * size :], x[5 * size :])


def test_packet_loss_changes_about_two_percent_of_the_frames() -> None:
    x = speechlike(seconds=60.0)
    y = packet_loss(x, TELEPHONE_RATE, 0.02, seed=9)
    frames = (x != y)[: x.size // 160 * 160].reshape(-1, 160).any(axis=1)
    assert 0.01 < frames.mean() < 0.03


def test_clipping_flattens_the_peaks_at_full_scale() -> None:
    x = speechlike()
    y = clip(x, 12.0)
    assert np.max(np.abs(y)) == 1.0
    assert 0.01 < np.mean(np.abs(y) == 1.0) < 0.5


def test_every_condition_ends_at_eight_kilohertz_and_is_repeatable() -> None:
    x = speechlike(rate=16000)
    for condition in CONDITIONS:
        a, b = condition.apply(x, 16000, 3), condition.apply(x, 16000, 3)
        assert a.size == x.size // 2 and np.array_equal(a, b), condition.name


def test_render_writes_every_request_under_every_condition_and_a_manifest(tmp_path: Path) -> None:
    requests = generate(load_phrasings(), sample_city(), count=3)
    engine = ToneSynthesizer()
    files = render(requests, engine, tmp_path)
    assert len(files) == 3 * len(CONDITIONS) and engine.calls == 3
    for f in files:
        samples, rate = soundfile.read(tmp_path / f.path)
        assert rate == TELEPHONE_RATE and abs(len(samples) / rate - f.seconds) < 0.001
    rows = [json.loads(line) for line in (tmp_path / AUDIO_MANIFEST).read_text("utf-8").splitlines()]
    assert {(r["id"], r["condition"]) for r in rows} == {(r.id, c.name) for r in requests for c in CONDITIONS}
    assert {r["voice"] for r in rows} == {r.voice for r in requests}


def test_render_is_repeatable_and_synthesizes_each_request_once(tmp_path: Path) -> None:
    requests = generate(load_phrasings(), sample_city(), count=2)
    engine = ToneSynthesizer()
    render(requests, engine, tmp_path / "a")
    first = (tmp_path / "a" / AUDIO_MANIFEST).read_bytes()
    wavs = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.wav")}
    render(requests, engine, tmp_path / "a")
    assert engine.calls == 2  # the second run found the speech in the cache
    assert (tmp_path / "a" / AUDIO_MANIFEST).read_bytes() == first
    render(requests, ToneSynthesizer(), tmp_path / "b")
    assert wavs == {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.wav")}
