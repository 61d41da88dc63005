from __future__ import annotations

from decimal import Decimal

from tests.unit.emulator.samples import make_invoice


def receipt_for(client, auth, invoice):
    response = client.get(f"/api/ledgerreceipts/{invoice['ledgerReceiptId']}", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def _invoice_with_product_less_row(post_invoice):
    body = make_invoice()
    body["invoiceRows"] = [
        {"product": "Consulting", "productId": 2001, "quantity": 2, "unit": "HOUR", "unitPrice": 100,
         "discountPercent": 0, "vatPercent": 25.5},
        {"product": "Book", "quantity": 1, "unit": "PIECE", "unitPrice": 20, "discountPercent": 0,
         "vatPercent": 10},
    ]
    return post_invoice(body).json()


def test_each_row_is_booked_to_its_account_with_vat_and_receivable(client, auth, post_invoice):
    invoice = _invoice_with_product_less_row(post_invoice)
    receipt = receipt_for(client, auth, invoice)
    assert receipt["invoiceId"] == invoice["id"] and receipt["type"] == "SALES_INVOICE"
    assert receipt["status"] == "UNFINISHED" and receipt["receiptDate"] == "2025-03-10"
    booked = [(t["transactionType"], t["account"], Decimal(str(t["accountingValue"])), t["vatPercent"])
              for t in receipt["transactions"]]
    assert booked == [
        ("REVERSING_ENTRY", "1700", Decimal("273.00"), 0),
        ("ENTRY", "3010", Decimal(-200), 25.5),   # the product's defaultAccount
        ("ENTRY", "3000", Decimal(-20), 10),      # no product: the company sales account
        ("ENTRY", "2939", Decimal(-51), 0),       # VAT 25.5 %
        ("ENTRY", "2939", Decimal(-2), 0),        # VAT 10 %
    ]
    assert sum(Decimal(str(t["accountingValue"])) for t in receipt["transactions"]) == 0


def test_without_accounting_by_row_one_entry_per_vat_rate(client, auth, post_invoice):
    body = make_invoice(extraInfo={"accountingByRow": False, "unitPricesIncludeVat": False})
    body["invoiceRows"] = [dict(body["invoiceRows"][0], productId=2001), dict(body["invoiceRows"][0])]
    receipt = receipt_for(client, auth, post_invoice(body).json())
    entries = [t for t in receipt["transactions"] if t["transactionType"] == "ENTRY" and t["account"] != "2939"]
    assert [(t["account"], t["accountingValue"]) for t in entries] == [("3000", -75)]


def test_unknown_receipt_is_404(client, auth):
    response = client.get("/api/ledgerreceipts/1", headers=auth)
    assert response.status_code == 404 and response.json()["errors"][0]["status"] == 404


def test_put_moves_an_entry_to_another_account_and_bumps_the_version(client, auth, post_invoice):
    invoice = _invoice_with_product_less_row(post_invoice)
    receipt = receipt_for(client, auth, invoice)
    receipt["transactions"][2]["account"] = "3020"
    response = client.put(f"/api/ledgerreceipts/{receipt['id']}", json=receipt, headers=auth)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert [t["account"] for t in updated["transactions"]] == ["1700", "3010", "3020", "2939", "2939"]
    assert updated["version"] != receipt["version"]
    assert receipt_for(client, auth, invoice)["transactions"][2]["account"] == "3020"
    again = client.get(f"/api/invoices/{invoice['id']}", headers=auth).json()
    assert again["version"] == updated["version"]


def test_put_with_a_stale_version_is_refused(client, auth, post_invoice):
    invoice = _invoice_with_product_less_row(post_invoice)
    receipt = receipt_for(client, auth, invoice)
    receipt["transactions"][2]["account"] = "3020"
    assert client.put(f"/api/ledgerreceipts/{receipt['id']}", json=receipt, headers=auth).status_code == 200
    stale = client.put(f"/api/ledgerreceipts/{receipt['id']}", json=receipt, headers=auth)
    assert stale.status_code == 400 and stale.json()["errors"][0]["field"] == "version"


def test_put_refuses_unknown_accounts_and_changed_amounts(client, auth, post_invoice):
    invoice = _invoice_with_product_less_row(post_invoice)
    receipt = receipt_for(client, auth, invoice)
    receipt["transactions"][2]["account"] = "9999"
    receipt["transactions"][1]["accountingValue"] = -150
    response = client.put(f"/api/ledgerreceipts/{receipt['id']}", json=receipt, headers=auth)
    assert response.status_code == 400
    fields = sorted(e["field"] for e in response.json()["errors"])
    assert fields == ["transactions[1].accountingValue", "transactions[2].account"]
    removed = dict(receipt, transactions=receipt["transactions"][:2])
    assert client.put(f"/api/ledgerreceipts/{receipt['id']}", json=removed, headers=auth).status_code == 400
    assert receipt_for(client, auth, invoice)["transactions"][2]["account"] == "3000"  # nothing applied


def test_put_on_an_unknown_receipt_is_404(client, auth):
    response = client.put("/api/ledgerreceipts/1", json={"version": "x", "transactions": []}, headers=auth)
    assert response.status_code == 404
