"""Fakes that implement the ports, for unit tests of the application and the worker's loop logic."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from domain.connection import Connection, ConnectionStatus, ProcountorCredentials
from domain.errors import FailureClass, ProcountorError
from domain.ports import AttemptRecord, CompanyIdentity
from domain.posting import BookedTotals, InvoicePosting, PostedInvoice, ProductDraft, ProductRef, expected_booked_totals


@dataclass
class FakeAccountingGateway:
    """An in-memory accounting company that books exactly what it is given (its totals are the document's),
    with switches for the failures the use case must survive."""

    identity: CompanyIdentity = field(default_factory=lambda: CompanyIdentity("Demo Oy", "2077474-0", "FI20774740"))
    products: dict[str, ProductRef] = field(default_factory=dict)
    invoices: dict[str, list[tuple[int, InvoicePosting]]] = field(default_factory=dict)
    attachments: dict[int, list[str]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    fail_next_post: ProcountorError | None = None
    save_before_failing: bool = False
    fail_next_attach: ProcountorError | None = None  # raised after the upload was saved (a lost answer)
    totals_skew: BookedTotals | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))

    def company(self) -> CompanyIdentity:
        return self.identity

    def find_product(self, code: str) -> ProductRef | None:
        self.requests.append(f"find_product {code}")
        return self.products.get(code)

    def create_product(self, draft: ProductDraft) -> ProductRef:
        self.requests.append(f"create_product {draft.code}")
        product = ProductRef(next(self._ids), draft.code, draft.name)
        self.products[draft.code] = product
        return replace(product, created_now=True)

    def find_posted_invoice(self, invoice) -> PostedInvoice | None:
        self.requests.append(f"find_invoice {invoice.invoice_number}")
        posted = self.invoices.get(invoice.invoice_number)
        if not posted:
            return None
        procountor_id, posting = posted[0]
        return PostedInvoice(procountor_id, self._totals(posting), already_existed=True)

    def post_invoice(self, posting: InvoicePosting) -> PostedInvoice:
        self.requests.append(f"post_invoice {posting.invoice.invoice_number}")
        failure, self.fail_next_post = self.fail_next_post, None
        if failure is not None and not self.save_before_failing:
            raise failure
        procountor_id = next(self._ids)
        self.invoices.setdefault(posting.invoice.invoice_number, []).append((procountor_id, posting))
        if failure is not None:
            raise failure
        return PostedInvoice(procountor_id, self._totals(posting))

    def settle_accounts(self, posted: PostedInvoice) -> None:
        self.requests.append(f"settle_accounts {posted.procountor_id}")

    def attach(self, posted: PostedInvoice, attachment) -> bool:
        names = self.attachments.setdefault(posted.procountor_id, [])
        if attachment.filename in names:
            return False
        names.append(attachment.filename)
        failure, self.fail_next_attach = self.fail_next_attach, None
        if failure is not None:
            raise failure
        return True

    def _totals(self, posting: InvoicePosting) -> BookedTotals:
        return self.totals_skew or expected_booked_totals(posting.invoice)

    def posted_count(self, invoice_number: str) -> int:
        return len(self.invoices.get(invoice_number, []))


@dataclass
class FakeGateways:
    gateway: FakeAccountingGateway = field(default_factory=FakeAccountingGateway)

    def for_connection(self, connection: Connection) -> FakeAccountingGateway:
        return self.gateway


@dataclass
class FakeConnectionDirectory:
    connections: dict[str, Connection] = field(default_factory=dict)

    def get(self, tenant: str) -> Connection | None:
        return self.connections.get(tenant)

    def set_status(self, tenant: str, status: ConnectionStatus, reason: str | None = None) -> None:
        if tenant in self.connections:
            self.connections[tenant] = replace(self.connections[tenant], status=status, status_reason=reason)

    def all(self) -> list[Connection]:
        return list(self.connections.values())

    @classmethod
    def with_tenant(cls, tenant: str = "demo", **settings) -> FakeConnectionDirectory:
        from domain.connection import ConnectionSettings

        connection = Connection(tenant, "http://procountor.invalid/api",
                                ProcountorCredentials("client", "s3cret", "k3y"), ConnectionSettings(**settings),
                                ConnectionStatus.ACTIVE)
        return cls({tenant: connection})


@dataclass
class FakeAttemptJournal:
    records: dict[str, AttemptRecord] = field(default_factory=dict)

    def get(self, key: str) -> AttemptRecord | None:
        return self.records.get(key)

    def record(self, key: str, record: AttemptRecord) -> None:
        self.records[key] = record


def outcome_unknown() -> ProcountorError:
    return ProcountorError("OUTCOME_UNKNOWN", "POST /invoices timed out after the request was sent",
                           FailureClass.TRANSIENT)
