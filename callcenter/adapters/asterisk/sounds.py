"""Putting the synthesized prompts where an instance's dialplan and music-on-hold find them."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from callcenter.ivr.prompts import HOLD_PROMPTS, PROMPTS
from callcenter.ivr.voice import DEFAULT_VOICE, Synthesizer, VoiceChoice


def install_prompts(
    sounds_cache: Path,
    sounds_dir: Path,
    moh_dir: Path,
    synthesizer: Synthesizer | None = None,
    voice: VoiceChoice = DEFAULT_VOICE,
) -> None:
    """Synthesize into the shared cache if needed (idempotent), then copy into the instance.

    ``sounds/<id>.wav`` is played by the dialplan; music-on-hold loops every file in ``moh/``.
    """
    # Imported here: the package __init__ must not import the module that `python -m` runs as __main__.
    from callcenter.adapters.asterisk.prompts import synthesize_all

    synthesize_all(sounds_cache, synthesizer=synthesizer, voice=voice)
    for prompt in PROMPTS:
        _copy_if_changed(sounds_cache / f"{prompt.id}.wav", sounds_dir / f"{prompt.id}.wav")
    for prompt in HOLD_PROMPTS:
        _copy_if_changed(sounds_cache / f"{prompt.id}.wav", moh_dir / f"{prompt.id}.wav")


def _copy_if_changed(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and filecmp.cmp(source, target, shallow=False):
        return
    shutil.copyfile(source, target)
