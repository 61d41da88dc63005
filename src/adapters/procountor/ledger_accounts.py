"""Which ledger entries of an invoice must move to the connection's default sales account, as the body of
``PUT /ledgerreceipts/{id}`` (API-NOTES §2.5: the full receipt as read, changed, with its ``version``).

With ``accountingByRow`` each invoice row has its own ``ENTRY`` transaction, in row order; a row without a
``productId`` books to the company's default sales account, which may not be the connection's. Which account that
is can differ by VAT status and percent, so what a fresh receipt shows is remembered per (status, percent)
(``defaults_booked``): once Procountor is known to book such rows to the connection's account, the receipt need not
be read again. Pure: the gateway reads, writes and remembers.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LedgerAccountUpdate:
    body: dict[str, Any]  # the receipt to send back
    rows: tuple[int, ...]  # the invoice rows (0-based) whose entries move
    booked: tuple[str, ...]  # the accounts they booked to before


def row_key(row: dict[str, Any]) -> tuple[Any, Any]:
    return row.get("vatStatus"), row.get("vatPercent")


def product_less_keys(rows: list[dict[str, Any]]) -> set[tuple[Any, Any]]:
    return {row_key(row) for row in rows if row.get("productId") is None}


def defaults_booked(receipt: dict[str, Any], rows: list[dict[str, Any]]) -> dict[tuple[Any, Any], str]:
    """(VAT status, percent) -> the account Procountor booked a product-less row to, from a receipt nobody changed."""
    return {row_key(row): str(entry.get("account")) for row, entry in _row_entries(receipt, rows)
            if row.get("productId") is None}


def ledger_accounts(receipt: dict[str, Any], rows: list[dict[str, Any]], wanted: str) -> LedgerAccountUpdate | None:
    """None when every product-less row already books to ``wanted``."""
    body = _without_nulls(receipt)
    moved, booked = [], set()
    for index, (row, entry) in enumerate(_row_entries(body, rows)):
        if row.get("productId") is None and str(entry.get("account")) != wanted:
            booked.add(str(entry.get("account")))
            entry["account"] = wanted
            moved.append(index)
    if not moved:
        return None
    return LedgerAccountUpdate(body, tuple(moved), tuple(sorted(booked)))


def _row_entries(receipt: dict[str, Any], rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each invoice row with its ENTRY transaction (the first ENTRYs, in row order; VAT entries come after)."""
    entries = [t for t in receipt.get("transactions") or [] if t.get("transactionType") == "ENTRY"]
    return list(zip(rows, entries))


def _without_nulls(value: Any) -> Any:
    # What a GET answers as null is left out of the PUT: the spec gives those properties no null.
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return copy.copy(value)
