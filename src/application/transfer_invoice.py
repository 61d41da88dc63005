"""Use case: transfer one issued invoice into the tenant's Procountor company, exactly once.

Order of work, and why:
1. Parse and check the document (no network): a bad document fails fast and costs no rate budget.
2. Find the tenant's connection: a missing or broken connection is a connection-level failure, so the worker holds
   the tenant's invoices instead of filling the error log.
3. Consult the attempt journal: POSTED means the invoice is already in the books (nothing is sent); ATTEMPTING, or a
   replay, means an earlier POST's outcome is unknown, so Procountor is asked before posting again. FORGOTTEN (a
   record too old for the journal to keep) is asked about the same way, and posted when Procountor has no such
   invoice. A POST whose answer never came may still be saved after the client gave up (Procountor has no
   idempotency key), so an ATTEMPTING younger than ``outcome_settle_s`` that the look-up cannot find is not posted
   again yet: it fails as TRANSIENT ``OUTCOME_PENDING`` with ``retry_after_s`` and is looked up again when the window
   has passed.
4. Resolve products, record ATTEMPTING durably, POST, attach, compare Procountor's totals with the document's,
   record POSTED.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from application.messages import (
    InvoiceSummary,
    InvoiceTransferred,
    ProductCounts,
    TransferFailed,
    TransferInvoice,
    TransferOutcome,
)
from application.product_resolution import resolve_line_products
from domain.connection import Connection, ConnectionStatus
from domain.errors import FailureClass, InvoiceRuleError, ProcountorError, TransferError
from domain.payment_reference import choose_payment_reference
from domain.ports import (
    AccountingGateway,
    AccountingGateways,
    AttemptJournal,
    AttemptRecord,
    AttemptState,
    ConnectionDirectory,
    InvoiceDocumentParser,
)
from domain.posting import InvoicePosting, PostedInvoice, expected_booked_totals, totals_differences
from domain.supplier_check import supplier_mismatch
from domain.totals import check_totals


class ConnectionUnavailable(TransferError):
    """The tenant has no usable Procountor connection right now."""


@dataclass
class TransferInvoiceHandler:
    parser: InvoiceDocumentParser
    connections: ConnectionDirectory
    gateways: AccountingGateways
    journal: AttemptJournal
    # Longest a POST may still be saved after its answer was lost (client timeout, reset); 0 turns the wait off.
    outcome_settle_s: float = 0.0
    clock: Callable[[], float] = time.time

    def __call__(self, command: TransferInvoice) -> TransferOutcome:
        summary = None
        try:
            invoice = self.parser.parse(command.document)
            summary = summarise(invoice)
            rule_errors = check_totals(invoice)
            if rule_errors:
                raise rule_errors[0]
            connection = self._connection(command.tenant)
            outcome = self._transfer(command, invoice, summary, connection)
            if connection.status is not ConnectionStatus.ACTIVE:
                self.connections.set_status(command.tenant, ConnectionStatus.ACTIVE)  # it works again
            return outcome
        except TransferError as error:
            if error.failure_class is FailureClass.CONNECTION:
                self.connections.set_status(command.tenant, ConnectionStatus.ERROR, f"{error.code}: {error.message}")
            return TransferFailed(command=command, error=error, summary=summary)

    def _connection(self, tenant: str) -> Connection:
        connection = self.connections.get(tenant)
        if connection is None:
            raise ConnectionUnavailable("CONNECTION_MISSING", f"tenant {tenant!r} has no Procountor connection",
                                        FailureClass.CONNECTION)
        return connection

    def _transfer(self, command: TransferInvoice, invoice, summary: InvoiceSummary,
                  connection: Connection) -> InvoiceTransferred:
        gateway = self.gateways.for_connection(connection)
        warnings: list[str] = []
        mismatch = supplier_mismatch(invoice.supplier, gateway.company())
        if mismatch and connection.settings.strict_supplier_check:
            raise InvoiceRuleError("SUPPLIER_NOT_CONNECTED_COMPANY", mismatch)
        if mismatch:
            warnings.append(mismatch)

        document_reference = next((pm.payment_id for pm in invoice.payment_means if pm.payment_id), None)
        reference = choose_payment_reference(
            document_reference, invoice.invoice_number, connection.settings.payment_reference_scheme)
        if reference.replaced:
            warnings.append(f"payment reference {reference.replaced!r} in the document is invalid; "
                            f"replaced by {reference.reference}")

        journal_key = command.key
        earlier = self.journal.get(journal_key)
        posted = None
        if earlier is not None or command.replay:
            posted = gateway.find_posted_invoice(invoice)
            if posted is None and earlier is not None and earlier.state is AttemptState.POSTED:
                # Booked once and gone now: someone removed it in Procountor. Re-posting is a person's decision.
                raise InvoiceRuleError(
                    "POSTED_INVOICE_MISSING",
                    f"invoice was posted as Procountor id {earlier.procountor_id} but is no longer there")
            if posted is None and earlier is not None:
                self._wait_for_earlier_attempt(earlier)
            if posted is not None and (earlier is None or earlier.state is not AttemptState.POSTED):
                gateway.settle_accounts(posted)  # the earlier attempt may have stopped after its POST
        products = ProductCounts()
        attachments = 0
        if posted is None:
            line_products = resolve_line_products(invoice, gateway, connection.settings)
            products = ProductCounts(
                matched=sum(1 for lp in line_products if lp.disposition.value == "matched"),
                created=sum(1 for lp in line_products if lp.disposition.value == "created"),
                defaulted=sum(1 for lp in line_products if lp.disposition.value == "defaulted"),
            )
            posting = InvoicePosting(invoice=invoice, payment_reference=reference,
                                     line_products=line_products, settings=connection.settings)
            self.journal.record(journal_key, AttemptRecord(AttemptState.ATTEMPTING, attempted_at=self.clock()))
            posted = self._post(gateway, posting)
        for attachment in invoice.attachments:
            if attachment.content is not None and self._attach(gateway, posted, attachment):
                attachments += 1
        self.journal.record(journal_key, AttemptRecord(AttemptState.POSTED, posted.procountor_id))
        warnings.extend(posted.warnings)  # reported on the result, never silently lost

        differences = totals_differences(expected_booked_totals(invoice), posted.totals)
        if differences:
            raise InvoiceRuleError(
                "TOTALS_MISMATCH",
                f"Procountor invoice {posted.procountor_id} does not equal the document: " + "; ".join(differences))
        totals = invoice.totals
        return InvoiceTransferred(
            command=command, summary=summary, procountor_id=posted.procountor_id,
            already_existed=posted.already_existed, payment_reference=reference.reference,
            payment_reference_source="replaced" if reference.replaced else reference.source,
            products=products, attachments=attachments, booked=posted.totals,
            tax_exclusive=totals.tax_exclusive, tax=invoice.tax_total, tax_inclusive=totals.tax_inclusive,
            prepaid=totals.prepaid or Decimal(0), payable=totals.payable, warnings=tuple(warnings))

    def _post(self, gateway: AccountingGateway, posting: InvoicePosting) -> PostedInvoice:
        try:
            return gateway.post_invoice(posting)
        except ProcountorError as error:
            if error.code != "OUTCOME_UNKNOWN":
                raise
            # The request reached Procountor but no answer came back: ask before anyone posts again.
            existing = gateway.find_posted_invoice(posting.invoice)
            if existing is not None:
                return existing
            self._settle_before_retry(error)
            raise

    def _attach(self, gateway: AccountingGateway, posted: PostedInvoice, attachment) -> bool:
        try:
            return gateway.attach(posted, attachment)
        except ProcountorError as error:
            if error.code == "OUTCOME_UNKNOWN":  # the upload may still be saved: the retry checks after the window
                self._settle_before_retry(error)
            raise

    def _settle_before_retry(self, error: ProcountorError) -> None:
        if self.outcome_settle_s > 0:
            error.retry_after_s = self.outcome_settle_s

    def _wait_for_earlier_attempt(self, earlier: AttemptRecord) -> None:
        """An earlier POST's outcome is unknown and the look-up found nothing: post again only once that POST can
        no longer be saved late."""
        if self.outcome_settle_s <= 0 or earlier.state is not AttemptState.ATTEMPTING or earlier.attempted_at is None:
            return
        remaining = earlier.attempted_at + self.outcome_settle_s - self.clock()
        if remaining > 0:
            raise ProcountorError(
                "OUTCOME_PENDING",
                f"an earlier attempt's outcome is unknown and it is not in Procountor yet; it is looked up again in "
                f"{remaining:.0f} s before the invoice is posted again", FailureClass.TRANSIENT,
                retry_after_s=remaining)


def summarise(invoice) -> InvoiceSummary:
    customer = invoice.customer
    return InvoiceSummary(
        invoice_number=invoice.invoice_number,
        customer_name=customer.display_name,
        currency=invoice.currency,
        payable_amount=invoice.totals.payable,
        issue_date=invoice.issue_date,
    )
