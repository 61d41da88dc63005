"""Attachment wire formats (API-NOTES §2.2).

* Upload: ``multipart/form-data`` with a ``meta`` part (``application/json``, an ``Attachment``) and a ``file`` part
  (the bytes with filename and content type). httpx writes the boundary; we never set the Content-Type ourselves.
* Download: the notes say ``GET /attachments/{id}`` answers ``multipart/mixed`` (JSON metadata part + file part),
  the reconstructed spec says plain JSON ``Attachment``; both are accepted.
"""

from __future__ import annotations

import email.parser
import email.policy
from typing import Any

import httpx

from domain.errors import FailureClass, ProcountorError

from .json_codec import decode_json, encode_json

MAX_ATTACHMENT_BYTES = 10_000_000
REQUIRED_META = ("referenceType", "referenceId", "sendWithInvoice")


def upload_parts(meta: dict[str, Any], filename: str, content: bytes, mime_type: str) -> dict[str, tuple]:
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ProcountorError(
            code="PROCOUNTOR_ATTACHMENT_TOO_LARGE",
            message=f"attachment {filename!r} has {len(content)} bytes; Procountor accepts at most "
                    f"{MAX_ATTACHMENT_BYTES}",
            failure_class=FailureClass.PERMANENT,
        )
    missing = [k for k in REQUIRED_META if k not in meta]
    if missing:
        raise ValueError(f"attachment meta lacks required fields {missing}")
    body = {"name": filename, "mimeType": mime_type, **meta}  # name must carry the right file extension
    return {
        "meta": (None, encode_json(body), "application/json"),
        "file": (filename, content, mime_type),
    }


def parse_attachment(response: httpx.Response) -> dict[str, Any]:
    """The ``Attachment`` metadata as a dict; when the file came along (multipart), its bytes under ``"content"``."""
    content_type = response.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/"):
        return decode_json(response.content)
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + response.content)
    meta: dict[str, Any] = {}
    file_bytes: bytes | None = None
    for part in message.iter_parts():
        payload = part.get_payload(decode=True) or b""
        if part.get_content_type() == "application/json" and not meta:
            meta = decode_json(payload)
        else:
            file_bytes = payload
    if file_bytes is not None:
        meta["content"] = file_bytes
    return meta
