"""Telephone degradations of clean speech: pure numpy functions, deterministic from a seed (docs/corpus.md).

Samples are float arrays in [-1, 1]. The conditions a hotline call meets, in the order ``Degradation``
applies them: clipping at a hot handset microphone, background babble at a given SNR, the 8 kHz G.711
μ-law channel, and packet loss on the network (2 %, 20 ms frames, the lost frame concealed by repeating
the last one with a fade).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float64]

TELEPHONE_RATE: Final = 8000
MU: Final = 255.0  # G.711 μ-law
FRAME_MS: Final = 20
BABBLE_TALKERS: Final = 6
CONCEALMENT_FADE: Final = 0.5  # gain per repeated frame: a second loss in a row repeats at ½, then ¼ …


def resample(x: Samples, rate: int, target: int = TELEPHONE_RATE) -> Samples:
    """Band-limited resampling by the FFT (the spectrum above the new Nyquist frequency is dropped)."""
    if rate == target or x.size == 0:
        return x.astype(np.float64)
    n = round(x.size * target / rate)
    spectrum = np.fft.rfft(x)
    kept = np.zeros(n // 2 + 1, dtype=complex)
    m = min(kept.size, spectrum.size)
    kept[:m] = spectrum[:m]
    return np.asarray(np.fft.irfft(kept, n) * (n / x.size), dtype=np.float64)


def mu_law_encode(x: Samples) -> npt.NDArray[np.int16]:
    """Companded to 8 bits (−127..127): sign · ln(1 + μ|x|) / ln(1 + μ), quantised."""
    y = np.sign(x) * np.log1p(MU * np.abs(np.clip(x, -1.0, 1.0))) / np.log1p(MU)
    return np.asarray(np.round(y * 127), dtype=np.int16)


def mu_law_decode(code: npt.NDArray[np.int16]) -> Samples:
    y = code.astype(np.float64) / 127
    return np.asarray(np.sign(y) * np.expm1(np.abs(y) * np.log1p(MU)) / MU, dtype=np.float64)


def mu_law_round_trip(x: Samples) -> Samples:
    """Through an 8-bit μ-law codec and back: the error grows with the level (|e| ≤ ``mu_law_bound``)."""
    return mu_law_decode(mu_law_encode(x))


def mu_law_bound(x: Samples) -> Samples:
    """The largest round-trip error at each sample: half a code step above it, expanded (the expander is
    convex, so the step above is the wider one): about (1 + μ|x|) · ln(1 + μ) / μ / 254."""
    level = np.abs(np.clip(x, -1.0, 1.0))
    upper = np.log1p(MU * level) / np.log1p(MU) + 0.5 / 127
    return np.asarray(np.expm1(upper * np.log1p(MU)) / MU - level + 1e-12, dtype=np.float64)


def telephone(x: Samples, rate: int) -> Samples:
    """The 8 kHz G.711 μ-law channel: resampled to 8 kHz, then the μ-law round trip."""
    return mu_law_round_trip(resample(x, rate))


def power(x: Samples) -> float:
    return float(np.mean(np.square(x))) if x.size else 0.0


def snr_db(clean: Samples, noisy: Samples) -> float:
    """Signal-to-noise ratio of ``noisy`` against ``clean``, in dB."""
    return 10 * float(np.log10(power(clean) / power(noisy - clean)))


def babble(n: int, rate: int, seed: int) -> Samples:
    """Babble-like noise: ``BABBLE_TALKERS`` voices of speech-shaped noise (300–3400 Hz, falling 6 dB per
    octave above 500 Hz), each switched on and off at a syllable rate (~4 Hz) with its own phase."""
    rng = np.random.default_rng(seed)
    freqs = np.fft.rfftfreq(n, 1 / rate)
    shape = np.where((freqs >= 300) & (freqs <= 3400), 1.0 / np.maximum(freqs, 500.0), 0.0)
    t = np.arange(n) / rate
    total = np.zeros(n)
    for _ in range(BABBLE_TALKERS):
        voice = np.fft.irfft(np.fft.rfft(rng.standard_normal(n)) * shape, n)
        rate_hz, phase = rng.uniform(3.0, 5.0), rng.uniform(0, 2 * np.pi)
        total += voice * (0.6 + 0.4 * np.sin(2 * np.pi * rate_hz * t + phase))
    return total


def add_noise(x: Samples, rate: int, snr: float, seed: int) -> Samples:
    """``x`` plus babble scaled so that the SNR is ``snr`` dB (silence stays silent)."""
    noise = babble(x.size, rate, seed)
    if power(x) == 0 or power(noise) == 0:
        return x.copy()
    gain = np.sqrt(power(x) / (power(noise) * 10 ** (snr / 10)))
    return np.asarray(x + gain * noise, dtype=np.float64)


def lost_frames(n_frames: int, ratio: float, seed: int) -> npt.NDArray[np.bool_]:
    """Which frames are lost: independently, each with probability ``ratio`` (Bernoulli, as on a
    congested link without bursts)."""
    return np.random.default_rng(seed).random(n_frames) < ratio


def conceal(x: Samples, rate: int, lost: npt.NDArray[np.bool_], frame_ms: int = FRAME_MS) -> Samples:
    """Each lost frame replaced by the frame before it (as played), faded by ``CONCEALMENT_FADE``: a run
    of losses dies away instead of buzzing."""
    size = rate * frame_ms // 1000
    out = x.copy()
    for index in np.flatnonzero(lost):
        start = int(index) * size
        if start >= x.size:
            break
        previous = out[max(0, start - size) : start] if start else np.zeros(0)
        frame = np.zeros(min(size, x.size - start))
        frame[: min(previous.size, frame.size)] = previous[: frame.size] * CONCEALMENT_FADE
        out[start : start + frame.size] = frame
    return out


def packet_loss(x: Samples, rate: int, ratio: float, seed: int) -> Samples:
    size = rate * FRAME_MS // 1000
    return conceal(x, rate, lost_frames(-(-x.size // size), ratio, seed))


def clip(x: Samples, gain_db: float) -> Samples:
    """A hot microphone: the peak brought to full scale, then ``gain_db`` more, clipped at full scale (so
    the share clipped depends on the speech, not on the engine's output level)."""
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak == 0:
        return x.copy()
    return np.clip(x / peak * 10 ** (gain_db / 20), -1.0, 1.0)


@dataclass(frozen=True, slots=True)
class Degradation:
    """One listening condition; every condition ends in the telephone channel (8 kHz μ-law)."""

    name: str
    snr_db: float | None = None  # background babble at this SNR
    loss: float = 0.0  # share of 20 ms packets lost
    clip_gain_db: float | None = None  # microphone gain before clipping

    def apply(self, x: Samples, rate: int, seed: int) -> Samples:
        """``x`` at ``rate`` → the degraded signal at 8 kHz, the same for the same seed."""
        if self.clip_gain_db is not None:
            x = clip(x, self.clip_gain_db)
        if self.snr_db is not None:
            x = add_noise(x, rate, self.snr_db, seed)
        x = telephone(x, rate)
        if self.loss:
            x = packet_loss(x, TELEPHONE_RATE, self.loss, seed + 1)
        return x


CONDITIONS: Final = (
    Degradation("telephone"),
    Degradation("snr20", snr_db=20.0),
    Degradation("snr10", snr_db=10.0),
    Degradation("snr5", snr_db=5.0),
    Degradation("loss2", loss=0.02),
    Degradation("clipped", clip_gain_db=12.0),
)
