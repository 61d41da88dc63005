"""Byte-exact multipart handling (no python-multipart dependency): parse ``multipart/form-data`` uploads and build the
``multipart/mixed`` answer of ``GET /attachments/{id}``."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

_PARAM = re.compile(r';\s*([A-Za-z0-9_\-*]+)="?((?<=")[^"]*|[^;"\s]*)"?')


@dataclass
class Part:
    headers: dict[str, str]
    content: bytes

    @property
    def name(self) -> str | None:
        return header_params(self.headers.get("content-disposition", "")).get("name")

    @property
    def filename(self) -> str | None:
        return header_params(self.headers.get("content-disposition", "")).get("filename")

    @property
    def content_type(self) -> str | None:
        value = self.headers.get("content-type")
        return value.split(";")[0].strip().lower() if value else None


def header_params(value: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in _PARAM.finditer(value)}


def parse(body: bytes, content_type: str) -> list[Part]:
    boundary = header_params(content_type).get("boundary")
    if not boundary:
        raise ValueError("multipart boundary missing")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise ValueError("no multipart parts found")
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk
        head, separator, content = chunk.partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("malformed multipart part")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            if key:
                headers[key.strip().lower()] = value.strip()
        parts.append(Part(headers, content))
    return parts


def build_mixed(parts: list[tuple[dict[str, str], bytes]]) -> tuple[bytes, str]:
    """Body and Content-Type of a ``multipart/mixed`` message made of (headers, content) parts."""
    boundary = "emulator-" + secrets.token_hex(12)
    out = bytearray()
    for headers, content in parts:
        out += f"--{boundary}\r\n".encode("ascii")
        for key, value in headers.items():
            out += f"{key}: {value}\r\n".encode()
        out += b"\r\n" + content + b"\r\n"
    out += f"--{boundary}--\r\n".encode("ascii")
    return bytes(out), f"multipart/mixed; boundary={boundary}"
