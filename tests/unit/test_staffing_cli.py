"""``python -m callcenter staffing``: one hour or a day's CSV forecast, table or JSON; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callcenter.commands.cli import main


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the CLI keeps its generated secrets in ./var


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["staffing", *args])
    return code, capsys.readouterr().out


def test_one_hour_by_erlang_c_and_erlang_a(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--calls-per-hour", "1200", "--aht", "300", "--patience", "120")
    header, row = out.strip().splitlines()
    assert code == 0 and header.split()[:4] == ["hour", "calls", "erlangs", "C"]
    assert row.split()[:5] == ["-", "1200", "100.00", "115", "95.5%"]
    assert row.split()[7] == "110"  # Erlang A: callers who hang up lighten the queue


def test_a_forecast_file_with_header_comments_and_blank_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    forecast = tmp_path / "day.csv"
    forecast.write_text("hour,calls\n\n8,300\n# lunch\n9,1200\n23,0\n", encoding="utf-8")
    code, out = run(capsys, "--forecast", str(forecast), "--aht", "300", "--json")
    plan = json.loads(out)
    assert code == 0 and [h["hour"] for h in plan] == [8, 9, 23]
    assert [h["erlang_c"]["agents"] for h in plan] == [34, 115, 0]
    assert all(h["erlang_a"] is None for h in plan)
    code, table = run(capsys, "--forecast", str(forecast), "--aht", "300")
    assert table.strip().splitlines()[-1].split()[:3] == ["total", "1500", "149"]


def test_the_textbook_case_through_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    """48 Erlangs at 240 s is 720 calls an hour; 95 % in 15 s needs more than the textbook's 55 agents."""
    code, out = run(capsys, "--calls-per-hour", "720", "--aht", "240", "--json")
    (hour,) = json.loads(out)
    assert code == 0 and hour["erlang_c"]["agents"] > 55 and hour["erlang_c"]["load_erlangs"] == 48.0


@pytest.mark.parametrize(
    "args",
    [
        ["--calls-per-hour", "nan", "--aht", "300"],
        ["--calls-per-hour", "100", "--aht", "0"],
        ["--calls-per-hour", "-5", "--aht", "300"],
        ["--calls-per-hour", "1e300", "--aht", "300"],
        ["--calls-per-hour", "100", "--aht", "300", "--target", "1"],
        ["--forecast", "missing.csv", "--aht", "300"],
    ],
)
def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out = run(capsys, *args)
    assert (code, out) == (2, "")


@pytest.mark.parametrize(
    "text",
    [
        "hour,calls\n8,lots\n",
        "8\n",
        "".join(f"{h % 24},10\n" for h in range(25)),
        "25,10\n",
        "8,10\n8,20\n",
    ],
)
def test_bad_forecast_files_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> None:
    forecast = tmp_path / "bad.csv"
    forecast.write_text(text, encoding="utf-8")
    assert run(capsys, "--forecast", str(forecast), "--aht", "300") == (2, "")


def test_a_huge_or_binary_forecast_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    big, binary = tmp_path / "big.csv", tmp_path / "bin.csv"
    big.write_text("8,10\n" * 20_000, encoding="utf-8")
    binary.write_bytes(b"\xff\xfe\x00\x01")
    for path in (big, binary):
        assert run(capsys, "--forecast", str(path), "--aht", "300") == (2, "")
