"""Sales invoices (API-NOTES §2.1): ``POST /invoices``, ``GET /invoices`` (search), ``GET /invoices/{ids}``.

A created invoice is ``UNFINISHED``, gets the next ``invoiceNumber``, a ledger receipt, a ``version`` timestamp and the
computed ``invoiceSumInfo``; POST answers 200 with the full Invoice.

Search: ``originalInvoiceNumber`` matches exactly (case-sensitive) in the emulator; the real API's match semantics are
undocumented, so a client should still compare exactly itself. A client can equally page through a date window
(``startDate``/``endDate`` or ``createdStartDate``) with ``orderById=ASC`` and ``previousId`` and compare
``originalInvoiceNumber`` in the ``InvoiceBasicInfo`` results.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from adapters.procountor.emulator import ledger, reference, totals
from adapters.procountor.emulator.enums import INVOICE_STATUSES
from adapters.procountor.emulator.http import (
    ApiError,
    errors_response,
    json_response,
    page_params,
    parse_ids,
    read_json,
    search_result,
    timestamp,
)
from adapters.procountor.emulator.invoice_rules import CHANNELS, INVOICE_TYPES, validate_invoice
from adapters.procountor.emulator.products import company_of
from adapters.procountor.emulator.state import CompanyState

BASIC_FIELDS = ("id", "partnerId", "type", "status", "invoiceNumber", "originalInvoiceNumber", "invoiceChannel",
                "date", "created", "version", "invoiceSumInfo", "creatorId", "counterParty", "isOffer")
INTERNAL = ("created",)
# Properties of Invoice and InvoiceRow in the 26.04 contract. Anything else is dropped on save (not echoed back), the
# way a lenient JSON binder ignores unknown properties; whether Procountor rejects them instead is undocumented.
INVOICE_FIELDS = frozenset({
    "partnerId", "type", "status", "date", "counterParty", "billingAddress", "deliveryAddress", "paymentInfo",
    "deliveryTermsInfo", "extraInfo", "discountPercent", "orderReference", "invoiceRows", "vatStatus",
    "originalInvoiceNumber", "deliveryStartDate", "deliveryEndDate", "deliveryMethod", "deliveryInstructions",
    "invoiceChannel", "penaltyPercent", "language", "invoiceTemplateId", "additionalInformation", "vatCountry",
    "notes", "factoringContractId", "factoringText", "travelInformationItems", "invoiceApprovalInformation",
    "orderNumber", "agreementNumber", "accountingCode", "deliverySite", "tenderReference", "buyerReferenceIdentifier",
    "sellerReferenceIdentifier", "isOffer"})
ROW_FIELDS = frozenset({"productId", "product", "productCode", "quantity", "unit", "unitPrice", "discountPercent",
                        "vatPercent", "vatStatus", "comment", "startDate", "endDate", "headerText", "explanationText"})


def create_invoice(company: CompanyState, body: dict[str, Any]) -> dict[str, Any]:
    """Store a validated invoice with its ledger receipt. Call with the state lock held."""
    invoice = {k: copy.deepcopy(v) for k, v in body.items() if k in INVOICE_FIELDS}
    invoice["invoiceRows"] = [{k: v for k, v in row.items() if k in ROW_FIELDS} for row in invoice["invoiceRows"]]
    now = timestamp()
    invoice.update(id=company.next_id("invoice"), status="UNFINISHED", invoiceNumber=company.next_invoice_number(),
                   version=now, created=now, creatorId=1, attachments=[])
    address = invoice["counterParty"]["counterPartyAddress"]
    if invoice["type"] in ("SALES_INVOICE", "SALES_ORDER", "PURCHASE_INVOICE", "PURCHASE_ORDER"):
        # Omitted addresses are "assumed to equal the counter party address"; {} means "none wanted".
        for name in ("billingAddress", "deliveryAddress"):
            if name not in invoice:
                invoice[name] = dict(address)
    _numbers_as_decimals(invoice)
    for row in invoice["invoiceRows"]:
        row["id"] = company.next_id("transaction")
    payment = invoice["paymentInfo"]
    if payment.get("bankReferenceCode") == "":
        make = reference.make_rf if payment.get("bankReferenceCodeType") == "RF" else reference.make_fi
        payment["bankReferenceCode"] = make(invoice["invoiceNumber"])
    computed = totals.compute(invoice)
    invoice["invoiceSumInfo"] = totals.sum_info(invoice, computed, company.currency)
    receipt_id = company.next_id("ledger_receipt")
    invoice["ledgerReceiptId"] = receipt_id
    company.ledger_receipts[receipt_id] = ledger.build_receipt(
        invoice, computed, company.ledger_accounts(), company.product_account,
        lambda: company.next_id("transaction"), receipt_id, company.next_receipt_number())
    company.invoices[invoice["id"]] = invoice
    return invoice


def _numbers_as_decimals(invoice: dict[str, Any]) -> None:
    """Validated numbers may arrive as JSON strings; they are read back as numbers."""
    def convert(data: dict[str, Any], names: tuple[str, ...]) -> None:
        for name in names:
            if data.get(name) is not None:
                data[name] = Decimal(str(data[name]))

    convert(invoice, ("discountPercent", "penaltyPercent"))
    convert(invoice["paymentInfo"], ("currencyRate", "paymentTermPercentage"))
    for row in invoice["invoiceRows"]:
        convert(row, ("quantity", "unitPrice", "discountPercent", "vatPercent"))


def full_view(invoice: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in invoice.items() if k not in INTERNAL}


def basic_view(invoice: dict[str, Any]) -> dict[str, Any]:
    view = {k: invoice[k] for k in BASIC_FIELDS if k in invoice}
    view["dueDate"] = invoice["paymentInfo"].get("dueDate")
    if invoice["paymentInfo"].get("newDueDate"):
        view["newDueDate"] = invoice["paymentInfo"]["newDueDate"]
    return view


async def post_invoice(request: Request) -> Response:
    body = await read_json(request)
    company = company_of(request)
    with request.app.state.emulator.lock:
        errors = validate_invoice(body, company)
        if errors:
            return errors_response(400, errors)
        invoice = create_invoice(company, body)
        return json_response(full_view(invoice))


async def get_invoices(request: Request) -> Response:
    ids = parse_ids(request.path_params["ids"])
    company = company_of(request)
    with request.app.state.emulator.lock:
        found = [full_view(company.invoices[i]) for i in ids if i in company.invoices]
    if not found:
        raise ApiError(404, "Invoice not found.")
    return json_response(found[0] if len(ids) == 1 else found)


def _list(request: Request, name: str, allowed: frozenset[str] | None = None) -> set[str] | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    values = {v.strip() for v in raw.split(",") if v.strip()}
    bad = sorted(values - allowed) if allowed else []
    if bad:
        raise ApiError(400, f"INVALID_ENUM_VALUE: '{bad[0]}' is not an allowed value", field=name)
    return values


def _int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ApiError(400, f"'{raw}' is not an integer", field=name) from exc


def _matcher(request: Request):
    q = request.query_params
    statuses = _list(request, "status", INVOICE_STATUSES)
    types = _list(request, "types", INVOICE_TYPES)
    channels = _list(request, "invoiceChannel", CHANNELS)
    product_ids = {int(p) for p in (_list(request, "productId") or set()) if p.isdigit()}
    partner, factoring, number = _int(request, "businessPartnerId"), _int(request, "factoringContractId"), _int(
        request, "invoiceNumber")
    original, term = q.get("originalInvoiceNumber"), (q.get("searchTerm") or "").lower()
    is_offer = q.get("isOffer")
    ranges = [(field, q.get(start), q.get(end)) for field, start, end in (
        ("date", "startDate", "endDate"), ("created", "createdStartDate", "createdEndDate"),
        ("version", "versionStartDate", "versionEndDate"), ("dueDate", "dueStartDate", "dueEndDate"))]

    def in_range(value: str | None, start: str | None, end: str | None) -> bool:
        if value is None:
            return start is None and end is None
        # ISO strings compare chronologically; a date-only end bound includes that whole day.
        return (start is None or value >= start) and (end is None or value[:len(end)] <= end)

    def matches(inv: dict[str, Any]) -> bool:
        dates = {"date": inv["date"], "created": inv["created"], "version": inv["version"],
                 "dueDate": inv["paymentInfo"].get("dueDate")}
        return ((statuses is None or inv["status"] in statuses)
                and (types is None or inv["type"] in types)
                and (channels is None or inv["invoiceChannel"] in channels)
                and (partner is None or inv.get("partnerId") == partner)
                and (factoring is None or inv.get("factoringContractId") == factoring)
                and (number is None or inv["invoiceNumber"] == number)
                and (original is None or inv.get("originalInvoiceNumber") == original)
                and (not product_ids or any(r.get("productId") in product_ids for r in inv["invoiceRows"]))
                and (not term or term in inv["counterParty"]["counterPartyAddress"]["name"].lower()
                     or term in str(inv["invoiceNumber"]) or term in (inv.get("additionalInformation") or "").lower())
                and (is_offer is None or bool(inv.get("isOffer")) == (is_offer.lower() == "true"))
                and all(in_range(dates[f], s, e) for f, s, e in ranges))

    return matches


async def search_invoices(request: Request) -> Response:
    q = request.query_params
    size, page = page_params(request)
    matches = _matcher(request)
    order_field, direction = "id", q.get("orderById", "DESC")
    for param, field in (("orderByDate", "date"), ("orderByCreated", "created"), ("orderByVersion", "version")):
        if param in q and "orderById" not in q:
            order_field, direction = field, q[param]
            break
    if direction.upper() not in ("ASC", "DESC"):
        raise ApiError(400, f"INVALID_ENUM_VALUE: '{direction}' is not an allowed value")
    descending = direction.upper() == "DESC"
    previous = _int(request, "previousId")
    company = company_of(request)
    with request.app.state.emulator.lock:
        found = [inv for inv in company.invoices.values() if matches(inv)]
    found.sort(key=lambda inv: (inv[order_field], inv["id"]), reverse=descending)
    if previous is not None:
        found = [inv for inv in found if (inv["id"] < previous if descending else inv["id"] > previous)]
    items = [basic_view(inv) for inv in found[page * size:(page + 1) * size]]
    return json_response(search_result(items, size, page, len(found)))
