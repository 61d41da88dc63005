"""Attachments (API-NOTES §2.2): ``POST /attachments`` (multipart: ``meta`` JSON + ``file``), ``GET
/attachments/{id}`` answering ``multipart/mixed`` (a JSON meta part, then the file bytes unchanged).

Limits: at most ``max_attachment_bytes`` (10,000,000) → 400 "File size too big"; ``name`` must carry a file
extension, from which ``mimeType`` is derived; the spec allows any type, ``allowed_attachment_mime_types`` in the
config can narrow that. ``referenceType`` INVOICE / LEDGERRECEIPT must reference an existing object of the company.
"""

from __future__ import annotations

import json
import mimetypes
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from adapters.procountor.emulator import multipart
from adapters.procountor.emulator.http import ApiError, dumps, errors_response, json_response
from adapters.procountor.emulator.products import company_of
from adapters.procountor.emulator.state import StoredAttachment
from adapters.procountor.emulator.validation import Validator

REFERENCE_TYPES = frozenset({
    "BANKSTATEMENTEVENT", "COST_RECEIPT", "CUSTOMER_BUSINESS_PARTNER_REGISTER", "EMPLOYEE_INFO", "ENVIRONMENT",
    "FINANCIAL_STATEMENT", "INVOICE", "INVOICEDRAFT_ITEM", "LEDGERRECEIPT", "NETS_COLLECTION",
    "PERSON_BUSINESS_PARTNER_REGISTER", "PURCHASE_PRODUCT_REGISTER", "REFERENCE_PAYMENT", "SALES_PRODUCT_REGISTER",
    "SUPPLIER_BUSINESS_PARTNER_REGISTER"})
SEND_WITH_INVOICE_TYPES = frozenset({"SALES_INVOICE", "SALES_ORDER", "PURCHASE_ORDER"})
EXTRA_TYPES = {".xml": "application/xml", ".pdf": "application/pdf", ".csv": "text/csv", ".json": "application/json"}


def mime_type_for(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower()
    return EXTRA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _meta_and_file(parts: list[multipart.Part]) -> tuple[Any, multipart.Part]:
    by_name = {p.name: p for p in parts}
    if "meta" not in by_name:
        raise ApiError(400, "Value of the 'meta' cannot be blank", field="meta")
    if "file" not in by_name:
        raise ApiError(400, "Value of the 'file' cannot be blank", field="file")
    try:
        meta = json.loads(by_name["meta"].content.decode("utf-8"), parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"Malformed JSON in the 'meta' part: {exc}", field="meta") from exc
    return meta, by_name["file"]


async def post_attachment(request: Request) -> Response:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise ApiError(400, "Content-Type must be multipart/form-data")
    config = request.app.state.emulator.config
    body = await request.body()
    try:
        meta, file_part = _meta_and_file(multipart.parse(body, content_type))
    except ValueError as exc:
        raise ApiError(400, f"Malformed multipart body: {exc}") from exc
    if len(file_part.content) > config.max_attachment_bytes:
        raise ApiError(400, "File size too big", field="file")
    v = Validator()
    if not isinstance(meta, dict):
        raise ApiError(400, "INVALID_TYPE: an Attachment object is expected", field="meta")
    v.windows_1252(meta)
    name = v.text(meta, "name", "name", required=True, max_length=255)
    if name and ("." not in name or name.endswith(".")):
        v.fail("name", "INVALID_FILE_NAME: the name must include a file extension")
    kind = v.enum(meta, "referenceType", "referenceType", REFERENCE_TYPES, required=True)
    reference_id = v.integer(meta, "referenceId", "referenceId", required=True)
    send_with_invoice = v.boolean(meta, "sendWithInvoice", "sendWithInvoice", required=True)
    mime = mime_type_for(name) if name else None
    allowed = config.allowed_attachment_mime_types
    if mime and allowed is not None and mime not in allowed:
        v.fail("mimeType", f"UNSUPPORTED_MIME_TYPE: {mime}")
    company = company_of(request)
    with request.app.state.emulator.lock:
        target = None
        if kind == "INVOICE" and reference_id is not None:
            target = company.invoices.get(reference_id)
            if target is None:
                v.fail("referenceId", "INVOICE_NOT_FOUND")
            elif send_with_invoice and target["type"] not in SEND_WITH_INVOICE_TYPES:
                v.fail("sendWithInvoice", "sendWithInvoice can be set only for SALES_INVOICE, SALES_ORDER and "
                                          "PURCHASE_ORDER")
        elif kind == "LEDGERRECEIPT" and reference_id is not None and reference_id not in company.ledger_receipts:
            v.fail("referenceId", "LEDGER_RECEIPT_NOT_FOUND")
        if v.errors:
            return errors_response(400, v.errors)
        attachment_id = company.next_id("attachment")
        stored = {"id": attachment_id, "name": name, "referenceType": kind, "referenceId": reference_id,
                  "mimeType": mime, "sendWithInvoice": send_with_invoice}
        company.attachments[attachment_id] = StoredAttachment(stored, file_part.content,
                                                              file_part.content_type or mime)
        if target is not None:
            target["attachments"].append(dict(stored))
        elif kind == "LEDGERRECEIPT":
            company.ledger_receipts[reference_id]["attachments"].append(dict(stored))
    return json_response(stored)


async def get_attachment(request: Request) -> Response:
    try:
        attachment_id = int(request.path_params["attachment_id"])
    except ValueError as exc:
        raise ApiError(400, "Invalid attachment id") from exc
    company = company_of(request)
    with request.app.state.emulator.lock:
        stored = company.attachments.get(attachment_id)
    if stored is None:
        raise ApiError(404, "Attachment not found.")
    if "application/json" in request.headers.get("accept", "") and "multipart" not in request.headers.get(
            "accept", ""):
        return json_response(stored.meta)
    body, content_type = multipart.build_mixed([
        ({"Content-Type": "application/json"}, dumps(stored.meta)),
        ({"Content-Type": stored.content_type,
          "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stored.meta['name'])}"},
         stored.content),
    ])
    return Response(body, media_type=None, headers={"content-type": content_type})
