"""The ports: what the application needs from the outside world, named for the role, not the technology.

Adapters implement them (lxml, httpx against Procountor, confluent-kafka); tests implement them with fakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from domain.connection import Connection, ConnectionStatus

if TYPE_CHECKING:
    from domain.invoice import Attachment, Invoice
    from domain.posting import InvoicePosting, PostedInvoice, ProductDraft, ProductRef


class InvoiceDocumentParser(Protocol):
    def parse(self, document: bytes) -> Invoice:
        """Raise ``DocumentError`` (classified, naming the rule or field) for anything that is not a usable invoice."""
        ...


class AccountingGateway(Protocol):
    """One tenant's accounting company (Procountor). Methods raise ``ProcountorError`` classified as transient,
    permanent or connection-level."""

    def find_product(self, code: str) -> ProductRef | None:
        """Exact match on product code (the API's own search is a substring search)."""
        ...

    def create_product(self, draft: ProductDraft) -> ProductRef: ...

    def find_posted_invoice(self, invoice: Invoice) -> PostedInvoice | None:
        """The invoice already in the books for this document (same originalInvoiceNumber, this company), if any.
        Costs rate budget: call it only when an earlier attempt may exist."""
        ...

    def post_invoice(self, posting: InvoicePosting) -> PostedInvoice:
        """Raise ``ProcountorError`` code ``OUTCOME_UNKNOWN`` when the request was sent but no answer came back:
        the invoice may or may not exist now."""
        ...

    def settle_accounts(self, posted: PostedInvoice) -> None:
        """For an invoice found already posted: finish what posting it does after the POST (ledger accounts of rows
        without a product), if the invoice is still unfinished. Idempotent."""
        ...

    def attach(self, posted: PostedInvoice, attachment: Attachment) -> bool:
        """Upload an embedded attachment unless the invoice already has one of that name; True when uploaded."""
        ...

    def company(self) -> CompanyIdentity: ...


class AccountingGateways(Protocol):
    def for_connection(self, connection: Connection) -> AccountingGateway: ...


class ConnectionDirectory(Protocol):
    """Tenants' Procountor connections. A tenant sees only its own connection."""

    def get(self, tenant: str) -> Connection | None: ...

    def set_status(self, tenant: str, status: ConnectionStatus, reason: str | None = None) -> None: ...

    def all(self) -> list[Connection]: ...


class AttemptState(str, Enum):
    ATTEMPTING = "attempting"  # a POST may have reached Procountor; its outcome is not known here
    POSTED = "posted"  # the invoice is in Procountor with this id
    # The journal keeps only that this key probably had a record, not the record: it may have been attempted or
    # posted, so Procountor is asked first. Answered by get() for old records, never written.
    FORGOTTEN = "forgotten"


@dataclass(frozen=True)
class AttemptRecord:
    state: AttemptState
    procountor_id: int | None = None
    attempted_at: float | None = None  # epoch seconds the ATTEMPTING record was written (None in older records)


class AttemptJournal(Protocol):
    """A durable record of what was attempted, keyed by tenant and invoice. It lets a first delivery go straight to
    ``post_invoice`` while a redelivery after a crash (or a replay) looks the invoice up first, so the duplicate check
    costs a Procountor request only when an earlier attempt's outcome is unknown."""

    def get(self, key: str) -> AttemptRecord | None:
        """None only when this key was never recorded; a record too old to be kept may come back as FORGOTTEN."""
        ...

    def record(self, key: str, record: AttemptRecord) -> None:
        """Return only once the record is durable."""
        ...


@dataclass(frozen=True)
class CompanyIdentity:
    """Who the connected Procountor company is, to compare with the document's supplier party."""

    name: str
    business_id: str | None
    vat_id: str | None
