"""How well the project's recogniser hears each Kokoro Mandarin voice: CER per voice, through the phone.

Run from the repository root:  python bench/voice_intelligibility.py [--speed 1.0] [--wideband]

Three hotline sentences (a place with an urgency cue, a complaint, a spoken phone number and street),
read by each of the eight voices (callcenter/ivr/voice.py ``MANDARIN_VOICES``), through one G.711 μ-law
round trip at 8 kHz (``--wideband``: 16 kHz, no phone line), transcribed by Whisper as the ASR worker
builds it; CER per voice over the three. This is why the corpus reads with seven voices, not eight
(callcenter_sim/corpus/generate.py ``VOICES``, docs/corpus.md "Voices"). Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

SENTENCES = (
    "你好，我家在安定门街道五道营社区，楼道里有一股煤气味，请帮忙解决一下。",
    "我们小区门口的路灯坏了一个多星期了，晚上出门很不方便，希望有关部门尽快修理。",
    "联系电话幺三八零八二三五二六六，我姓王，住在东城区景山街道。",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--wideband", action="store_true", help="no telephone round trip")
    args = parser.parse_args(argv)

    from callcenter.adapters.asr.audio import telephone_round_trip
    from callcenter.adapters.asr.cer import ErrorCount, cer_count
    from callcenter.adapters.asr.factory import transcriber_from_config
    from callcenter.adapters.voice.audio import samples_of
    from callcenter.adapters.voice.factory import build_synthesizer
    from callcenter.asr.model import Audio, Speaker
    from callcenter.config.settings import Settings
    from callcenter.ivr.voice import MANDARIN_VOICES, VoiceChoice

    transcriber = transcriber_from_config(replace(Settings(), asr_engine="whisper"))
    synthesizer = build_synthesizer("kokoro")
    print(f"voice {synthesizer.engine}, speed {args.speed}, {'16 kHz' if args.wideband else '8 kHz μ-law'}")
    rate = 16000 if args.wideband else 8000
    for voice in MANDARIN_VOICES:
        total = ErrorCount(0, 0)
        heard = []
        for sentence in SENTENCES:
            speech = synthesizer.synthesize(sentence, VoiceChoice(voice, args.speed, rate))
            audio = Audio(samples_of(speech).astype(np.float32), speech.rate)
            if not args.wideband:
                audio = telephone_round_trip(audio)
            text = "".join(s.text for s in transcriber.transcribe(audio, Speaker.CALLER))
            total = total + cer_count(sentence, text)
            heard.append(text)
        print(f"{voice:<12} CER {total.rate:6.1%}   heard: {heard[0]}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
