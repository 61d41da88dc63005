"""``PUT /ledgerreceipts/{receiptId}``: setting accounts on an invoice's ledger receipt (API-NOTES §2.5 steps 2-4).

What the notes establish: the full object is sent back with its ``version``; this is how accounts and dimensions of
an invoice's rows are set. What the emulator adds, by inference (the real rules are undocumented):

* a stale or missing ``version`` is refused with 400, like ``PUT /invoices/{id}`` (§2.1);
* an invoice's receipt keeps its amounts: the same transactions (by id), the same ``accountingValue``,
  ``vatPercent`` and ``transactionType``, each; only accounts, dimensions, descriptions and VAT statuses may change,
  so the receipt still matches the invoice it belongs to;
* every ``account`` must be an active account of the company's chart (``GET /coa``);
* an INVALIDATED receipt cannot be changed (403).

A successful update gets a new ``version`` (the invoice's too, as with status changes) and answers 200 with the
receipt.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from adapters.procountor.emulator.http import ApiError, error_item, errors_response, json_response, read_json, timestamp
from adapters.procountor.emulator.products import company_of
from adapters.procountor.emulator.state import CompanyState

EDITABLE = ("account", "dimensionItemValues", "description", "vatStatus")
FIXED = ("transactionType", "accountingValue", "vatPercent")


async def update_ledger_receipt(request: Request) -> Response:
    try:
        receipt_id = int(request.path_params["receipt_id"])
    except ValueError as exc:
        raise ApiError(400, "Invalid ledger receipt id") from exc
    body = await read_json(request)
    company = company_of(request)
    with request.app.state.emulator.lock:
        stored = company.ledger_receipts.get(receipt_id)
        if stored is None:
            raise ApiError(404, "Ledger receipt could not be updated.")
        if stored["status"] == "INVALIDATED":
            raise ApiError(403, "Ledger receipt status INVALIDATED does not allow changes")
        errors = check_update(stored, body, company)
        if errors:
            return errors_response(400, errors)
        apply_update(stored, body, company)
        return json_response(stored)


def check_update(stored: dict[str, Any], body: Any, company: CompanyState) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return [error_item(400, "Request body must be a ledger receipt object")]
    if not body.get("version"):
        return [error_item(400, "Value of the 'version' cannot be blank", "version")]
    if body["version"] != stored["version"]:
        return [error_item(400, "The ledger receipt has been modified by someone else; read it again", "version")]
    sent = body.get("transactions")
    if not isinstance(sent, list) or not sent:
        return [error_item(400, "Value of the 'transactions' cannot be blank", "transactions")]
    by_id = {t["id"]: t for t in stored["transactions"]}
    ids = [t.get("id") if isinstance(t, dict) else None for t in sent]
    if sorted(i for i in ids if i is not None) != sorted(by_id) or None in ids:
        return [error_item(400, "The transactions of an invoice's ledger receipt cannot be added or removed",
                           "transactions")]
    errors = []
    for index, transaction in enumerate(sent):
        original = by_id[transaction["id"]]
        for name in FIXED:
            if not _same(transaction.get(name), original[name]):
                errors.append(error_item(400, f"'{name}' of an invoice's ledger entry cannot be changed",
                                         f"transactions[{index}].{name}"))
        account = transaction.get("account")
        if not isinstance(account, str) or account not in company.accounts:
            errors.append(error_item(400, f"Ledger account {account!r} does not exist in the chart of accounts",
                                     f"transactions[{index}].account"))
    return errors


def apply_update(stored: dict[str, Any], body: dict[str, Any], company: CompanyState) -> None:
    by_id = {t["id"]: t for t in stored["transactions"]}
    for transaction in body["transactions"]:
        original = by_id[transaction["id"]]
        for name in EDITABLE:
            if name in transaction and transaction[name] is not None:
                original[name] = transaction[name]
    version = next_version(stored["version"])
    stored["version"] = version
    invoice = company.invoices.get(stored.get("invoiceId"))
    if invoice is not None:
        invoice["version"] = version


def next_version(previous: str) -> str:
    """Now, or a second after ``previous`` when that is not earlier: versions have whole seconds, and two updates in
    one second must still tell a stale copy from the current one."""
    now = timestamp()
    try:
        later = timestamp(datetime.fromisoformat(previous) + timedelta(seconds=1))
    except (TypeError, ValueError):
        return now
    return max(now, later)


def _same(sent: Any, kept: Any) -> bool:
    if isinstance(kept, Decimal) or isinstance(sent, (int, float, Decimal)) and not isinstance(sent, bool):
        try:
            return Decimal(str(sent)) == Decimal(str(kept))
        except (InvalidOperation, ValueError):
            return False
    return sent == kept
