"""The low-level Procountor REST client: one method per endpoint the connector uses, JSON in, JSON out.

Synchronous and thread-safe: one ``ProcountorClient`` per tenant connection can be shared by a whole thread pool.
It shares the token (one fetch for all threads) and, through ``shared_rate_limiter``, the request budget of its
Procountor client id with every other client using the same id.

Every method returns decoded JSON (floats as ``Decimal``) or raises a classified ``domain.errors.ProcountorError``.
Paged searches return a ``list`` of every result. See ``retry.py`` for what is retried; in short, **POST /invoices,
POST /products and POST /attachments are never re-sent once they may have reached Procountor** — a timeout or 5xx
after sending raises ``OUTCOME_UNKNOWN`` (TRANSIENT) and the caller must look the resource up before retrying.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import httpx

from domain.connection import ProcountorCredentials

from .attachments import parse_attachment, upload_parts
from .query import MAX_PAGE_SIZE, encode_value, filter_exact, invoice_search_params, iterate_pages
from .rate_limit import RateLimiter, shared_rate_limiter
from .retry import RetryPolicy
from .session import ApiSession, OnRequest

DEFAULT_RATE_TYPE = "PROCOUNTOR_ACCOUNTING_EXCHANGE_RATE"


class ProcountorClient:
    def __init__(
        self,
        base_url: str,
        credentials: ProcountorCredentials,
        *,
        rate_limiter: RateLimiter | None = None,
        timeout: float = 30,
        max_attempts: int = 5,
        max_backoff: float = 10,
        transport: httpx.BaseTransport | None = None,
        on_request: OnRequest | None = None,
        backoff_base: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``base_url`` includes ``/api`` (``https://api.procountor.com/api``, ``http://127.0.0.1:8080/api``).
        ``rate_limiter`` defaults to the process-wide limiter of ``credentials.client_id``. ``backoff_base``,
        ``sleep`` and ``clock`` exist for tests."""
        self.credentials = credentials
        self._session = ApiSession(
            base_url,
            credentials,
            rate_limiter=rate_limiter or shared_rate_limiter(credentials.client_id),
            retry_policy=RetryPolicy(max_attempts=max_attempts, max_backoff=max_backoff,
                                     backoff_base=backoff_base, sleep=sleep),
            timeout=timeout,
            transport=transport,
            on_request=on_request,
            clock=clock,
        )

    @property
    def base_url(self) -> str:
        return self._session.base_url

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ProcountorClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ProcountorClient(base_url={self.base_url!r}, client_id={self.credentials.client_id!r})"

    def _get(self, path: str, *, params: dict[str, str] | None = None, **path_params: object) -> Any:
        return self._session.request_json("GET", path, path_params=path_params, params=params)

    # -- connection ------------------------------------------------------------------------------------------

    def verify(self) -> dict[str, Any]:
        """Prove the connection works: fetch a *fresh* token (so revoked credentials show up now, not in an hour)
        and read the company. Returns the ``Company``; raises CONNECTION-class errors for bad credentials/rights."""
        self._session.tokens.invalidate()
        return self.get_company()

    # -- company settings and registers ----------------------------------------------------------------------

    def get_company(self) -> dict[str, Any]:
        return self._get("/company")

    def get_default_vats(self) -> dict[str, Any]:
        """``{vatInformation: [...], vatStatuses: [...]}``: the VAT percents and statuses usable in this company."""
        return self._get("/vats/default")

    def get_vat_settings(self) -> dict[str, Any]:
        return self._get("/vats/settings")

    def get_bank_accounts(self) -> list[dict[str, Any]]:
        """Every company bank account. Paged by ``page`` (the default orderByOrderNo makes previousId fragile)."""
        accounts: list[dict[str, Any]] = []
        for page in range(1000):
            body = self._get("/bankaccounts", params={"size": str(MAX_PAGE_SIZE), "page": str(page)})
            results = list(body.get("results") or [])
            accounts.extend(results)
            if len(results) < MAX_PAGE_SIZE:
                break
        return accounts

    def get_chart_of_accounts(self) -> dict[str, Any]:
        return self._get("/coa")

    def get_currencies(self) -> dict[str, Any]:
        return self._get("/currencies")

    def get_company_currency(self) -> dict[str, Any]:
        return self._get("/currencies/company")

    def get_exchange_rate(self, base_currency: str, currency: str, day: date | str,
                          rate_type: str = DEFAULT_RATE_TYPE) -> dict[str, Any]:
        params = {"baseCurrency": base_currency, "currency": currency, "day": encode_value(day),
                  "rateType": rate_type}
        return self._get("/currencies/exchangerate", params=params)

    # -- products --------------------------------------------------------------------------------------------

    def search_products(self, code: str, type: str = "SALES", *, exact: bool = True) -> list[dict[str, Any]]:
        """Products whose ``code`` equals ``code`` (all pages). Procountor matches ``code`` as a *substring*, so the
        results are filtered exactly (case-sensitive) here; ``exact=False`` returns the raw substring matches."""
        results = iterate_pages(lambda q: self._get("/products", params=q), {"code": code, "type": type})
        return filter_exact(results, "code", code) if exact else list(results)

    def get_product(self, product_id: int) -> dict[str, Any]:
        return self._get("/products/{productId}", productId=product_id)

    def create_product(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /products (200 with the ``Product``). Not idempotent: never re-sent once it may have arrived; on
        ``OUTCOME_UNKNOWN`` search by code before creating again, or a duplicate product may appear."""
        return self._session.request_json("POST", "/products", json_body=body)

    # -- invoices --------------------------------------------------------------------------------------------

    def post_invoice(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /invoices. Returns the saved ``Invoice`` (UNFINISHED, with id, invoiceNumber, ledgerReceiptId,
        version, invoiceSumInfo). Procountor has no idempotency key, so after a timeout/5xx once the request was
        sent this raises ``OUTCOME_UNKNOWN`` (TRANSIENT) instead of resending: call
        ``find_invoices_by_original_number`` and post again only if nothing was saved."""
        return self._session.request_json("POST", "/invoices", json_body=body)

    def get_invoice(self, invoice_id: int) -> dict[str, Any]:
        return self._get("/invoices/{invoiceId}", invoiceId=invoice_id)

    def search_invoices(self, **filters: Any) -> list[dict[str, Any]]:
        """Every ``InvoiceBasicInfo`` matching ``filters`` (all pages, ordered by id ascending unless
        ``orderById="DESC"``). Filters use the spec's query names, camelCase or snake_case: status, startDate,
        endDate (billing date), createdStartDate, createdEndDate, versionStartDate, versionEndDate (naive
        datetimes), dueStartDate, dueEndDate, types, businessPartnerId, factoringContractId,
        originalInvoiceNumber, invoiceNumber, productId, searchTerm, isOffer, invoiceChannel, orderById. Lists are
        sent comma-separated. Unknown names raise ``ValueError``."""
        params = invoice_search_params(filters)
        return list(iterate_pages(lambda q: self._get("/invoices", params=q), params))

    def find_invoices_by_original_number(
        self,
        original_invoice_number: str,
        *,
        start_date: date,
        end_date: date,
        types: Iterable[str] = ("SALES_INVOICE",),
    ) -> list[dict[str, Any]]:
        """Invoices whose ``originalInvoiceNumber`` is exactly ``original_invoice_number``, billed (invoice
        ``date``) between ``start_date`` and ``end_date`` inclusive, in *any* status (INVALIDATED included: the
        caller decides whether that blocks a re-post).

        The spec offers an ``originalInvoiceNumber`` query parameter but does not say whether it matches exactly,
        by substring or case-insensitively, so it is used only to narrow the search; the date window bounds the
        result set even if a server ignored the filter, and the exact comparison happens here."""
        results = self.search_invoices(
            original_invoice_number=original_invoice_number,
            types=tuple(types),
            start_date=start_date,
            end_date=end_date,
        )
        return filter_exact(results, "originalInvoiceNumber", original_invoice_number)

    def get_ledger_receipt(self, receipt_id: int) -> dict[str, Any]:
        return self._get("/ledgerreceipts/{receiptId}", receiptId=receipt_id)

    def update_ledger_receipt(self, receipt_id: int, receipt: dict[str, Any]) -> dict[str, Any]:
        """PUT /ledgerreceipts/{id} with the full receipt as read, changed, and with its ``version`` (API-NOTES
        §2.5): how an invoice row's ledger account is set. Retried like any PUT; a retry after a lost answer meets
        a stale version (400), so the caller reads the receipt again to see whether the change was made."""
        return self._session.request_json("PUT", "/ledgerreceipts/{receiptId}", path_params={"receiptId": receipt_id},
                                          json_body=receipt)

    # -- attachments -----------------------------------------------------------------------------------------

    def upload_attachment(self, meta: dict[str, Any], filename: str, content: bytes, mime_type: str) -> dict[str, Any]:
        """POST /attachments (multipart ``meta`` + ``file``). ``meta`` needs referenceType, referenceId and
        sendWithInvoice; ``name`` defaults to ``filename`` and ``mimeType`` to ``mime_type``. Not idempotent: on
        ``OUTCOME_UNKNOWN`` check the invoice's ``attachments`` before uploading again."""
        files = upload_parts(meta, filename, content, mime_type)
        return self._session.request_json("POST", "/attachments", files=files)

    def get_attachment(self, attachment_id: int) -> dict[str, Any]:
        """The ``Attachment`` metadata; if Procountor sends the file along (multipart/mixed), its bytes are under
        the extra key ``"content"``."""
        response = self._session.request("GET", "/attachments/{attachmentId}",
                                         path_params={"attachmentId": attachment_id},
                                         accept="multipart/mixed, application/json")
        return parse_attachment(response)
