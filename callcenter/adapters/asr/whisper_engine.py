"""faster-whisper (CTranslate2) speech engine behind the :class:`~callcenter.asr.port.Transcriber` port.

Whisper-base, int8 on CPU, beam search 5, language fixed to Mandarin ("zh"), word timestamps on. Whisper often
writes Traditional characters for Mandarin: every segment and word is converted to Simplified (OpenCC t2s).
Audio is resampled to Whisper's 16 kHz with soxr HQ. A silent side is not decoded at all: Whisper invents text
for silence ("请不吝点赞 订阅…"), and a stereo call leaves each side silent for long stretches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faster_whisper import WhisperModel

from callcenter.adapters.asr.models import whisper_base_files
from callcenter.adapters.asr.settings import WhisperOptions
from callcenter.asr.audio import is_silent, resample
from callcenter.asr.model import Audio, Segment, Speaker, Word
from callcenter.asr.text import to_simplified
from callcenter.core.errors import AudioError, ConfigError

WHISPER_RATE = 16000


class WhisperTranscriber:
    """Transcribes one call side with Whisper; the model is loaded once in ``__init__``."""

    name = "whisper"
    language = "zh"
    rate = WHISPER_RATE

    def __init__(
        self, options: WhisperOptions | None = None, *, files: Mapping[str, bytes] | None = None
    ) -> None:
        self.options = options or WhisperOptions()
        self._model = _load(self.options, files)

    def transcribe(self, audio: Audio, speaker: Speaker) -> tuple[Segment, ...]:
        """Segments of one side in time order; silent side → (); empty audio → AudioError(reason="empty")."""
        if len(audio.samples) == 0:
            raise AudioError("no samples to transcribe", reason="empty")
        if is_silent(audio):
            return ()
        found, _info = self._model.transcribe(
            resample(audio, WHISPER_RATE).samples,
            language=self.language,
            beam_size=self.options.beam_size,
            word_timestamps=True,
            vad_filter=self.options.vad_filter,
            initial_prompt=self.options.initial_prompt,
        )
        segments = (_segment(item, speaker, audio.duration) for item in found)  # decoding happens lazily here
        return tuple(segment for segment in segments if segment.text)


def _load(options: WhisperOptions, files: Mapping[str, bytes] | None) -> Any:
    """WhisperModel from ``options.model_dir``, or in memory from ``files`` (default: the PyPI parts)."""
    common: dict[str, Any] = {
        "device": "cpu",
        "compute_type": options.compute_type,
        "cpu_threads": options.cpu_threads,
        "num_workers": 1,
    }
    if options.model_dir is not None:
        if not (options.model_dir / "model.bin").is_file():
            raise ConfigError(f"no faster-whisper model.bin in {options.model_dir}", reason="model_missing")
        return WhisperModel(str(options.model_dir), local_files_only=True, **common)
    in_memory = dict(files) if files is not None else whisper_base_files()  # faster-whisper pops from it
    return WhisperModel("whisper-base", files=in_memory, **common)


def _clamp(seconds: float, duration: float) -> float:
    """Seconds inside [0, duration], rounded to the millisecond (faster-whisper adds float noise)."""
    return round(min(max(float(seconds), 0.0), duration), 3)


def _segment(item: Any, speaker: Speaker, duration: float) -> Segment:
    words = tuple(_word(word, duration) for word in (item.words or ()) if word.word.strip())
    start, end = _clamp(item.start, duration), _clamp(item.end, duration)
    return Segment(
        speaker=speaker, start=start, end=max(end, start), text=to_simplified(item.text.strip()), words=words
    )


def _word(word: Any, duration: float) -> Word:
    start = _clamp(word.start, duration)
    end = max(_clamp(word.end, duration), start)
    return Word(
        text=to_simplified(word.word.strip()), start=start, end=end, confidence=float(word.probability)
    )
