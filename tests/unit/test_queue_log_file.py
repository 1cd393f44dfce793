"""Reading the recent part of a queue_log from its end: the same lines as filtering the whole file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from callcenter.adapters.asterisk.queue_log_file import read_lines, read_lines_since

T0 = 1_795_000_000


def journal(tmp_path: Path, count: int) -> Path:
    lines = [f"{T0 + i * 7}|test-{i}|hotline|NONE|ENTERQUEUE||1380013{i:04d}|1" for i in range(count)]
    lines.insert(count // 2, "garbled line without a time")
    path = tmp_path / "queue_log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("block", [7, 64, 1000, 65536])
@pytest.mark.parametrize("since_offset", [-100, 0, 7 * 150, 7 * 150 + 3, 7 * 299, 7 * 400])
def test_the_recent_lines_equal_the_whole_file_filtered(
    tmp_path: Path, block: int, since_offset: int
) -> None:
    path = journal(tmp_path, 300)
    since = datetime.fromtimestamp(T0 + since_offset, UTC)
    expected = [
        line
        for line in read_lines(path)
        if not line.split("|")[0].isdigit() or int(line.split("|")[0]) >= since.timestamp()
    ]
    got = read_lines_since(path, since, block=block)
    # a line without a time is kept only where it lies among the lines read
    assert [line for line in got if "|" in line] == [line for line in expected if "|" in line]


def test_an_empty_journal_has_no_lines(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"")
    assert read_lines_since(path, datetime.fromtimestamp(T0, UTC)) == []
