"""ASR baseline: character error rate and real-time factor of each engine on the shared Mandarin set.

Run from the repository root:  python bench/asr_baseline.py [--recordings DIR] [--threads 2]

Sets: ``original`` (16/48 kHz files); ``8k μ-law, engine soxr`` (the same after a G.711 μ-law round trip,
upsampled by the engine: soxr HQ by default); ``8k μ-law, linear`` (upsampled by linear interpolation, to
show what the resampler is worth); ``8k μ-law, one long side`` (all 15 joined with 4 s pauses, the shape of
one side of a call); with ``--recordings``, WAVs that Asterisk recorded through a real call, named after
their source clip (``<clip stem>*.wav``; mono, or stereo with the caller on channel 0). Vosk runs the Korean
model, the only Vosk model here, so it gets a real-time factor but no CER. RTF = decoding time / audio
duration (model load excluded). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

from callcenter.adapters.asr.audio import is_silent, load_mono, load_recording
from callcenter.adapters.asr.cer import ErrorCount, cer_count
from callcenter.asr.model import Audio, Speaker
from callcenter.asr.ports import Transcriber

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "speech" / "zh"
Clip = tuple[str, str, Audio]  # name, reference text ("" = unscored), audio of the side that is scored


@dataclass(frozen=True, slots=True)
class Row:
    engine: str
    corpus: str
    clips: int
    seconds: float
    errors: ErrorCount | None
    rtf: float


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def references(corpus: Path) -> dict[str, str]:
    rows = (
        line.split("\t", 1) for line in (corpus / "transcripts.tsv").read_text("utf-8").splitlines() if line
    )
    return {Path(name).stem: text.strip() for name, text in rows}


def linear_upsample(audio: Audio, rate: int = 16000) -> Audio:
    """Linear interpolation: the cheap resampler soxr is compared with."""
    n = round(len(audio.samples) * rate / audio.rate)
    x = np.arange(n) * audio.rate / rate
    return Audio(np.interp(x, np.arange(len(audio.samples)), audio.samples).astype(np.float32), rate)


def corpus_clips(corpus: Path, prepare: Callable[[Audio], Audio] = lambda a: a) -> list[Clip]:
    refs = references(corpus)
    return [(stem, text, prepare(load_mono(corpus / f"{stem}.wav"))) for stem, text in refs.items()]


def joined(clips: Sequence[Clip], pause_s: float = 4.0) -> list[Clip]:
    """All clips as one long side with pauses between them; the reference is the texts in order."""
    rate = clips[0][2].rate
    pause = np.zeros(round(pause_s * rate), dtype=np.float32)
    samples = np.concatenate([part for _, _, audio in clips for part in (audio.samples, pause)])
    return [("joined", "".join(text for _, text, _ in clips), Audio(samples, rate))]


def source_of(stem: str, refs: dict[str, str]) -> str | None:
    """The clip a recording was made from: the longest clip stem that starts the recording's name."""
    matches = [clip for clip in refs if stem.startswith(clip) or stem.startswith(clip.removesuffix("_8k"))]
    return max(matches, key=len) if matches else None


def recording_clips(directory: Path, refs: dict[str, str], side: Speaker) -> list[Clip]:
    """Asterisk recordings: the ``side`` channel (mono files are that side), scored against their source."""
    clips: list[Clip] = []
    for path in sorted(directory.glob("*.wav")):
        sides = load_recording(path, mono_speaker=side)
        source = source_of(path.stem, refs)
        if side in sides and not is_silent(sides[side]):
            clips.append((path.name, refs.get(source, "") if source else "", sides[side]))
        else:
            print(f"  {path.name}: {side.value} side silent or absent; sides: {[s.value for s in sides]}")
    return clips


