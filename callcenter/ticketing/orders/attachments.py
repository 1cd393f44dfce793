"""Attachments (附件) of a work order: photos of the spot and scanned documents, within limits.

The rules, pure: how big a file and how many per order, which types are accepted — decided from the
file's first bytes (magic numbers), never from the name or the Content-Type the client claims — and the
safe display name kept for a file. Storage and HTTP are adapters' work.

Accepted types and why (docs/unit-inbox.md):

* JPEG and PNG — photos of the spot taken by a phone (现场照片), screenshots;
* WebP — what some Android cameras and messaging apps save photos as;
* PDF — scanned replies, notices and certificates (书面答复, 告知书).

Nothing else: no office documents (macros), archives (unscannable), HTML or SVG (script) or executables.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import NewType

from callcenter.core.actors import StaffId, UnitId
from callcenter.core.errors import InvalidInput, InvalidTransition
from callcenter.core.ids import TicketId
from callcenter.ticketing.states import TicketStatus

AttachmentId = NewType("AttachmentId", str)

SNIFF_BYTES = 12  # enough for every signature below (WebP needs 12)
MAX_FILENAME_CHARS = 100
UNSAFE_NAME_CHARS = frozenset('<>:"/\\|?*')
FALLBACK_NAME = "附件"


class AttachmentTooLarge(InvalidInput):
    code = "attachment_too_large"


class AttachmentTypeRefused(InvalidInput):
    code = "attachment_type_refused"


class TooManyAttachments(InvalidInput):
    code = "too_many_attachments"


class AttachmentQuotaExceeded(InvalidInput):
    """The order's files together would pass the order's quota of bytes."""

    code = "attachment_quota_exceeded"


class AttachmentsClosed(InvalidTransition):
    """A concluded order (办结) is archived as it stands: nothing is attached to it any more."""

    code = "attachments_closed"


@dataclass(frozen=True, slots=True)
class AttachmentLimits:
    """Per file and per order; a city may configure others (defaults: 10 MB a file, 20 files and 100 MB
    in all per order — a phone photo is 2–5 MB, a scanned reply a few hundred kB a page)."""

    max_bytes: int = 10 * 1024 * 1024
    max_files: int = 20
    max_order_bytes: int = 100 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.max_files < 1 or self.max_order_bytes < self.max_bytes:
            raise InvalidInput(
                "attachment limits must be positive, the order's quota at least one file's limit",
                max_bytes=self.max_bytes,
                max_order_bytes=self.max_order_bytes,
            )


DEFAULT_LIMITS = AttachmentLimits()


@dataclass(frozen=True, slots=True)
class FileType:
    content_type: str
    extension: str  # the one given to a display name that lacks a fitting one
    extensions: frozenset[str]


JPEG = FileType("image/jpeg", ".jpg", frozenset({".jpg", ".jpeg", ".jpe"}))
PNG = FileType("image/png", ".png", frozenset({".png"}))
WEBP = FileType("image/webp", ".webp", frozenset({".webp"}))
PDF = FileType("application/pdf", ".pdf", frozenset({".pdf"}))
ALLOWED_TYPES = (JPEG, PNG, WEBP, PDF)
BY_CONTENT_TYPE = {t.content_type: t for t in ALLOWED_TYPES}


@dataclass(frozen=True, slots=True)
class Attachment:
    """One stored file of an order: who uploaded it, when, what it is (the bytes are elsewhere)."""

    id: AttachmentId
    ticket_id: TicketId
    uploaded_by: StaffId
    unit: UnitId | None  # the uploader's unit; None for hotline staff
    filename: str  # display name only, never a path
    content_type: str
    size: int
    sha256: str
    created_at: datetime


def sniff(head: bytes) -> FileType:
    """The file's type from its first ``SNIFF_BYTES`` bytes, or ``AttachmentTypeRefused``."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    raise AttachmentTypeRefused(
        "only JPEG, PNG and WebP photos and PDF documents are accepted",
        accepted=[t.content_type for t in ALLOWED_TYPES],
    )


def check_size(size: int, limits: AttachmentLimits) -> None:
    """Called as bytes arrive, so an oversize upload stops at the limit."""
    if size > limits.max_bytes:
        raise AttachmentTooLarge(
            f"an attachment may be at most {limits.max_bytes} bytes", max_bytes=limits.max_bytes
        )


def check_count(stored: int, adding: int, limits: AttachmentLimits) -> None:
    if stored + adding > limits.max_files:
        raise TooManyAttachments(
            f"an order may have at most {limits.max_files} attachments",
            max_files=limits.max_files,
            stored=stored,
        )


def check_quota(stored_bytes: int, adding_bytes: int, limits: AttachmentLimits) -> None:
    """The order's files together stay within ``max_order_bytes``; checked after each file of an upload
    (a file is cut off at ``max_bytes`` anyway) and again when the rows are written."""
    if stored_bytes + adding_bytes > limits.max_order_bytes:
        raise AttachmentQuotaExceeded(
            f"an order's attachments may take at most {limits.max_order_bytes} bytes together",
            max_order_bytes=limits.max_order_bytes,
            stored_bytes=stored_bytes,
        )


def check_open(status: TicketStatus) -> None:
    """Files may be attached at any stage before 办结; a reopened order (重办) takes them again."""
    if status is TicketStatus.CLOSED:
        raise AttachmentsClosed("the order is closed; nothing can be attached to it", status=status)


def safe_filename(name: str, kind: FileType) -> str:
    """A display name: the last path component, no control or path characters, at most 100 characters,
    ending with an extension of the file's real type. Used for display and Content-Disposition only."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in base if _printable(ch) and ch not in UNSAFE_NAME_CHARS)
    kept = " ".join(kept.split()).strip(" .")
    stem, ext = _split_extension(kept)
    if ext.lower() not in kind.extensions:
        stem, ext = kept, kind.extension
    stem = stem[: MAX_FILENAME_CHARS - len(ext)].rstrip(" .") or FALLBACK_NAME
    return stem + ext.lower()


def _printable(ch: str) -> bool:
    """Letters, marks, numbers, punctuation, symbols and plain spaces; no controls, format characters
    (e.g. U+202E, which would display "gpj.exe" as "exe.jpg") or unusual separators."""
    return ch == " " or unicodedata.category(ch)[0] in "LMNPS"


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext or len(ext) > 5:
        return name, ""
    return stem, "." + ext
