"""Attachment rules: types from magic bytes, limits, safe display names."""

from __future__ import annotations

import pytest

from callcenter.core.errors import InvalidInput, InvalidTransition
from callcenter.ticketing.orders.attachments import (
    JPEG,
    PDF,
    PNG,
    WEBP,
    AttachmentLimits,
    AttachmentQuotaExceeded,
    AttachmentsClosed,
    AttachmentTooLarge,
    AttachmentTypeRefused,
    TooManyAttachments,
    check_count,
    check_open,
    check_quota,
    check_size,
    safe_filename,
    sniff,
)
from callcenter.ticketing.states import TicketStatus

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
WEBP_HEAD = b"RIFF\x24\x00\x00\x00WEBPVP8 "
PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3"


@pytest.mark.parametrize(
    ("head", "kind"), [(JPEG_HEAD, JPEG), (PNG_HEAD, PNG), (WEBP_HEAD, WEBP), (PDF_HEAD, PDF)]
)
def test_accepted_types_are_recognised_by_their_first_bytes(head: bytes, kind: object) -> None:
    assert sniff(head) is kind


@pytest.mark.parametrize(
    "head",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00",  # Windows executable, whatever its name says
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00",
        b"<svg xmlns='http://www.w3.org/2000/svg'>",  # SVG can carry script
        b"<!DOCTYPE html><script>",
        b"PK\x03\x04\x14\x00\x06\x00",  # zip, docx
        b"GIF89a\x01\x00\x01\x00",
        b"RIFF\x24\x00\x00\x00WAVEfmt ",  # RIFF but not WebP
        b"\xff\xd8",  # truncated JPEG signature
        b"",
    ],
)
def test_anything_else_is_refused_whatever_it_claims_to_be(head: bytes) -> None:
    with pytest.raises(AttachmentTypeRefused) as refused:
        sniff(head)
    assert refused.value.code == "attachment_type_refused" and isinstance(refused.value, InvalidInput)


def test_size_limit_is_inclusive() -> None:
    limits = AttachmentLimits(max_bytes=100)
    check_size(100, limits)
    with pytest.raises(AttachmentTooLarge) as refused:
        check_size(101, limits)
    assert refused.value.code == "attachment_too_large" and refused.value.details["max_bytes"] == 100


def test_count_limit_counts_stored_and_new_files() -> None:
    limits = AttachmentLimits(max_files=3)
    check_count(1, 2, limits)
    with pytest.raises(TooManyAttachments) as refused:
        check_count(2, 2, limits)
    assert refused.value.code == "too_many_attachments"


def test_the_quota_counts_stored_and_new_bytes_of_the_order() -> None:
    limits = AttachmentLimits(max_bytes=100, max_order_bytes=250)
    check_quota(150, 100, limits)  # exactly at the quota
    with pytest.raises(AttachmentQuotaExceeded) as refused:
        check_quota(150, 101, limits)
    assert refused.value.code == "attachment_quota_exceeded" and isinstance(refused.value, InvalidInput)
    assert refused.value.details == {"max_order_bytes": 250, "stored_bytes": 150}


def test_defaults_and_invalid_limits() -> None:
    mb = 1024 * 1024
    assert AttachmentLimits() == AttachmentLimits(max_bytes=10 * mb, max_files=20, max_order_bytes=100 * mb)
    with pytest.raises(InvalidInput):
        AttachmentLimits(max_bytes=0)
    with pytest.raises(InvalidInput):
        AttachmentLimits(max_files=0)
    with pytest.raises(InvalidInput):
        AttachmentLimits(max_bytes=100, max_order_bytes=99)  # a quota smaller than one file


@pytest.mark.parametrize("status", [s for s in TicketStatus if s is not TicketStatus.CLOSED])
def test_files_may_be_attached_before_the_order_is_closed(status: TicketStatus) -> None:
    check_open(status)


def test_closed_orders_take_no_more_files() -> None:
    with pytest.raises(AttachmentsClosed) as refused:
        check_open(TicketStatus.CLOSED)
    assert isinstance(refused.value, InvalidTransition)


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("现场照片.jpg", JPEG, "现场照片.jpg"),
        ("IMG_0001.JPEG", JPEG, "IMG_0001.jpeg"),
        ("scan.pdf", PDF, "scan.pdf"),
        ("virus.exe", JPEG, "virus.exe.jpg"),  # the name never decides the type
        ("photo.png", JPEG, "photo.png.jpg"),
        ("../../etc/passwd", PNG, "passwd.png"),
        ("C:\\Users\\张三\\桌面\\回复.pdf", PDF, "回复.pdf"),
        ('<script>alert("x")</script>.png', PNG, "script.png"),  # '/' ends a path component
        ("<img src=x onerror=alert(1)>.png", PNG, "img src=x onerror=alert(1).png"),
        ("bad\x00name\r\n.jpg", JPEG, "badname.jpg"),
        ("photo\u202egpj.exe", JPEG, "photogpj.exe.jpg"),  # right-to-left override dropped
        ("", WEBP, "附件.webp"),
        ("...", JPEG, "附件.jpg"),
        (".hidden.pdf", PDF, "hidden.pdf"),
        ("  很多   空格 .png ", PNG, "很多 空格.png"),
    ],
)
def test_display_names_are_safe(name: str, kind: object, expected: str) -> None:
    assert safe_filename(name, kind) == expected  # type: ignore[arg-type]


def test_long_names_are_shortened_keeping_the_extension() -> None:
    name = safe_filename("路" * 300 + ".jpg", JPEG)
    assert len(name) == 100 and name.endswith(".jpg")
