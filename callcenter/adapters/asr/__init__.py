"""Speech engines (Vosk, faster-whisper) behind the Transcriber port; see docs/asr.md."""

from callcenter.adapters.asr.factory import AsrConfig, build_transcriber, transcriber_from_config
from callcenter.adapters.asr.settings import EngineName, WhisperOptions

__all__ = ["AsrConfig", "EngineName", "WhisperOptions", "build_transcriber", "transcriber_from_config"]
