"""Attachments through the real app on a real database (SQLite and PostgreSQL) and a disk store in tmp_path:
types by content, limits with nothing left behind, access through the order, download headers."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp import FormData, web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.attachments.disk import DiskBlobStore
from callcenter.adapters.attachments.sql import SqlAttachmentIndex
from callcenter.adapters.db.tables import attachments
from callcenter.adapters.http.attachments import add_attachment_routes
from callcenter.adapters.http.auth import CLOCK
from callcenter.adapters.http.workorders import WORK_ORDERS
from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.ids import TicketId
from callcenter.ticketing.attachments.service import Attachments
from callcenter.ticketing.orders.attachments import AttachmentLimits, AttachmentTooLarge
from tests.support.web import Web, build_web

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00" + b"photo-of-the-broken-lamp" * 100 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 500
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 500
LIMITS = AttachmentLimits(max_bytes=64 * 1024, max_files=4, max_order_bytes=150 * 1024)
ORDER = {
    "request_text": "建国门内大街18号门口的路灯坏了三天，晚上很黑。",
    "caller_number": "13800138000",
    "citizen": {"name": "王女士", "phone": "13800138000"},
    "category_code": "0501",
    "address": "东城区建国门内大街18号",
    "dispatch": {"lead_unit": "jianguomen"},
}


class Env:
    def __init__(self, web: Web, engine: AsyncEngine, root: Path, order: dict[str, Any]) -> None:
        self.web, self.engine, self.root, self.order = web, engine, root, order

    @property
    def url(self) -> str:
        return f"/api/workorders/{self.order['id']}/attachments"

    async def upload(self, user: str, *files: tuple[str, bytes], **headers: str) -> tuple[int, Any]:
        form = FormData()
        for name, content in files:
            form.add_field("file", content, filename=name, content_type="image/jpeg")
        client = await self.web.login(user)
        response = await client.post(self.url, data=form, headers=headers)
        return response.status, await response.json()

    async def rows(self) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(attachments))).scalar_one())

    def files(self) -> list[Path]:
        """Every file in the store, stored or temporary."""
        return sorted(p for p in self.root.rglob("*") if p.is_file())


@pytest.fixture
async def env(aiohttp_client: Any, engine: AsyncEngine, tmp_path: Path) -> Env:
    root = tmp_path / "attachments"

    def routes(app: web.Application) -> None:
        service = Attachments(
            app[WORK_ORDERS], SqlAttachmentIndex(engine), DiskBlobStore(root), app[CLOCK], LIMITS
        )
        add_attachment_routes(app, service)

    web_ = await build_web(aiohttp_client, engine, extra_routes=[routes])
    response = await (await web_.login("agent1")).post("/api/workorders", json=ORDER)
    return Env(web_, engine, root, await response.json())


async def test_photos_are_uploaded_listed_and_downloaded(env: Env) -> None:
    status, body = await env.upload("unit-a", ("现场照片.jpg", JPEG), ("screen.png", PNG))
    assert status == 201, body
    assert [(a["filename"], a["content_type"], a["size"]) for a in body["items"]] == [
        ("现场照片.jpg", "image/jpeg", len(JPEG)),
        ("screen.png", "image/png", len(PNG)),  # sniffed: the part claimed image/jpeg
    ]
    assert body["items"][0]["uploaded_by"] == "unit-a" and body["items"][0]["unit"] == "jianguomen"

    client = await env.web.login("dispatcher1")  # hotline staff see every order's files
    listed = await (await client.get(env.url)).json()
    assert [a["id"] for a in listed["items"]] == [a["id"] for a in body["items"]]
    response = await client.get(body["items"][0]["url"])
    assert response.status == 200 and await response.read() == JPEG
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "现场照片.jpg"
    stored = env.root / JPEG_PATH
    assert stored.read_bytes() == JPEG  # content-addressed by sha256


JPEG_PATH = (lambda h: f"{h[:2]}/{h[2:4]}/{h}")(hashlib.sha256(JPEG).hexdigest())


async def test_stored_files_are_private_to_the_service(env: Env) -> None:
    """Photos of citizens' matters: directories 0700, files 0600, whatever the process umask (issue 11)."""
    env.root.mkdir(mode=0o755)  # left open by an older version: tightened at the next upload
    status, body = await env.upload("unit-a", ("现场照片.jpg", JPEG))
    assert status == 201, body
    modes = {p.relative_to(env.root).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in env.root.rglob("*")}
    assert stat.S_IMODE(env.root.stat().st_mode) == 0o700
    assert modes[JPEG_PATH] == 0o600 and JPEG_PATH.split("/")[0] in modes
    assert {m for p, m in modes.items() if p != JPEG_PATH} == {0o700}, modes


