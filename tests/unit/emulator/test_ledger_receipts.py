from __future__ import annotations

from decimal import Decimal

from tests.unit.emulator.samples import make_invoice


def receipt_for(client, auth, invoice):
    response = client.get(f"/api/ledgerreceipts/{invoice['ledgerReceiptId']}", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def test_each_row_is_booked_to_its_account_with_vat_and_receivable(client, auth, post_invoice):
    body = make_invoice()
    body["invoiceRows"] = [
        {"product": "Consulting", "productId": 2001, "quantity": 2, "unit": "HOUR", "unitPrice": 100,
         "discountPercent": 0, "vatPercent": 25.5},
        {"product": "Book", "quantity": 1, "unit": "PIECE", "unitPrice": 20, "discountPercent": 0,
         "vatPercent": 10},
    ]
    invoice = post_invoice(body).json()
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
