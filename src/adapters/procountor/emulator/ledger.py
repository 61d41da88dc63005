"""The ledger receipt ("accounting page") every saved invoice gets (API-NOTES §2.5).

Layout for a sales invoice, amounts in the company currency and rounded to 2 decimals:

* one ``REVERSING_ENTRY`` on the receivables account (1700) for the gross total (debit, positive);
* ``ENTRY`` rows for the net amounts (credit, negative): one per invoice row when ``extraInfo.accountingByRow`` is
  true — on the linked product's ``defaultAccount`` if it has one, else on the company sales account (3000) — or
  one per VAT rate on the sales account otherwise;
* one ``ENTRY`` per non-zero VAT rate on the VAT payable account (2939) for the VAT (credit, negative).

The real API books VAT implicitly from each entry's ``vatPercent``; the emulator shows it as explicit rows so that a
receipt's transactions sum to zero. Purchase types mirror the signs and use accounts 4000 / 2871.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from adapters.procountor.emulator.totals import InvoiceTotals, round2

PURCHASE_TYPES = frozenset({"PURCHASE_INVOICE", "PURCHASE_ORDER", "TRAVEL_INVOICE", "BILL_OF_CHARGES"})


def build_receipt(invoice: dict[str, Any], totals: InvoiceTotals, accounts: dict[str, str],
                  product_account: Callable[[int], str | None], next_transaction_id: Callable[[], int],
                  receipt_id: int, receipt_number: int) -> dict[str, Any]:
    """``accounts`` maps ``sales``/``receivables``/``vat``/``purchase``/``payables`` to ledger account codes."""
    purchase = invoice["type"] in PURCHASE_TYPES
    sign = Decimal(1) if purchase else Decimal(-1)
    rate = Decimal(invoice["paymentInfo"].get("currencyRate") or 1) or Decimal(1)
    by_row = bool(invoice["extraInfo"].get("accountingByRow"))
    vat_status = invoice.get("vatStatus")
    revenue_account = accounts["purchase"] if purchase else accounts["sales"]
    entries: list[dict[str, Any]] = []
    counter_id = next_transaction_id()

    def entry(account: str, value: Decimal, vat_percent: Decimal, description: str, **extra: Any) -> None:
        transaction = {"id": next_transaction_id(), "transactionType": "ENTRY", "account": account,
                       "accountingValue": sign * value, "vatPercent": vat_percent,
                       "vatType": "PURCHASE" if purchase else "SALES", "vatStatus": vat_status,
                       "description": description[:255], "dimensionItemValues": []}
        transaction.update({k: v for k, v in extra.items() if v is not None})
        entries.append(transaction)

    if by_row:
        for index, row in enumerate(invoice["invoiceRows"]):
            account = (product_account(row["productId"]) if row.get("productId") is not None else None)
            entry(account or revenue_account, round2(totals.row_nets[index] / rate), Decimal(row["vatPercent"]),
                  row.get("product", ""), vatStatus=row.get("vatStatus", vat_status),
                  startDate=row.get("startDate"), endDate=row.get("endDate"))
    else:
        for group in totals.groups:
            entry(revenue_account, round2(group.net / rate), group.vat_percent, f"Net {group.vat_percent} %")
    for group in totals.groups:
        if group.vat:
            entry(accounts["vat"], round2(group.vat / rate), Decimal(0), f"VAT {group.vat_percent} %")
    counter_value = -sum((t["accountingValue"] for t in entries), Decimal("0.00"))
    counter = {"id": counter_id, "transactionType": "REVERSING_ENTRY",
               "account": accounts["payables"] if purchase else accounts["receivables"],
               "accountingValue": counter_value, "vatPercent": Decimal(0),
               "vatType": "PURCHASE" if purchase else "SALES",
               "description": invoice["counterParty"]["counterPartyAddress"].get("name", "")[:255],
               "dimensionItemValues": []}
    return {
        "id": receipt_id,
        "type": invoice["type"],
        "status": invoice["status"],
        "name": invoice["counterParty"]["counterPartyAddress"].get("name", "")[:80],
        "receiptDate": invoice["date"],
        "vatType": "PURCHASE" if purchase else "SALES",
        "vatStatus": vat_status,
        "invoiceId": invoice["id"],
        "receiptNumber": receipt_number,
        "invoiceNumber": invoice["invoiceNumber"],
        "invoiceNotes": invoice.get("notes"),
        "partnerId": invoice.get("partnerId"),
        "partnerCode": invoice["counterParty"].get("identifier"),
        "version": invoice["version"],
        "transactions": [counter, *entries],
        "attachments": [],
    }