async def test_uploading_does_not_change_the_orders_version(env: Env) -> None:
    client = await env.web.login("unit-a")
    before = await (await client.get(f"/api/workorders/{env.order['id']}")).json()
    assert (await env.upload("unit-a", ("a.jpg", JPEG)))[0] == 201
    after = await (await client.get(f"/api/workorders/{env.order['id']}")).json()
    assert after["version"] == before["version"] and after["status"] == before["status"]


async def test_an_executable_named_jpg_is_refused_and_nothing_is_kept(env: Env) -> None:
    status, body = await env.upload("unit-a", ("现场照片.jpg", EXE))
    assert (status, body["code"]) == (400, "attachment_type_refused")
    assert await env.rows() == 0 and env.files() == []


async def test_one_bad_file_refuses_the_whole_upload(env: Env) -> None:
    status, body = await env.upload("unit-a", ("ok.jpg", JPEG), ("bad.jpg", EXE))
    assert (status, body["code"]) == (400, "attachment_type_refused")
    assert await env.rows() == 0 and env.files() == []


async def test_an_oversize_file_is_refused_with_nothing_on_disk_or_in_the_table(env: Env) -> None:
    assert (await env.upload("unit-a", ("first.jpg", JPEG)))[0] == 201
    kept = env.files()
    big = JPEG[:20] + b"\x00" * (LIMITS.max_bytes + 1)
    status, body = await env.upload("unit-a", ("big.jpg", big))
    assert (status, body["code"]) == (400, "attachment_too_large")
    assert body["details"]["max_bytes"] == LIMITS.max_bytes
    assert await env.rows() == 1 and env.files() == kept  # the earlier file untouched, no partial file


async def test_a_file_at_the_limit_is_accepted(env: Env) -> None:
    exact = JPEG[:20] + b"\x00" * (LIMITS.max_bytes - 20)
    assert (await env.upload("unit-a", ("exact.jpg", exact)))[0] == 201


async def test_the_number_of_files_per_order_is_limited(env: Env) -> None:
    assert (await env.upload("unit-a", *[(f"{i}.png", PNG + bytes([i])) for i in range(3)]))[0] == 201
    status, body = await env.upload("unit-a", ("4.jpg", JPEG), ("5.jpg", JPEG + b"5"))
    assert (status, body["code"]) == (400, "too_many_attachments")
    assert await env.rows() == 3 and len(env.files()) == 3


async def test_an_orders_files_together_stay_within_its_quota(env: Env) -> None:
    def photo(n: int) -> bytes:  # a JPEG of exactly the per-file limit, different each time
        return JPEG[:20] + bytes([n]) * (LIMITS.max_bytes - 20)

    assert (await env.upload("unit-a", ("1.jpg", photo(1)), ("2.jpg", photo(2))))[0] == 201
    kept = env.files()
    status, body = await env.upload("unit-a", ("small.jpg", JPEG), ("3.jpg", photo(3)))
    assert (status, body["code"]) == (400, "attachment_quota_exceeded")
    assert body["details"] == {
        "max_order_bytes": LIMITS.max_order_bytes,
        "stored_bytes": 2 * LIMITS.max_bytes,
    }
    assert await env.rows() == 2 and env.files() == kept  # nothing of the refused upload, nothing lost
    assert (await env.upload("unit-a", ("small.jpg", JPEG)))[0] == 201  # what fits still goes in
    client = await env.web.login("unit-a")
    listed = await (await client.get(env.url)).json()
    assert [a["filename"] for a in listed["items"]] == ["1.jpg", "2.jpg", "small.jpg"]


async def test_the_same_bytes_twice_are_two_attachments_and_one_file(env: Env) -> None:
    assert (await env.upload("unit-a", ("a.jpg", JPEG)))[0] == 201
    assert (await env.upload("dispatcher1", ("b.jpg", JPEG)))[0] == 201
    assert await env.rows() == 2 and env.files() == [env.root / JPEG_PATH]
    status, _ = await env.upload(
        "unit-a", ("c.jpg", JPEG), ("bad.jpg", EXE)
    )  # refused upload of the same bytes
    assert status == 400 and env.files() == [env.root / JPEG_PATH]  # does not remove the stored file


