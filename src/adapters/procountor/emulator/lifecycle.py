"""Sales-invoice status changes (API-NOTES §2.1, §7): ``PUT /invoices/{id}/approve|send|invalidate|unfinished``.

UNFINISHED ─approve→ NOT_SENT (APPROVED when invoiceChannel = NO_SENDING) ─send→ SENT; invalidate from UNFINISHED,
NOT_SENT or APPROVED; unfinished from NOT_SENT or APPROVED. A wrong status answers 403, like Procountor. The linked
ledger receipt follows the invoice status. ``send`` does not deliver anything.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from adapters.procountor.emulator.http import ApiError, json_response, timestamp
from adapters.procountor.emulator.invoices import full_view
from adapters.procountor.emulator.products import company_of

TRANSITIONS: dict[str, dict[str, str | None]] = {
    "approve": {"UNFINISHED": None},  # None: NOT_SENT, or APPROVED for NO_SENDING
    "send": {"NOT_SENT": "SENT", "SENT": "SENT"},
    "invalidate": {"UNFINISHED": "INVALIDATED", "NOT_SENT": "INVALIDATED", "APPROVED": "INVALIDATED"},
    "unfinished": {"NOT_SENT": "UNFINISHED", "APPROVED": "UNFINISHED"},
}


async def change_status(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in TRANSITIONS:
        raise ApiError(404, "Not Found")
    try:
        invoice_id = int(request.path_params["invoice_id"])
    except ValueError as exc:
        raise ApiError(400, "Invalid invoice id") from exc
    company = company_of(request)
    with request.app.state.emulator.lock:
        invoice = company.invoices.get(invoice_id)
        if invoice is None:
            raise ApiError(404, "Invoice not found.")
        allowed = TRANSITIONS[action]
        if invoice["status"] not in allowed:
            raise ApiError(403, f"Invoice status {invoice['status']} does not allow {action}")
        if action == "send" and invoice["type"] != "SALES_INVOICE":
            raise ApiError(400, "Only sales invoices can be sent")
        target = allowed[invoice["status"]] or (
            "APPROVED" if invoice["invoiceChannel"] == "NO_SENDING" else "NOT_SENT")
        invoice["status"], invoice["version"] = target, timestamp()
        receipt = company.ledger_receipts.get(invoice["ledgerReceiptId"])
        if receipt is not None:
            receipt["status"], receipt["version"] = target, invoice["version"]
        return json_response(full_view(invoice))
