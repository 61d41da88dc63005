"""Which ledger entries move to the connection's default sales account, and the PUT body that moves them."""

from __future__ import annotations

from decimal import Decimal

from adapters.procountor.ledger_accounts import ledger_accounts


def receipt(*accounts: str) -> dict:
    entries = [{"id": 10 + i, "transactionType": "ENTRY", "account": a, "accountingValue": Decimal(-10),
                "vatPercent": Decimal("25.5"), "startDate": None} for i, a in enumerate(accounts)]
    vat = {"id": 90, "transactionType": "ENTRY", "account": "2939", "accountingValue": Decimal(-7),
           "vatPercent": Decimal(0)}
    counter = {"id": 9, "transactionType": "REVERSING_ENTRY", "account": "1700",
               "accountingValue": Decimal(10 * len(accounts) + 7), "vatPercent": Decimal(0)}
    return {"id": 5, "version": "2026-11-26T10:00:00", "invoiceNotes": None,
            "transactions": [counter, *entries, vat]}


ROWS = [{"productId": 2001}, {"product": "no product"}, {"product": "another", "productId": None}]


def test_only_product_less_rows_move_and_the_rest_is_sent_back_as_read() -> None:
    read = receipt("3020", "3000", "3000")
    update = ledger_accounts(read, ROWS, "3010")
    assert update.rows == (1, 2) and update.booked == ("3000",)
    assert [t["account"] for t in update.body["transactions"]] == ["1700", "3020", "3010", "3010", "2939"]
    assert update.body["version"] == "2026-11-26T10:00:00"
    assert "invoiceNotes" not in update.body and "startDate" not in update.body["transactions"][1]  # no nulls
    assert read["transactions"][2]["account"] == "3000"  # what was read is not changed


def test_nothing_to_do_when_the_accounts_are_already_right() -> None:
    assert ledger_accounts(receipt("3020", "3010", "3010"), ROWS, "3010") is None


def test_vat_entries_after_the_rows_are_never_moved() -> None:
    update = ledger_accounts(receipt("3000"), [{"product": "only row"}], "3010")
    assert [t["account"] for t in update.body["transactions"]] == ["1700", "3010", "2939"]
