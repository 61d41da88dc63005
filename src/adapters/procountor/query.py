"""Query strings for Procountor searches, and previousId paging.

Encoding (API-NOTES §1.3): lists are comma-separated (``types=SALES_INVOICE,PURCHASE_INVOICE``), dates are
``YYYY-MM-DD``, datetimes ``YYYY-MM-DDTHH:MM:SS`` without a zone, booleans ``true``/``false``.

Paging (API-NOTES §6.8): ask for ``orderById=ASC`` and ``size=200`` and pass the last id seen as ``previousId`` while a
page comes back full. ``meta.totalCount`` is not trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from domain.errors import FailureClass, ProcountorError

MAX_PAGE_SIZE = 200
MAX_PAGES = 1000  # 200,000 results: a runaway loop guard, not a business limit

# GET /invoices query parameters from the spec that a caller may set. previousId/size/page are managed by the pager;
# only orderById ordering is compatible with previousId paging, so the other orderBy* are not offered.
INVOICE_SEARCH_FILTERS = frozenset({
    "status", "startDate", "endDate", "createdStartDate", "createdEndDate", "versionStartDate", "versionEndDate",
    "dueStartDate", "dueEndDate", "types", "businessPartnerId", "factoringContractId", "originalInvoiceNumber",
    "invoiceNumber", "productId", "searchTerm", "isOffer", "invoiceChannel", "orderById",
})


def camel_case(name: str) -> str:
    """``original_invoice_number`` → ``originalInvoiceNumber``; camelCase names pass through unchanged."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def encode_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return encode_value(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError("Procountor datetimes carry no zone; pass a naive local datetime")
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return ",".join(encode_value(v) for v in items)
    return str(value)


def invoice_search_params(filters: Mapping[str, Any]) -> dict[str, str]:
    """Validate and encode ``search_invoices`` filters (snake_case or the spec's camelCase names).
    An unknown name raises ``ValueError``: a misspelt filter would otherwise be silently ignored by Procountor."""
    params: dict[str, str] = {}
    for name, value in filters.items():
        key = camel_case(name)
        if key not in INVOICE_SEARCH_FILTERS:
            raise ValueError(f"unknown invoice search filter {name!r}; allowed: {sorted(INVOICE_SEARCH_FILTERS)}")
        if value is None:
            continue
        params[key] = encode_value(value)
    return params


def iterate_pages(
    fetch_page: Callable[[dict[str, str]], Mapping[str, Any]],
    params: Mapping[str, str],
    *,
    page_size: int = MAX_PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> Iterator[dict[str, Any]]:
    """Yield every result of a ``{results, meta}`` search, following ``previousId``."""
    query = {"orderById": "ASC", **params, "size": str(page_size)}
    descending = query["orderById"] == "DESC"
    previous_id: int | None = None
    for _ in range(max_pages):
        if previous_id is not None:
            query["previousId"] = str(previous_id)
        page = fetch_page(dict(query))
        results = list(page.get("results") or [])
        yield from results
        ids = [r.get("id") for r in results if isinstance(r, Mapping) and isinstance(r.get("id"), int)]
        if len(results) < page_size or not ids:
            return
        last = min(ids) if descending else max(ids)
        if previous_id is not None and (last >= previous_id if descending else last <= previous_id):
            return  # the server ignored previousId: stop instead of looping over the same page forever
        previous_id = last
    raise ProcountorError(code="PROCOUNTOR_TOO_MANY_RESULTS", message=f"more than {max_pages} pages of search "
                          "results; narrow the search", failure_class=FailureClass.PERMANENT)


def filter_exact(results: Iterable[Mapping[str, Any]], field: str, value: str) -> list[dict[str, Any]]:
    return [dict(r) for r in results if r.get(field) == value]