async def test_another_units_staff_see_nothing(env: Env) -> None:
    """Another unit's order and its files answer exactly as a missing order and a missing file."""
    _, body = await env.upload("unit-a", ("a.jpg", JPEG))
    status, refused = await env.upload("unit-b", ("b.jpg", PNG))
    missing_order = {
        "code": "not_found",
        "message": "ticket not found",
        "details": {"ticket_id": env.order["id"]},
    }
    assert (status, refused) == (404, missing_order)
    client = await env.web.login("unit-b")
    listing = await client.get(env.url)
    assert (listing.status, await listing.json()) == (404, missing_order)
    theirs, none = body["items"][0]["id"], "00000000-0000-7000-8000-000000000000"
    answers = [await client.get(f"/api/attachments/{a}") for a in (theirs, none)]
    assert [r.status for r in answers] == [404, 404]
    bodies = [await r.json() for r in answers]
    assert bodies[0] == {
        "code": "not_found",
        "message": "attachment not found",
        "details": {"attachment_id": theirs},
    }
    assert {**bodies[1], "details": {"attachment_id": theirs}} == bodies[0]  # nothing else tells them apart
    assert await env.rows() == 1


async def test_unknown_and_bad_ids(env: Env) -> None:
    client = await env.web.login("unit-a")
    for url, status in [
        ("/api/attachments/00000000-0000-0000-0000-000000000000", 404),
        ("/api/attachments/..%2F..%2Fetc%2Fpasswd", 404),
        ("/api/workorders/999999/attachments", 404),
        ("/api/workorders/99999999999999999999/attachments", 400),
        ("/api/workorders/2147483648/attachments", 400),
        ("/api/workorders/%C2%B2/attachments", 400),  # ², which str.isdigit() takes
        ("/api/workorders/%D9%A3/attachments", 400),  # ٣, which int() takes
        ("/api/workorders/abc/attachments", 400),
    ]:
        response = await client.get(url)
        assert response.status == status, url
        assert set(await response.json()) == {"code", "message", "details"}


async def test_bad_uploads_get_clear_errors(env: Env) -> None:
    client = await env.web.login("unit-a")
    cases: list[tuple[Any, dict[str, str], int, str]] = [
        ({"version": 1}, {}, 415, "unsupported_media_type"),  # JSON, not multipart
        (FormData({"comment": "no file"}), {}, 415, "unsupported_media_type"),  # urlencoded form
        (_form(("other", b"x")), {}, 400, "invalid_input"),  # a field other than "file"
        (_form(("file", JPEG)), {"Origin": "https://evil.example"}, 403, "cross_site_request"),
    ]
    for data, headers, status, code in cases:
        kwargs = {"json": data} if isinstance(data, dict) else {"data": data}
        response = await client.post(env.url, headers=headers, **kwargs)
        assert (response.status, (await response.json())["code"]) == (status, code), data
    assert await env.rows() == 0 and env.files() == []
    env.web.client.session.cookie_jar.clear()
    assert (await env.web.client.post(env.url, data=_form(("file", JPEG)))).status == 401


async def test_same_origin_uploads_and_hostile_names(env: Env) -> None:
    origin = f"http://{env.web.client.host}:{env.web.client.port}"
    status, body = await env.upload("unit-a", ("<img src=x onerror=alert(1)>\u202e.jpg", JPEG), Origin=origin)
    assert status == 201, body
    assert body["items"][0]["filename"] == "img src=x onerror=alert(1).jpg"


async def test_a_huge_stream_is_cut_off_at_the_limit(engine: AsyncEngine, tmp_path: Path, env: Env) -> None:
    """A 1 GB upload is read only up to the limit, then refused; nothing is buffered or kept."""
    pulled = 0

    class Huge:
        filename = "huge.jpg"

        async def chunks(self) -> AsyncIterator[bytes]:
            nonlocal pulled
            yield JPEG[:20]
            for _ in range(1024**3 // 65536):
                pulled += 65536
                yield b"\x00" * 65536

    async def one() -> AsyncIterator[Any]:
        yield Huge()

    app = env.web.client.app
    service = Attachments(
        app[WORK_ORDERS], SqlAttachmentIndex(engine), DiskBlobStore(env.root), app[CLOCK], LIMITS
    )
    actor = Actor(StaffId("unit-a"), Role.UNIT_STAFF, UnitId("jianguomen"))
    with pytest.raises(AttachmentTooLarge):
        await service.upload(TicketId(env.order["id"]), actor, one())
    assert pulled <= LIMITS.max_bytes + 65536
    assert await env.rows() == 0 and env.files() == []


def _form(*fields: tuple[str, bytes]) -> FormData:
    form = FormData()
    for name, content in fields:
        form.add_field(name, content, filename="x.jpg", content_type="image/jpeg")
    return form
