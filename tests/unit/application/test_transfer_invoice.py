"""The transfer use case against fakes of every port: exactly once, classified failures, the duplicate check only
when an earlier attempt may exist."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from adapters.ubl.parser import UblInvoiceParser
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from application.messages import InvoiceTransferred, TransferFailed, TransferInvoice
from application.transfer_invoice import TransferInvoiceHandler
from domain.errors import FailureClass
from domain.ports import AttemptRecord, AttemptState, CompanyIdentity
from domain.posting import BookedTotals
from tests.fakes import FakeAttemptJournal, FakeConnectionDirectory, FakeGateways, outcome_unknown


def make_handler(**settings):
    gateways = FakeGateways()
    journal = FakeAttemptJournal()
    connections = FakeConnectionDirectory.with_tenant("demo", **settings)
    handler = TransferInvoiceHandler(UblInvoiceParser(), connections, gateways, journal)
    return handler, gateways.gateway, journal, connections


def command_for(invoice, replay: bool = False) -> TransferInvoice:
    return TransferInvoice("evt-" + invoice.invoice_number, "demo", invoice.invoice_number, render_ubl(invoice),
                           replay=replay)


@pytest.fixture
def invoice():
    return sample_invoice("INV-100", lines=3, seed=1)


def test_first_delivery_posts_once_without_a_lookup(invoice) -> None:
    handler, gateway, journal, _ = make_handler()
    outcome = handler(command_for(invoice))
    assert isinstance(outcome, InvoiceTransferred), outcome
    assert gateway.posted_count("INV-100") == 1
    assert not any(r.startswith("find_invoice") for r in gateway.requests)
    assert journal.records["demo/INV-100"] == AttemptRecord(AttemptState.POSTED, outcome.procountor_id)
    assert outcome.payable == invoice.totals.payable


def test_redelivery_after_an_unknown_outcome_reuses_the_posted_invoice(invoice) -> None:
    handler, gateway, journal, _ = make_handler()
    gateway.fail_next_post, gateway.save_before_failing = outcome_unknown(), True
    journal_before = dict(journal.records)
    outcome = handler(command_for(invoice))
    # The use case asked Procountor right away and found what the lost answer had created.
    assert isinstance(outcome, InvoiceTransferred) and outcome.already_existed
    assert gateway.posted_count("INV-100") == 1
    assert journal_before == {}


def test_unknown_outcome_without_a_saved_invoice_is_transient_then_posts_once(invoice) -> None:
    handler, gateway, journal, _ = make_handler()
    gateway.fail_next_post = outcome_unknown()
    first = handler(command_for(invoice))
    assert isinstance(first, TransferFailed) and first.error.failure_class is FailureClass.TRANSIENT
    assert journal.records["demo/INV-100"].state is AttemptState.ATTEMPTING
    second = handler(command_for(invoice))
    assert isinstance(second, InvoiceTransferred) and not second.already_existed
    assert gateway.posted_count("INV-100") == 1
    assert "find_invoice INV-100" in gateway.requests


def test_redelivery_of_a_posted_invoice_posts_nothing(invoice) -> None:
    handler, gateway, _journal, _ = make_handler()
    handler(command_for(invoice))
    again = handler(command_for(invoice))
    assert isinstance(again, InvoiceTransferred) and again.already_existed
    assert gateway.posted_count("INV-100") == 1


def test_a_replay_looks_the_invoice_up_first(invoice) -> None:
    handler, gateway, _journal, _ = make_handler()
    outcome = handler(command_for(invoice, replay=True))
    assert isinstance(outcome, InvoiceTransferred)
    assert gateway.requests.index("find_invoice INV-100") < gateway.requests.index("post_invoice INV-100")


def test_an_invoice_found_after_an_unfinished_attempt_gets_its_accounts_settled(invoice) -> None:
    """The earlier worker may have died between its POST and the ledger-account update: the found invoice is
    finished; one recorded POSTED is not touched again."""
    handler, gateway, journal, _ = make_handler()
    gateway.fail_next_post, gateway.save_before_failing = outcome_unknown(), True
    outcome = handler(command_for(invoice))
    assert isinstance(outcome, InvoiceTransferred) and outcome.already_existed
    journal.records["demo/INV-100"] = AttemptRecord(AttemptState.ATTEMPTING, attempted_at=1.0)
    again = handler(command_for(invoice))
    assert isinstance(again, InvoiceTransferred) and again.already_existed
    assert gateway.requests.count(f"settle_accounts {again.procountor_id}") == 1
    handler(command_for(invoice))  # journal says POSTED now
    assert gateway.requests.count(f"settle_accounts {again.procountor_id}") == 1


def test_a_forgotten_record_is_looked_up_and_not_posted_again(invoice) -> None:
    """The journal dropped the record of an invoice posted long ago: Procountor is asked, nothing is posted."""
    handler, gateway, journal, _ = make_handler()
    handler(command_for(invoice))
    journal.records["demo/INV-100"] = AttemptRecord(AttemptState.FORGOTTEN)
    again = handler(command_for(invoice))
    assert isinstance(again, InvoiceTransferred) and again.already_existed
    assert gateway.posted_count("INV-100") == 1
    assert gateway.requests.count("find_invoice INV-100") == 1


def test_a_forgotten_key_that_procountor_does_not_have_is_posted_once(invoice) -> None:
    """A Bloom filter's false positive (or an attempt that never reached Procountor): the look-up finds nothing, so
    the invoice is posted, without the settle wait an ATTEMPTING record would impose."""
    handler, gateway, journal, _ = make_handler()
    handler.outcome_settle_s = 120.0
    journal.records["demo/INV-100"] = AttemptRecord(AttemptState.FORGOTTEN)
    outcome = handler(command_for(invoice))
    assert isinstance(outcome, InvoiceTransferred) and not outcome.already_existed
    assert gateway.requests.index("find_invoice INV-100") < gateway.requests.index("post_invoice INV-100")
    assert gateway.posted_count("INV-100") == 1
    assert journal.records["demo/INV-100"] == AttemptRecord(AttemptState.POSTED, outcome.procountor_id)


def test_products_are_matched_created_or_defaulted() -> None:
    invoice = sample_invoice("INV-200", lines=3, seed=2)
    lines = list(invoice.lines)
    lines[2] = replace(lines[2], seller_item_id=None)
    invoice = replace(invoice, lines=tuple(lines))
    handler, gateway, _journal, _ = make_handler()
    existing_code = lines[0].seller_item_id
    from domain.posting import ProductRef

    gateway.products[existing_code] = ProductRef(1, existing_code, "existing")
    outcome = handler(command_for(invoice))
    assert isinstance(outcome, InvoiceTransferred), outcome
    created = 0 if lines[1].seller_item_id == existing_code else 1
    assert outcome.products.matched == 3 - 1 - created
    assert outcome.products.created == created
    assert outcome.products.defaulted == 1


def test_unmatched_products_go_to_the_default_account_when_the_connection_says_so() -> None:
    invoice = sample_invoice("INV-300", lines=2, seed=3)
    handler, gateway, _journal, _ = make_handler(create_missing_products=False)
    outcome = handler(command_for(invoice))
    assert isinstance(outcome, InvoiceTransferred), outcome
    assert outcome.products.defaulted == 2 and outcome.products.created == 0
    assert not any(r.startswith("create_product") for r in gateway.requests)


def test_totals_that_differ_in_procountor_are_an_error(invoice) -> None:
    handler, gateway, _journal, _ = make_handler()
    gateway.totals_skew = BookedTotals(Decimal("1.00"), Decimal("0.25"), Decimal("1.25"))
    outcome = handler(command_for(invoice))
    assert isinstance(outcome, TransferFailed)
    assert outcome.error.code == "TOTALS_MISMATCH"
    assert outcome.summary is not None and outcome.summary.invoice_number == "INV-100"


def test_a_tenant_without_a_connection_is_a_connection_level_failure(invoice) -> None:
    handler, _gateway, _journal, _ = make_handler()
    command = replace(command_for(invoice), tenant="nobody")
    outcome = handler(command)
    assert isinstance(outcome, TransferFailed)
    assert outcome.error.failure_class is FailureClass.CONNECTION


def test_a_supplier_that_is_not_the_company_is_a_warning_or_a_rejection(invoice) -> None:
    other = CompanyIdentity("Other Oy", "0112038-9", None)
    handler, gateway, _journal, _ = make_handler()
    gateway.identity = other
    outcome = handler(command_for(invoice))
    assert isinstance(outcome, InvoiceTransferred) and outcome.warnings
    strict_handler, strict_gateway, _j, _c = make_handler(strict_supplier_check=True)
    strict_gateway.identity = other
    rejected = strict_handler(command_for(invoice))
    assert isinstance(rejected, TransferFailed) and rejected.error.code == "SUPPLIER_NOT_CONNECTED_COMPANY"


def test_a_document_that_is_not_xml_fails_with_a_classified_error() -> None:
    handler, gateway, _journal, _ = make_handler()
    outcome = handler(TransferInvoice("e", "demo", "x", b"\x00\x01 not xml"))
    assert isinstance(outcome, TransferFailed)
    assert outcome.error.failure_class is FailureClass.PERMANENT and outcome.summary is None
    assert gateway.requests == []


def test_wrong_document_totals_name_the_rule(invoice) -> None:
    wrong = replace(invoice, totals=replace(invoice.totals, tax_inclusive=invoice.totals.tax_inclusive + 1))
    handler, gateway, _journal, _ = make_handler()
    outcome = handler(command_for(wrong))
    assert isinstance(outcome, TransferFailed)
    assert outcome.error.code.startswith("BR-CO-")
    assert gateway.requests == []


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_an_unknown_outcome_is_not_posted_again_inside_the_settle_window(invoice) -> None:
    """A POST whose answer was lost may still be saved late; until the window has passed the invoice waits."""
    handler, gateway, journal, _ = make_handler()
    handler.outcome_settle_s, handler.clock = 120.0, FakeClock()
    gateway.fail_next_post = outcome_unknown()  # lost answer, and not (yet) saved
    first = handler(command_for(invoice))
    assert isinstance(first, TransferFailed) and first.error.code == "OUTCOME_UNKNOWN"
    assert first.error.retry_after_s == 120.0
    assert journal.records["demo/INV-100"] == AttemptRecord(AttemptState.ATTEMPTING, attempted_at=1_000_000.0)

    handler.clock.now += 30  # the worker retried early (e.g. a redelivery after a restart)
    early = handler(command_for(invoice))
    assert isinstance(early, TransferFailed) and early.error.code == "OUTCOME_PENDING"
    assert early.error.failure_class is FailureClass.TRANSIENT and early.error.retry_after_s == 90.0
    assert gateway.posted_count("INV-100") == 0

    handler.clock.now += 91  # nothing was saved late: now it is safe to post
    late = handler(command_for(invoice))
    assert isinstance(late, InvoiceTransferred) and not late.already_existed
    assert gateway.posted_count("INV-100") == 1



def test_an_attachment_upload_with_an_unknown_outcome_is_retried_after_the_settle_window() -> None:
    """The upload may still be saved late, like a POST: the retry (which skips names already there) waits."""
    handler, gateway, _, _ = make_handler()
    handler.outcome_settle_s = 120.0
    gateway.fail_next_attach = outcome_unknown()
    invoice = sample_invoice("INV-ATT", lines=1, with_attachment=True)
    first = handler(command_for(invoice))
    assert isinstance(first, TransferFailed) and first.error.code == "OUTCOME_UNKNOWN"
    assert first.error.retry_after_s == 120.0
    second = handler(command_for(invoice))
    assert isinstance(second, InvoiceTransferred) and second.already_existed
    assert [len(names) for names in gateway.attachments.values()] == [1]
