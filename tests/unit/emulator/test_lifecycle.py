from __future__ import annotations


def test_approve_then_send(client, auth, post_invoice):
    invoice = post_invoice(invoiceChannel="EMAIL", counterParty={
        "email": "buyer@example.fi", "counterPartyAddress": {"name": "Asiakas Oy"}}).json()
    assert client.put(f"/api/invoices/{invoice['id']}/send", headers=auth).status_code == 403
    approved = client.put(f"/api/invoices/{invoice['id']}/approve", headers=auth).json()
    assert approved["status"] == "NOT_SENT"
    assert client.put(f"/api/invoices/{invoice['id']}/send", headers=auth).json()["status"] == "SENT"
    receipt = client.get(f"/api/ledgerreceipts/{invoice['ledgerReceiptId']}", headers=auth).json()
    assert receipt["status"] == "SENT"
    assert client.put(f"/api/invoices/{invoice['id']}/invalidate", headers=auth).status_code == 403


def test_no_sending_invoices_become_approved(client, auth, post_invoice):
    invoice = post_invoice().json()
    assert client.put(f"/api/invoices/{invoice['id']}/approve", headers=auth).json()["status"] == "APPROVED"
    assert client.put(f"/api/invoices/{invoice['id']}/unfinished", headers=auth).json()["status"] == "UNFINISHED"
    assert client.put("/api/invoices/1/approve", headers=auth).status_code == 404
