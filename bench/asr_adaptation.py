"""Whisper at telephone quality: what domain adaptation, the resampler and each decoding lever do to CER.

Run from the repository root:  python bench/asr_adaptation.py [--levers all|core] [--verbose]

Audio: the caller side at telephone quality — the shared Mandarin set's 8 kHz G.711 μ-law copies
(``../shared/speech/zh/8k``, 15 real utterances, 299 characters), upsampled to 16 kHz by linear
interpolation, soxr HQ (the engine's default) or soxr VHQ; and the three espeak-ng hotline utterances
(``../shared/speech/zh_tts_espeak``, robotic, 8 kHz) as a small in-domain check. CER is corpus-level (total
edits / reference characters) after normalisation; it is deterministic from run to run.

Levers, each changed alone from the default (beam 5, VAD spans, temperature fallback on): the domain prompt
(and a bare hotline opening) and hot words built from the gazetteer and the hotline terms
(adapters/asr/domain_vocabulary.py; no test sentence in them), beam size, the span splitter's padding and
pause length, temperature fallback off, ``without_timestamps``. ``condition_on_previous_text`` is not a
lever here: each span (≤ 25 s) is one 30 s window, so there is no previous text within a decode.

Then the engine's resampler (HQ, VHQ) × beam (5, 8) on the clips and on the same clips joined into one call-
shaped side. Also prints the CPU cost of resampling one minute of 8 kHz audio to 16 kHz with each resampler.
Figures are measured on a 2-core machine that other test suites may be loading: RTF varies with that, CER
does not. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soxr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

from bench.asr_baseline import DEFAULT_CORPUS, corpus_clips, joined, linear_upsample
from callcenter.adapters.asr.cer import ErrorCount, cer_count
from callcenter.adapters.asr.settings import WhisperOptions
from callcenter.asr.model import Audio, Speaker

TTS_CORPUS = DEFAULT_CORPUS.parent / "zh_tts_espeak"
Clip = tuple[str, str, Audio]
PROMPT_OPENING_ONLY = "您好，这里是12345市民服务热线。"


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    options: WhisperOptions
    upsample: str = "soxr HQ"  # how the 8 kHz audio reaches 16 kHz


def soxr_upsample(quality: str) -> Callable[[Audio], Audio]:
    def up(audio: Audio) -> Audio:
        samples = soxr.resample(audio.samples, audio.rate, 16000, quality=quality)
        return Audio(np.asarray(samples, dtype=np.float32), 16000)

    return up


UPSAMPLERS: dict[str, Callable[[Audio], Audio]] = {
    "linear": linear_upsample,
    "soxr HQ": soxr_upsample("HQ"),
    "soxr VHQ": soxr_upsample("VHQ"),
    "soxr MQ": soxr_upsample("MQ"),
}


def resampling_cost(repeats: int = 5) -> dict[str, float]:
    """CPU seconds to bring one minute of 8 kHz audio to 16 kHz, best of ``repeats``."""
    minute = Audio(np.random.default_rng(1).uniform(-0.5, 0.5, 8000 * 60).astype(np.float32), 8000)
    cost: dict[str, float] = {}
    for name, up in UPSAMPLERS.items():
        best = float("inf")
        for _ in range(repeats):
            started = time.process_time()
            up(minute)
            best = min(best, time.process_time() - started)
        cost[name] = best
    return cost


def variants(prompt: str, words: str, levers: str) -> list[Variant]:
    base = WhisperOptions(cpu_threads=2)
    best = "soxr VHQ"
    core = [
        Variant("no adaptation", base, "linear"),
        Variant("no adaptation", base, "soxr HQ"),
        Variant("no adaptation", base, best),
        Variant("+ domain prompt", replace(base, initial_prompt=prompt), best),
        Variant("+ hotwords", replace(base, hotwords=words), best),
        Variant("+ prompt + hotwords", replace(base, initial_prompt=prompt, hotwords=words), best),
        Variant("+ prompt + hotwords", replace(base, initial_prompt=prompt, hotwords=words), "linear"),
        Variant("prompt: opening only", replace(base, initial_prompt=PROMPT_OPENING_ONLY), best),
    ]
    if levers == "core":
        return core
    return [
        *core,
        Variant("beam 1 (greedy)", replace(base, beam_size=1), best),
        Variant("beam 8", replace(base, beam_size=8), best),
        Variant("temperature fallback off", replace(base, temperature_fallback=False), best),
        Variant("VAD pad 300 ms", replace(base, speech_pad_ms=300), best),
        Variant("VAD pad 1000 ms", replace(base, speech_pad_ms=1000), best),
        Variant("VAD min pause 500 ms", replace(base, min_silence_ms=500), best),
        Variant("no VAD split", replace(base, split_on_silence=False), best),
        Variant("without_timestamps", replace(base, without_timestamps=True), best),
    ]


def score(transcriber: object, clips: Sequence[Clip], verbose: bool, label: str) -> tuple[ErrorCount, float]:
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

    assert isinstance(transcriber, WhisperTranscriber)
    errors, busy, seconds = ErrorCount(0, 0), 0.0, 0.0
    for name, reference, audio in clips:
        started = time.perf_counter()
        hypothesis = "".join(s.text for s in transcriber.transcribe(audio, Speaker.CALLER))
        busy += time.perf_counter() - started
        seconds += audio.duration
        count = cer_count(reference, hypothesis)
        errors = errors + count
        if verbose:
            print(f"  [{label}] {name}: {count.rate:.0%} {hypothesis}")
    return errors, busy / seconds


def resampler_and_beam(model: object, corpus: Path) -> None:
    """The engine's own resampler (HQ, VHQ) × beam (5, 8) on the clips and on the clips as one call side."""
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

    assert isinstance(model, WhisperTranscriber)
    clips = corpus_clips(corpus / "8k")  # 8 kHz: the engine resamples
    side = joined(clips)
    print("\nengine resampler × beam (clips / the same clips as one 146 s side with 4 s pauses):")
    for quality in ("HQ", "VHQ"):
        for beam in (5, 8):
            engine = model.with_options(replace(model.options, resample_quality=quality, beam_size=beam))
            single, _ = score(engine, clips, False, "")
            long, rtf = score(engine, side, False, "")
            print(
                f"  soxr {quality:<3} beam {beam}: clips {single.rate:.1%} ({single.edits}/{single.length}), "
                f"side {long.rate:.1%} ({long.edits}/{long.length}), both {single.edits + long.edits} edits, "
                f"side RTF {rtf:.3f}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="speech/zh directory")
    parser.add_argument("--levers", choices=("core", "all"), default="all")
    parser.add_argument("--verbose", action="store_true", help="every hypothesis")
    args = parser.parse_args(argv)

    from callcenter.adapters.asr.domain_vocabulary import hotwords, whisper_prompt
    from callcenter.adapters.asr.factory import domain_vocabulary_from_seed
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

    vocabulary = domain_vocabulary_from_seed()
    prompt, words = whisper_prompt(vocabulary), hotwords(vocabulary)
    print(f"prompt ({len(prompt)} chars): {prompt}\nhotwords ({len(words)} chars): {words}\n")
    print("resampling 1 min of 8 kHz audio to 16 kHz, CPU seconds (best of 5, machine under load):")
    for name, cpu in resampling_cost().items():
        print(f"  {name:<9} {cpu * 1000:7.1f} ms")

    phone = {name: corpus_clips(args.corpus / "8k", up) for name, up in UPSAMPLERS.items()}
    tts = {name: corpus_clips(TTS_CORPUS, up) for name, up in UPSAMPLERS.items()}
    header = (
        f"\n{'variant':<28} {'upsampling':<10} {'real 8k CER':>11} {'edits':>7} {'RTF':>6} {'tts CER':>8}"
    )
    rows = []
    shared_model = WhisperTranscriber(WhisperOptions(cpu_threads=2))
    resampler_and_beam(shared_model, args.corpus)
    for variant in variants(prompt, words, args.levers):
        transcriber = _with_options(shared_model, variant.options)
        label = f"{variant.name} / {variant.upsample}"
        real, rtf = score(transcriber, phone[variant.upsample], args.verbose, label)
        synthetic, _ = score(transcriber, tts[variant.upsample], args.verbose, label)
        rows.append((variant, real, rtf, synthetic))
        print(f"  {label}: real {real.rate:.1%} ({real.edits}/{real.length}), tts {synthetic.rate:.1%}")
    print(header + "\n" + "-" * (len(header) - 1))
    for variant, real, rtf, synthetic in rows:
        edits = f"{real.edits}/{real.length}"
        print(
            f"{variant.name:<28} {variant.upsample:<10} {real.rate:>11.1%} {edits:>7} {rtf:>6.3f} "
            f"{synthetic.rate:>8.1%}"
        )
    return 0


def _with_options(model: object, options: WhisperOptions) -> object:
    """The loaded model with other decoding options (loading once saves ~2 s and 300 MB per variant)."""
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

    assert isinstance(model, WhisperTranscriber)
    return model.with_options(options)


if __name__ == "__main__":
    raise SystemExit(main())
