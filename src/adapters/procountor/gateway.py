"""The accounting port (``domain.ports.AccountingGateway``) on top of the Procountor HTTP client, one per tenant.

What is read once per tenant and cached: the company (``GET /company``), its sales VAT percents and statuses
(``GET /vats/default``), bank accounts and currency -> ``CompanyContext``; exchange rates per (currency, day); found
products (a product code, once found, keeps its id; a miss is remembered only ``miss_ttl`` seconds so a product
created meanwhile in Procountor is seen soon).

Accounts (API-NOTES §2.5): the body asks for ``accountingByRow``, so rows with a ``productId`` book to the product's
default account. Rows without one book to the company's default sales account; when the connection names another
``default_sales_account``, the ledger receipt is read back and those entries are moved through
``PUT /ledgerreceipts/{id}`` (``ledger_accounts``). An invoice found already posted (a redelivery after a crash
between the POST and the PUT) gets the same check while it is still UNFINISHED (``settle_accounts``).
"""

from __future__ import annotations

import dataclasses
import mimetypes
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import structlog

from adapters.crash_points import maybe_crash
from adapters.procountor.company_context import CompanyContext
from adapters.procountor.invoice_mapping import MappedInvoice, map_invoice, original_invoice_number
from adapters.procountor.ledger_accounts import defaults_booked, ledger_accounts, product_less_keys
from adapters.procountor.text_policy import TextPolicy
from adapters.procountor.units import procountor_unit, unit_table
from domain.connection import Connection
from domain.errors import InvoiceRuleError, ProcountorError
from domain.invoice import Attachment, Invoice
from domain.ports import CompanyIdentity
from domain.posting import BookedTotals, InvoicePosting, PostedInvoice, ProductDraft, ProductRef

log = structlog.get_logger(__name__)

