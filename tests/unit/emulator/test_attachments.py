from __future__ import annotations

import json
import os

from adapters.procountor.emulator import EmulatorConfig, multipart
from tests.unit.emulator.samples import make_client, make_invoice, token_for


def upload(client, auth, meta, content, filename="invoice.xml", mime="application/xml"):
    files = {"meta": (None, json.dumps(meta), "application/json"), "file": (filename, content, mime)}
    return client.post("/api/attachments", files=files, headers=auth)


def test_round_trip_is_byte_for_byte(client, auth, post_invoice):
    invoice = post_invoice().json()
    content = os.urandom(4096) + b"\r\n--not-a-boundary\r\n" + bytes(range(256))
    meta = {"name": "Lasku 1.pdf", "referenceType": "INVOICE", "referenceId": invoice["id"],
            "sendWithInvoice": False}
    created = upload(client, auth, meta, content, "Lasku 1.pdf", "application/pdf")
    assert created.status_code == 200, created.text
    attachment = created.json()
    assert attachment["mimeType"] == "application/pdf" and attachment["id"]
    response = client.get(f"/api/attachments/{attachment['id']}", headers=auth)
    assert response.headers["content-type"].startswith("multipart/mixed")
    meta_part, file_part = multipart.parse(response.content, response.headers["content-type"])
    assert json.loads(meta_part.content) == attachment
    assert file_part.content == content
    read_back = client.get(f"/api/invoices/{invoice['id']}", headers=auth).json()
    assert read_back["attachments"] == [attachment]


def test_reference_must_exist_and_meta_is_validated(client, auth):
    response = upload(client, auth, {"name": "x.xml", "referenceType": "INVOICE", "referenceId": 1,
                                     "sendWithInvoice": False}, b"<x/>")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "referenceId"
    response = upload(client, auth, {"name": "noextension", "referenceType": "BOGUS"}, b"<x/>")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "referenceType", "referenceId", "sendWithInvoice"} <= fields


def test_missing_parts(client, auth):
    response = client.post("/api/attachments", files={"file": ("a.xml", b"<a/>", "application/xml")}, headers=auth)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "meta"


def test_size_limit():
    with make_client(EmulatorConfig(max_attachment_bytes=10, rate_limit_per_second=0)) as client:
        auth = {"Authorization": f"Bearer {token_for(client)}"}
        invoice = client.post("/api/invoices", json=make_invoice(), headers=auth).json()
        meta = {"name": "a.xml", "referenceType": "INVOICE", "referenceId": invoice["id"], "sendWithInvoice": True}
        assert upload(client, auth, meta, b"0123456789").status_code == 200
        response = upload(client, auth, meta, b"0123456789A")
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"] == "File size too big"


def test_allowed_mime_types_can_be_narrowed():
    config = EmulatorConfig(allowed_attachment_mime_types=["application/pdf"], rate_limit_per_second=0)
    with make_client(config) as client:
        auth = {"Authorization": f"Bearer {token_for(client)}"}
        invoice = client.post("/api/invoices", json=make_invoice(), headers=auth).json()
        meta = {"name": "a.xml", "referenceType": "INVOICE", "referenceId": invoice["id"], "sendWithInvoice": False}
        assert upload(client, auth, meta, b"<a/>").status_code == 400
