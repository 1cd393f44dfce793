"""Speech synthesis engines behind ``callcenter.ivr.voice.Synthesizer`` (docs/voice.md).

* ``kokoro``: the natural voice, Kokoro-82M v1.0 int8 (ONNX) with misaki's Mandarin G2P;
* ``espeak``: the espeak-ng fallback (robotic, always available where setup ran);
* ``factory``: Kokoro when its files are provisioned and verified, else espeak-ng with one warning;
* ``models``: provisioning and verification of the Kokoro files (``python -m
  callcenter.adapters.voice.models fetch --dest DIR``).
"""
