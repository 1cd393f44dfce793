"""Attachment routes: upload (multipart), list and download the files of a work order.

Uploads are streamed part by part to the disk store (never buffered whole), so the app's
``client_max_size`` does not apply and an oversize file is cut off at the limit. The upload is the one
state-changing request that is not JSON (``takes_files``); like every other, it must come from this app's
own pages (csrf.py). Downloads are always ``attachment``, with the stored (sniffed) type, ``nosniff`` and a
sandboxing CSP, so a file can never run as a page of this site.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import BodyPartReader, MultipartReader, web

from callcenter.adapters.http.api import json_response, path_id
from callcenter.adapters.http.auth import actor_of
from callcenter.adapters.http.csrf import MULTIPART, takes_files
from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.attachments.service import Attachments
from callcenter.ticketing.orders.attachments import Attachment

ATTACHMENTS = web.AppKey("attachments", Attachments)
FIELD = "file"
CHUNK = 64 * 1024
DOWNLOAD_CSP = "default-src 'none'; sandbox"


class _Part:
    """One ``file`` part of the multipart body, read in chunks."""

    def __init__(self, part: BodyPartReader) -> None:
        self._part = part

    @property
    def filename(self) -> str:
        """Browsers send the name as UTF-8 with ``"`` as %22 (HTML standard); some clients (aiohttp) send
        it percent-encoded: decode both. The result is a display name only (see ``safe_filename``)."""
        return unquote(self._part.filename or "")

    async def chunks(self) -> AsyncIterator[bytes]:
        while chunk := await self._part.read_chunk(CHUNK):
            yield chunk


def ticket_id_of(request: web.Request) -> TicketId:
    return TicketId(path_id(request, "ticket_id"))


def attachment_json(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.id,
        "ticket_id": a.ticket_id,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "uploaded_by": a.uploaded_by,
        "unit": a.unit,
        "created_at": a.created_at,
        "url": f"/api/attachments/{a.id}",
    }


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback name and the UTF-8 name (Chinese names survive)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def _files(reader: MultipartReader) -> AsyncIterator[_Part]:
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name != FIELD:
            raise InvalidInput(f"only files in the multipart field '{FIELD}' are accepted", field=FIELD)
        yield _Part(part)


@takes_files
async def upload(request: web.Request) -> web.Response:
    actor = actor_of(request)
    ticket_id = ticket_id_of(request)
    if request.content_type != MULTIPART:
        raise InvalidInput("send the files as multipart/form-data", field=FIELD)
    reader = await request.multipart()
    stored = await request.app[ATTACHMENTS].upload(ticket_id, actor, _files(reader))
    return json_response({"items": [attachment_json(a) for a in stored]}, status=201)


async def list_attachments(request: web.Request) -> web.Response:
    actor = actor_of(request)
    items = await request.app[ATTACHMENTS].of_order(ticket_id_of(request), actor)
    return json_response({"items": [attachment_json(a) for a in items]})


async def download(request: web.Request) -> web.FileResponse:
    actor = actor_of(request)
    found = await request.app[ATTACHMENTS].download(request.match_info["attachment_id"], actor)
    headers = {
        "Content-Type": found.attachment.content_type,
        "Content-Disposition": content_disposition(found.attachment.filename),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_CSP,
        "Cache-Control": "private, no-cache",
    }
    return web.FileResponse(found.path, headers=headers)


def add_attachment_routes(app: web.Application, attachments: Attachments) -> None:
    app[ATTACHMENTS] = attachments
    app.router.add_post("/api/workorders/{ticket_id}/attachments", upload)
    app.router.add_get("/api/workorders/{ticket_id}/attachments", list_attachments)
    app.router.add_get("/api/attachments/{attachment_id}", download)
