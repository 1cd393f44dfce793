"""panoramisk's AMI protocol, fixed to split messages as bytes before decoding them.

panoramisk 1.4 decodes every TCP read on its own with ``errors='ignore'``: a Chinese character whose
UTF-8 bytes straddle two reads is silently dropped ("张三李四" arrives as "三李四"). We buffer bytes,
cut complete messages on the blank line that ends each one, and only then decode them.
"""

from __future__ import annotations

import logging
from typing import Any

from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

log = logging.getLogger(__name__)

MESSAGE_END = b"\r\n\r\n"
BANNER_PREFIX = b"Asterisk Call Manager/"


def split_messages(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Cut ``buffer`` into complete AMI messages and the incomplete rest (kept for the next read)."""
    *complete, rest = buffer.split(MESSAGE_END)
    return [m for m in complete if m.strip()], rest


def strip_banner(buffer: bytes) -> tuple[str | None, bytes]:
    """The greeting line ``Asterisk Call Manager/x.y.z`` has no blank line after it; take it off."""
    if not buffer.startswith(BANNER_PREFIX):
        return None, buffer
    line, sep, rest = buffer.partition(b"\r\n")
    if not sep:
        return None, buffer
    return line[len(BANNER_PREFIX) :].decode("ascii", "replace").strip(), rest


def decode_message(raw: bytes) -> str:
    """AMI text is UTF-8 on Asterisk 22; a broken byte is replaced, never allowed to eat a neighbour."""
    return raw.decode("utf-8", "replace").strip()


class Utf8AMIProtocol(AMIProtocol):  # type: ignore[misc]
    """Drop-in protocol for ``panoramisk.Manager(protocol_factory=Utf8AMIProtocol)``."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._pending = b""

    def data_received(self, data: bytes) -> None:
        buffer = self._pending + data
        if getattr(self, "version", None) is None:
            version, buffer = strip_banner(buffer)
            if version is not None:
                self.version = version
        messages, self._pending = split_messages(buffer)
        for raw in messages:
            self._handle_raw(raw)

    def _handle_raw(self, raw: bytes) -> None:
        message = Message.from_line(decode_message(raw))
        if message is None:
            log.warning("skipping unparseable AMI message (%d bytes)", len(raw))
            log.debug("unparseable AMI message: %r", raw[:200])  # may hold a caller's number: DEBUG only
            return
        try:
            self.handle_message(message)
        except Exception:
            # A bad message must never take the connection down with it. Its headers may hold a caller's
            # number (CallerIDNum): the event's name is logged, the whole message only at DEBUG.
            log.exception("error while handling AMI message %s (%d bytes)", _event_name(raw), len(raw))
            log.debug("the AMI message: %r", raw[:200])


def _event_name(raw: bytes) -> str:
    """The ``Event:`` (or ``Response:``) header of a raw message, for a log line that holds nothing else."""
    for line in raw.split(b"\r\n")[:3]:
        name, _, value = line.partition(b":")
        if name.strip().lower() in (b"event", b"response"):
            return value.strip()[:40].decode("ascii", "replace")
    return "?"
