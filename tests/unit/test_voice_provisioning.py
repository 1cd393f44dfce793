"""The voice files are refused when damaged, and a missing file falls back to espeak-ng — loudly."""

from __future__ import annotations

import hashlib
import io
import logging
import tarfile
from pathlib import Path

import numpy as np
import pytest

from callcenter.adapters.voice import models
from callcenter.adapters.voice.espeak import EspeakSynthesizer, to_pinyin
from callcenter.adapters.voice.factory import build_synthesizer
from callcenter.config.settings import Settings
from callcenter.config.validation import validate
from callcenter.core.errors import ConfigError
from callcenter.ivr.voice import MANDARIN_VOICES


def _parts(tmp_path: Path) -> list[Path]:
    parts = []
    for i, data in enumerate((b"first", b"second"), 1):
        part = tmp_path / f"part{i}.bin"
        part.write_bytes(data)
        parts.append(part)
    return parts


def test_a_joined_model_with_the_wrong_hash_is_refused_and_deleted(tmp_path: Path) -> None:
    dest = tmp_path / "voice"
    with pytest.raises(ConfigError, match="does not match its pinned sha256") as caught:
        models.join_model(dest, _parts(tmp_path))
    assert caught.value.details["reason"] == "hash_mismatch"
    assert "refused and deleted" in caught.value.message
    assert not (dest / models.MODEL_FILE).exists()
    assert not any(dest.iterdir())  # no temporary left either


def test_a_joined_model_with_the_pinned_hash_is_kept(tmp_path: Path) -> None:
    expected = hashlib.sha256(b"firstsecond").hexdigest()
    path = models.join_model(tmp_path, _parts(tmp_path), expected=expected)
    assert path.read_bytes() == b"firstsecond"


def _tarball(voices: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in voices.items():
            info = tarfile.TarInfo(f"package/voices/{name}.bin")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_voice_with_the_wrong_hash_is_refused() -> None:
    data = np.zeros(models.VOICE_SHAPE, dtype="<f4").tobytes()
    with pytest.raises(ConfigError, match="zf_xiaobei does not match its pinned sha256"):
        models.voices_from_tarball(_tarball({"zf_xiaobei": data}), {"zf_xiaobei": "0" * 64})


def test_voices_round_trip_through_the_npz_with_their_hashes(tmp_path: Path) -> None:
    data = np.arange(np.prod(models.VOICE_SHAPE), dtype="<f4").tobytes()
    pins = {"zf_xiaobei": hashlib.sha256(data).hexdigest()}
    path = models.write_voices(tmp_path, models.voices_from_tarball(_tarball({"zf_xiaobei": data}), pins))
    assert models.verify_voices(path, pins) == path
    with pytest.raises(ConfigError, match="does not match"):
        models.verify_voices(path, {"zf_xiaobei": "0" * 64})


def test_every_setting_voice_has_a_pinned_hash() -> None:
    assert tuple(models.VOICE_SHA256) == MANDARIN_VOICES


def test_a_missing_voice_file_falls_back_to_espeak_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / models.MODEL_FILE).write_bytes(b"not checked: the voices are missing first")
    with caplog.at_level(logging.WARNING, logger="callcenter.voice"):
        synthesizer = build_synthesizer("kokoro", tmp_path)
    assert isinstance(synthesizer, EspeakSynthesizer)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "missing_file" in warnings[0].getMessage()


def test_a_damaged_model_falls_back_to_espeak_naming_the_hash_mismatch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / models.MODEL_FILE).write_bytes(b"damaged")
    (tmp_path / models.VOICES_FILE).write_bytes(b"present")
    with caplog.at_level(logging.WARNING, logger="callcenter.voice"):
        synthesizer = build_synthesizer("kokoro", tmp_path)
    assert isinstance(synthesizer, EspeakSynthesizer)
    assert [r.getMessage() for r in caplog.records if "hash_mismatch" in r.getMessage()]


def test_espeak_asked_for_gives_espeak_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="callcenter.voice"):
        assert isinstance(build_synthesizer("espeak"), EspeakSynthesizer)
    assert not caplog.records


def test_free_text_becomes_tone_numbered_pinyin_with_digits_read_one_by_one() -> None:
    assert to_pinyin("您好，请按1") == "nin2 hao3, qing3 an4 yi1"


@pytest.mark.parametrize(
    ("key", "value"),
    [("voice_engine", "festival"), ("voice_name", "af_heart"), ("voice_speed", 2.5), ("voice_rate", 22050)],
)
def test_voice_settings_are_validated(key: str, value: object) -> None:
    from dataclasses import replace

    with pytest.raises(ConfigError) as caught:
        validate(replace(Settings(), **{key: value}))
    assert caught.value.details["key"] == key
