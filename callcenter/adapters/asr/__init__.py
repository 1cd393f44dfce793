"""Speech engines (Vosk, faster-whisper) behind the Transcriber port; see docs/asr.md.

Import from the modules (``factory.build_transcriber``, ``factory.transcriber_from_config``,
``settings.WhisperOptions``): this package imports nothing, so ``python -m callcenter.adapters.asr.models``
runs its module exactly once.
"""