def run(
    engine: str,
    transcriber: Transcriber,
    corpus: str,
    clips: Sequence[Clip],
    score: bool,
    verbose: bool = False,
) -> Row:
    errors, busy, seconds = ErrorCount(0, 0), 0.0, 0.0
    for clip_name, reference, audio in clips:
        started = time.perf_counter()
        hypothesis = "".join(s.text for s in transcriber.transcribe(audio, Speaker.CALLER))
        busy += time.perf_counter() - started
        seconds += audio.duration
        if score and reference:
            errors = errors + cer_count(reference, hypothesis)
        if verbose:
            verdict = (
                f"CER {cer_count(reference, hypothesis).rate:.1%}" if score and reference else "not scored"
            )
            print(f"  {engine} {clip_name}: {verdict}: {hypothesis}")
    scored = errors if score and errors.length else None
    return Row(engine, corpus, len(clips), seconds, scored, busy / seconds if seconds else float("nan"))


def load(label: str, build: Callable[[], Transcriber]) -> Transcriber:
    before, started = rss_mb(), time.perf_counter()
    transcriber = build()
    print(f"{label}: model loaded in {time.perf_counter() - started:.1f} s, +{rss_mb() - before:.0f} MB RSS")
    return transcriber


COLUMNS: tuple[tuple[str, str], ...] = (("engine", "<10"), ("audio set", "<24"), ("clips", ">5"))
COLUMNS += (("audio s", ">8"), ("CER", ">7"), ("edits/chars", ">12"), ("RTF", ">6"))


def print_table(rows: Iterable[Row]) -> None:
    header = " ".join(f"{name:{spec}}" for name, spec in COLUMNS)
    print("\n" + header + "\n" + "-" * len(header))
    for r in rows:
        cer = f"{r.errors.rate:.1%}" if r.errors else "—"
        edits = f"{r.errors.edits}/{r.errors.length}" if r.errors else "—"
        cells = (r.engine, r.corpus, r.clips, f"{r.seconds:.1f}", cer, edits, f"{r.rtf:.3f}")
        print(" ".join(f"{cell:{spec}}" for cell, (_, spec) in zip(cells, COLUMNS, strict=True)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="speech/zh directory")
    parser.add_argument("--recordings", type=Path, help="WAVs Asterisk recorded through a real call")
    parser.add_argument("--side", choices=[s.value for s in Speaker], default="caller", help="side to score")
    parser.add_argument("--threads", type=int, default=2, help="Whisper CPU threads")
    parser.add_argument("--beam", type=int, default=5, help="Whisper beam size")
    parser.add_argument(
        "--engines",
        default="whisper,vosk-ko",
        help="comma-separated: whisper, whisper-lf (long-form, no split at silences), vosk-ko",
    )
    args = parser.parse_args(argv)

    from callcenter.adapters.asr.models import korean_vosk_model
    from callcenter.adapters.asr.settings import WhisperOptions
    from callcenter.adapters.asr.vosk_engine import VoskTranscriber
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

    phone = corpus_clips(args.corpus / "8k")
    sets: dict[str, list[Clip]] = {
        "original": corpus_clips(args.corpus),
        "8k μ-law, engine soxr": phone,
        "8k μ-law, linear": corpus_clips(args.corpus / "8k", linear_upsample),
        "8k μ-law, one long side": joined(phone),
    }
    if args.recordings:
        refs = references(args.corpus)
        sets[f"asterisk ({args.side})"] = recording_clips(args.recordings, refs, Speaker(args.side))
    builders: dict[str, Callable[[], Transcriber]] = {
        "whisper": lambda: WhisperTranscriber(WhisperOptions(cpu_threads=args.threads, beam_size=args.beam)),
        "whisper-lf": lambda: WhisperTranscriber(
            WhisperOptions(cpu_threads=args.threads, beam_size=args.beam, split_on_silence=False)
        ),
        "vosk-ko": lambda: VoskTranscriber(korean_vosk_model(), language="ko"),
    }
    rows: list[Row] = []
    for engine in args.engines.split(","):
        transcriber = load(engine, builders[engine])
        for name, clips in sets.items():
            if engine == "vosk-ko" and ("linear" in name or "long" in name):
                continue  # no CER for Korean on Mandarin: these comparisons say nothing here
            verbose = name.startswith("asterisk")
            rows.append(
                run(engine, transcriber, name, clips, score=engine.startswith("whisper"), verbose=verbose)
            )
        del transcriber
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