MAX_ATTACHMENT_BYTES = 10_000_000  # API-NOTES §2.2: larger files get 400 "File size too big"
# Peppol BIS 3 attachment MIME codes (CONNECTOR-ANCHORS §5.7) with the extension Procountor derives the type from.
ATTACHMENT_TYPES: dict[str, str] = {
    "application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "text/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
_EXTENSIONS = {".jpeg": "image/jpeg", **{ext: mime for mime, ext in ATTACHMENT_TYPES.items()}}
FIND_WINDOW = timedelta(days=31)  # invoice dates searched around the issue date (someone may have moved it)
PRODUCT_CODE_MAX = 40
PRODUCT_NAME_MAX = 100


def booked_totals(invoice_json: dict[str, Any], currency: str) -> BookedTotals | None:
    """The totals in the invoice currency from ``invoiceSumInfo`` (signed as Procountor computed them)."""
    entries = invoice_json.get("invoiceSumInfo") or []
    entry = next((e for e in entries if e.get("currency") == currency), None)
    if entry is None and len(entries) == 1:
        entry = entries[0]
    if entry is None or entry.get("excludingVatTotal") is None:
        return None
    net, vat = Decimal(str(entry["excludingVatTotal"])), Decimal(str(entry.get("vatSumTotal") or 0))
    gross = Decimal(str(entry["invoiceSumTotal"])) if entry.get("invoiceSumTotal") is not None else net + vat
    return BookedTotals(net, vat, gross)


class ProcountorAccountingGateway:
    def __init__(self, client: Any, connection: Connection, *, miss_ttl: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client, self.connection, self.settings = client, connection, connection.settings
        self._miss_ttl, self._clock = miss_ttl, clock
        self._lock = threading.RLock()
        self._company_json: dict[str, Any] | None = None
        self._context: CompanyContext | None = None
        self._rates: dict[tuple[str, str], Decimal] = {}
        self._products: dict[str, ProductRef] = {}
        self._creation_locks: dict[str, threading.Lock] = {}
        self._misses: dict[str, float] = {}
        # (VAT status, percent) -> the account Procountor books a row without a product to (ledger_accounts.py)
        self._company_defaults: dict[tuple[Any, Any], str] = {}

    # -- company -------------------------------------------------------------------------------------------------

    def _company(self) -> dict[str, Any]:
        with self._lock:
            if self._company_json is None:
                self._company_json = self.client.get_company()
            return self._company_json

    def company(self) -> CompanyIdentity:
        company = self._company()
        code = (company.get("businessIdentifier") or {}).get("code")
        brn = (company.get("businessIdentifier") or {}).get("brnType")
        vat_id = "FI" + code.replace("-", "") if code and (brn == "FI" or company.get("country") == "FINLAND") \
            else None
        return CompanyIdentity(name=str(company.get("name") or ""), business_id=code, vat_id=vat_id)

    def company_context(self) -> CompanyContext:
        with self._lock:
            if self._context is None:
                company = self._company()
                currency = (self.client.get_company_currency() or {}).get("companyCurrency")
                self._context = CompanyContext.from_procountor(
                    company, self.client.get_default_vats(), self.client.get_bank_accounts(), currency)
                log.info("procountor_company_context_loaded", tenant=self.connection.tenant,
                         vat_percents=sorted(str(p) for p in self._context.sales_vat_percents),
                         vat_statuses=dict(self._context.vat_status_by_situation))
            return self._context

    def _context_for(self, invoice: Invoice) -> CompanyContext:
        context = self.company_context()
        if invoice.currency == context.currency:
            return context
        key = (invoice.currency, invoice.issue_date.isoformat())
        with self._lock:
            rate = self._rates.get(key)
        if rate is None:
            answer = self.client.get_exchange_rate(context.currency, invoice.currency, invoice.issue_date)
            rate = Decimal(str(answer["rate"]))
            with self._lock:
                self._rates[key] = rate
        return context.with_rate(*key, rate)

    # -- products ------------------------------------------------------------------------------------------------

    def find_product(self, code: str) -> ProductRef | None:
        with self._lock:
            if code in self._products:
                return self._products[code]
            missed = self._misses.get(code)
            if missed is not None and self._clock() - missed < self._miss_ttl:
                return None
        if len(code) > PRODUCT_CODE_MAX:  # no product can have it, and the search refuses such a code
            return None
        found = [p for p in self.client.search_products(code, "SALES") if p.get("code") == code]
        found.sort(key=lambda p: (not p.get("active", True), p.get("id", 0)))
        with self._lock:
            if not found:
                self._misses[code] = self._clock()
                return None
            product = ProductRef(int(found[0]["id"]), code, str(found[0].get("name") or code))
            self._products[code] = product
            self._misses.pop(code, None)
            return product

    def create_product(self, draft: ProductDraft) -> ProductRef:
        # Invoices of one tenant run concurrently and often share product ids: one creation per code, and a
        # thread that lost the race gets the product the winner created instead of a second one.
        with self._creation_lock(draft.code):
            with self._lock:
                if draft.code in self._products:
                    return self._products[draft.code]
            return self._create_product(draft)

    def _creation_lock(self, code: str) -> threading.Lock:
        with self._lock:
            return self._creation_locks.setdefault(code, threading.Lock())

    def _create_product(self, draft: ProductDraft) -> ProductRef:
        if len(draft.code) > PRODUCT_CODE_MAX:
            raise InvoiceRuleError("PRODUCT_CODE_TOO_LONG",
                                   f"product id {draft.code!r} is longer than Procountor's {PRODUCT_CODE_MAX} "
                                   f"characters; it cannot be matched or created")
        context = self.company_context()
        text = TextPolicy()
        unit, _ = procountor_unit(draft.unit_code, unit_table(self.settings.unit_overrides))
        body: dict[str, Any] = {
            "type": "SALES", "name": text.clean(draft.name, "name", PRODUCT_NAME_MAX) or draft.code,
            "code": draft.code, "unit": unit, "price": draft.unit_price.quantize(Decimal("0.000001")).normalize(),
            "discount": Decimal(0), "active": True, "currency": context.currency,
            "defaultAccount": draft.sales_account}
        if draft.vat_rate is not None and context.enables(draft.vat_rate):
            body["vat"] = draft.vat_rate
        for warning in text.warnings:
            log.warning("procountor_product_text_changed", tenant=self.connection.tenant, code=draft.code,
                        field=warning.field, detail=warning.message)
        try:
            created = self.client.create_product(body)
        except ProcountorError as error:
            if error.code != "OUTCOME_UNKNOWN":
                raise
            with self._lock:
                self._misses.pop(draft.code, None)
            existing = self.find_product(draft.code)  # it may have been created after all
            if existing is None:
                raise
            return existing
        product = ProductRef(int(created["id"]), draft.code, str(created.get("name") or body["name"]))
        with self._lock:
            self._products[draft.code] = product
            self._misses.pop(draft.code, None)
        product = dataclasses.replace(product, created_now=True)
        log.info("procountor_product_created", tenant=self.connection.tenant, code=draft.code, product_id=product.id)
        return product

    # -- invoices ------------------------------------------------------------------------------------------------

    def find_posted_invoice(self, invoice: Invoice) -> PostedInvoice | None:
        """The live (not INVALIDATED) sales invoice with this document's ``originalInvoiceNumber`` in this company;
        an invalidated one was removed from the books on purpose, so it does not block posting again."""
        key = original_invoice_number(invoice)
        hits = self.client.find_invoices_by_original_number(
            key, start_date=invoice.issue_date - FIND_WINDOW, end_date=invoice.issue_date + FIND_WINDOW)
        live = sorted((h for h in hits if h.get("originalInvoiceNumber") == key and h.get("status") != "INVALIDATED"),
                      key=lambda h: h["id"])
        if not live:
            return None
        if len(live) > 1:
            log.warning("procountor_duplicate_invoices", tenant=self.connection.tenant, original_invoice_number=key,
                        ids=[h["id"] for h in live])
        found = live[0]
        totals = booked_totals(found, invoice.currency) or self._read_totals(int(found["id"]), invoice.currency)
        return PostedInvoice(int(found["id"]), totals, already_existed=True)

    def map(self, posting: InvoicePosting) -> MappedInvoice:
        return map_invoice(posting, self._context_for(posting.invoice))

    def post_invoice(self, posting: InvoicePosting) -> PostedInvoice:
        mapped = self.map(posting)
        invoice = posting.invoice
        for warning in mapped.warnings:
            log.warning("procountor_mapping_warning", tenant=self.connection.tenant,
                        invoice_number=invoice.invoice_number, field=warning.field, code=warning.code,
                        detail=warning.message)
        for attachment in invoice.attachments:  # refuse before the POST: never in Procountor *and* in the error log
            if attachment.content is not None:
                check_attachment(attachment)
        saved = self.client.post_invoice(mapped.body)
        maybe_crash("after_post")  # test-only, off unless PROCOUNTOR_CONNECTOR_CRASH_AT asks (tests/faults)
        procountor_id = int(saved["id"])
        totals = booked_totals(saved, invoice.currency) or self._read_totals(procountor_id, invoice.currency)
        log.info("procountor_invoice_posted", tenant=self.connection.tenant, invoice_number=invoice.invoice_number,
                 procountor_id=procountor_id, net=str(totals.net), vat=str(totals.vat), gross=str(totals.gross),
                 row_strategies=list(mapped.row_strategies))
        self._default_accounts(procountor_id, saved.get("ledgerReceiptId"), mapped.body["invoiceRows"], fresh=True)
        warnings = tuple(f"{w.code} {w.field}: {w.message}" for w in mapped.warnings)
        return PostedInvoice(procountor_id, totals, warnings=warnings)

    def settle_accounts(self, posted: PostedInvoice) -> None:
        saved = self.client.get_invoice(posted.procountor_id)
        if saved.get("status") != "UNFINISHED":  # approved or sent: the books are a person's now
            return
        self._default_accounts(posted.procountor_id, saved.get("ledgerReceiptId"), saved.get("invoiceRows") or [],
                               fresh=False)

    def _read_totals(self, procountor_id: int, currency: str) -> BookedTotals:
        totals = booked_totals(self.client.get_invoice(procountor_id), currency)
        if totals is None:
            raise ProcountorError("PROCOUNTOR_TOTALS_MISSING",
                                  f"Procountor invoice {procountor_id} has no invoiceSumInfo in {currency}")
        return totals

    def _default_accounts(self, procountor_id: int, receipt_id: Any, rows: list[dict[str, Any]], fresh: bool) -> None:
        """Move the ledger entries of rows without a product (lines, charges, rounding) to the connection's default
        sales account. ``fresh``: the receipt is read right after this worker's own POST, so it shows where
        Procountor books such rows by itself, which is remembered."""
        keys = product_less_keys(rows)
        if receipt_id is None or not keys:
            return
        wanted = self.settings.default_sales_account
        with self._lock:
            if all(self._company_defaults.get(key) == wanted for key in keys):
                return  # Procountor books these rows to the connection's account itself: nothing to read or move
        receipt = self.client.get_ledger_receipt(int(receipt_id))
        if fresh:
            with self._lock:
                self._company_defaults.update(defaults_booked(receipt, rows))
        update = ledger_accounts(receipt, rows, wanted)
        if update is None:
            return
        try:
            self.client.update_ledger_receipt(int(receipt_id), update.body)
        except ProcountorError as error:
            # A retried PUT whose first answer was lost meets a stale version: read again to see what holds.
            if ledger_accounts(self.client.get_ledger_receipt(int(receipt_id)), rows, wanted) is None:
                return
            rows_named = ", ".join(f"invoiceRows[{i}]" for i in update.rows)
            raise ProcountorError(
                "LEDGER_ACCOUNT_NOT_APPLIED",
                f"Procountor invoice {procountor_id} is saved, but {rows_named} still book to "
                f"{', '.join(update.booked)}, not the default sales account {wanted}: {error.code} {error.message}",
                error.failure_class, field_errors=error.field_errors, http_status=error.http_status,
                retry_after_s=error.retry_after_s) from error
        log.info("procountor_ledger_accounts_set", tenant=self.connection.tenant, procountor_id=procountor_id,
                 ledger_receipt_id=receipt_id, account=wanted, rows=update.rows, booked_before=update.booked)

    # -- attachments ---------------------------------------------------------------------------------------------

    def attach(self, posted: PostedInvoice, attachment: Attachment) -> bool:
        if attachment.content is None:
            return False
        mime = check_attachment(attachment)
        name = attachment_name(attachment)
        if name in self._attachment_names(posted.procountor_id):
            return False
        meta = {"referenceType": "INVOICE", "referenceId": posted.procountor_id, "sendWithInvoice": False}
        try:
            self.client.upload_attachment(meta, name, attachment.content, mime)
        except ProcountorError as error:
            if error.code == "OUTCOME_UNKNOWN" and name in self._attachment_names(posted.procountor_id):
                return True
            raise
        log.info("procountor_attachment_uploaded", tenant=self.connection.tenant, invoice_id=posted.procountor_id,
                 name=name, size=len(attachment.content))
        return True

    def _attachment_names(self, procountor_id: int) -> set[str]:
        return {str(a.get("name")) for a in self.client.get_invoice(procountor_id).get("attachments") or []}


def check_attachment(attachment: Attachment) -> str:
    """The attachment's MIME type, when Procountor accepts the attachment; InvoiceRuleError otherwise."""
    mime = (attachment.mime_code or "").strip().lower()
    if mime not in ATTACHMENT_TYPES:
        raise InvoiceRuleError("ATTACHMENT_TYPE", f"attachment {attachment.id!r} has MIME type {mime or 'none'}; "
                                                  f"allowed: {', '.join(ATTACHMENT_TYPES)}")
    if len(attachment.content or b"") > MAX_ATTACHMENT_BYTES:
        raise InvoiceRuleError("ATTACHMENT_TOO_LARGE",
                               f"attachment {attachment.id!r} has {len(attachment.content)} bytes; Procountor "
                               f"accepts at most {MAX_ATTACHMENT_BYTES}")
    return mime


def attachment_name(attachment: Attachment) -> str:
    """The file name Procountor stores: Windows-1252, with the extension of the MIME type (Procountor derives the
    type from the extension, API-NOTES §2.2)."""
    mime = (attachment.mime_code or "").strip().lower()
    extension = ATTACHMENT_TYPES.get(mime) or mimetypes.guess_extension(mime) or ""
    name = TextPolicy().clean(attachment.filename or attachment.id, "name", 200) or "attachment"
    name = name.replace("/", "_").replace("\\", "_")
    current = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if _EXTENSIONS.get(current) != mime:
        name += extension
    return name


class ProcountorGateways:
    """``AccountingGateways``: one client and one gateway per tenant, rebuilt when the connection changes."""

    def __init__(self, client_factory: Callable[[Connection], Any], **gateway_options: Any) -> None:
        self._factory, self._options = client_factory, gateway_options
        self._lock = threading.Lock()
        self._gateways: dict[str, tuple[Connection, ProcountorAccountingGateway]] = {}

    def for_connection(self, connection: Connection) -> ProcountorAccountingGateway:
        with self._lock:
            known = self._gateways.get(connection.tenant)
            if known is not None and _same_connection(known[0], connection):
                return known[1]
            if known is not None:
                _close(known[1].client)
            gateway = ProcountorAccountingGateway(self._factory(connection), connection, **self._options)
            self._gateways[connection.tenant] = (connection, gateway)
            return gateway

    def close(self) -> None:
        with self._lock:
            for _, gateway in self._gateways.values():
                _close(gateway.client)
            self._gateways.clear()


def _same_connection(a: Connection, b: Connection) -> bool:
    # Status changes (ACTIVE/ERROR) do not need a new client; credentials, URL and settings do.
    return (a.base_url, a.credentials, a.settings) == (b.base_url, b.credentials, b.settings)


def _close(client: Any) -> None:
    close = getattr(client, "close", None)
    if close is not None:
        close()
