"""Calls and draft tickets as JSON: no file system path ever leaves the server.

A call row holds where Asterisk wrote its recordings; a failed transcript's message may name the file it
could not read. Responses say instead whether there is a recording to replay (``has_recording``) and where
to replay it (``recording_url``, an API path); paths in messages become ``…``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

RECORDING_PATHS = ("recording_caller", "recording_agent", "recording_mixed")
_PATH = re.compile(r"(?<![\w/.])/[^\s:;,'\"()]+")  # an absolute path in a message


def without_paths(message: str | None) -> str | None:
    """The message with every absolute path replaced by ``…`` (the code beside it says what went wrong)."""
    return None if message is None else _PATH.sub("…", message)


def recording_url(call_id: str) -> str:
    return f"/api/calls/{quote(call_id, safe='')}/recording.wav"


def transcript_json(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {**row, "error_message": without_paths(row.get("error_message"))}


def call_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """A call (with its transcript and ticket when the row has them), recordings as a flag and a URL."""
    out = {k: v for k, v in row.items() if k not in RECORDING_PATHS}
    has_recording = bool(row.get("recording_mixed")) and bool(row.get("recording_complete"))
    out["has_recording"] = has_recording
    out["recording_url"] = recording_url(str(row["call_id"])) if has_recording else None
    if "transcript" in row:
        out["transcript"] = transcript_json(row["transcript"])
    return out


def ticket_json(row: Mapping[str, Any], transcript_shown: bool) -> dict[str, Any]:
    """A draft ticket; its call's transcript only when the viewer may see the call (staff/call_access.py)."""
    out = dict(row)
    restricted = not transcript_shown and row.get("transcript") is not None
    out["transcript"] = transcript_json(row.get("transcript")) if transcript_shown else None
    out["transcript_restricted"] = restricted
    return out
