"""EN 16931 arithmetic rules (BR-CO-10..16, per-category VAT) on domain invoices built by hand."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D

import pytest

from adapters.ubl.samples import sample_invoice
from domain.errors import InvoiceRuleError
from domain.invoice import AllowanceCharge, DocumentKind, TaxSubtotal
from domain.totals import assert_totals, check_totals, round2


def _replace_totals(invoice, **changes):
    return dataclasses.replace(invoice, totals=dataclasses.replace(invoice.totals, **changes))


def codes(invoice) -> list[str]:
    return [e.code for e in check_totals(invoice)]


@pytest.mark.parametrize("lines", [1, 3, 60])
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_samples_are_consistent(lines, kind):
    assert check_totals(sample_invoice("T-1", lines, kind=kind)) == []


def test_round2_is_xpath_round():
    assert round2(D("1.005")) == D("1.01")
    assert round2(D("-1.005")) == D("-1.00")  # half toward +infinity, like XPath round()
    assert str(round2(D("16.7"))) == "16.70"


def test_br_co_10_line_total_is_exact():
    inv = sample_invoice("T-2", 3)
    bad = _replace_totals(inv, line_total=inv.totals.line_total + D("0.01"))
    errors = check_totals(bad)
    assert errors[0].code == "BR-CO-10"
    assert errors[0].field_errors[0].field == "BT-106"
    assert errors[0].field_errors[0].rule == "BR-CO-10"
    assert str(inv.totals.line_total + D("0.01")) in errors[0].message


def test_br_co_11_and_12_allowances_and_charges():
    inv = sample_invoice("T-3", 3)  # has one 9.90 charge
    assert "BR-CO-12" in codes(_replace_totals(inv, charge_total=D("9.91")))
    assert "BR-CO-12" in codes(_replace_totals(inv, charge_total=None))
    allowance = AllowanceCharge(is_charge=False, amount=D("5.00"), reason="Alennus", vat_category="S",
                                vat_rate=D("25.5"))
    with_allowance = dataclasses.replace(inv, allowances_charges=inv.allowances_charges + (allowance,))
    assert "BR-CO-11" in codes(with_allowance)  # BT-107 missing although an allowance exists
    assert "BR-CO-11" not in codes(_replace_totals(with_allowance, allowance_total=D("5.00")))


def test_br_co_13_tax_exclusive():
    inv = sample_invoice("T-4", 3)
    assert codes(_replace_totals(inv, tax_exclusive=inv.totals.tax_exclusive - D("9.90")))[0] == "BR-CO-13"


def test_br_co_14_vat_total_is_sum_of_breakdown():
    inv = sample_invoice("T-5", 5)
    bad = dataclasses.replace(inv, tax_total=inv.tax_total + D("0.01"))
    assert "BR-CO-14" in codes(bad)
    assert check_totals(bad)[0].field_errors[0].field == "BT-110"


def test_br_co_15_and_16():
    inv = sample_invoice("T-6", 2)
    assert codes(_replace_totals(inv, tax_inclusive=inv.totals.tax_inclusive + 1)) == ["BR-CO-15", "BR-CO-16"]
    assert codes(_replace_totals(inv, payable=inv.totals.payable - D("0.01"))) == ["BR-CO-16"]
    prepaid = _replace_totals(inv, prepaid=D("10.00"), payable=inv.totals.payable - 10)
    assert codes(prepaid) == []
    rounded = _replace_totals(inv, rounding=D("0.05"), payable=inv.totals.payable + D("0.05"))
    assert codes(rounded) == []


def test_vat_category_tolerance_is_one_unit():
    inv = sample_invoice("T-7", 1)
    sub = inv.tax_subtotals[0]
    assert sub.category == "S"

    def with_tax(tax):
        subtotal = dataclasses.replace(sub, tax_amount=tax)
        changed = dataclasses.replace(inv, tax_subtotals=(subtotal,), tax_total=tax)
        return _replace_totals(changed, tax_inclusive=changed.totals.tax_exclusive + tax,
                               payable=changed.totals.tax_exclusive + tax)

    assert codes(with_tax(sub.tax_amount + D("0.99"))) == []
    errors = check_totals(with_tax(sub.tax_amount + D("1.00")))
    assert [e.code for e in errors] == ["BR-S-09"]
    assert errors[0].field_errors[0].field == "BT-117"


@pytest.mark.parametrize("category, rule", [("Z", "BR-Z-09"), ("E", "BR-E-09"), ("AE", "BR-AE-09"),
                                            ("K", "BR-IC-09"), ("G", "BR-G-09"), ("O", "BR-O-09")])
def test_zero_rated_categories_must_carry_no_tax(category, rule):
    inv = sample_invoice("T-8", 1)
    sub = TaxSubtotal(taxable_amount=D("100.00"), tax_amount=D("0.50"), category=category,
                      rate=None if category == "O" else D(0))
    bad = dataclasses.replace(inv, tax_subtotals=inv.tax_subtotals + (sub,))
    assert rule in codes(bad)
    ok = dataclasses.replace(inv, tax_subtotals=inv.tax_subtotals + (dataclasses.replace(sub, tax_amount=D(0)),))
    assert rule not in codes(ok)


def test_assert_totals_raises_first_error():
    inv = sample_invoice("T-9", 2)
    assert_totals(inv)
    with pytest.raises(InvoiceRuleError) as caught:
        assert_totals(_replace_totals(inv, payable=D(0)))
    assert caught.value.code == "BR-CO-16"


def test_credit_note_and_negative_invoice():
    credit = sample_invoice("T-10", 2, kind=DocumentKind.CREDIT_NOTE)
    assert credit.is_credit_note and not credit.is_negative
    inv = sample_invoice("T-11", 1)
    negative = _replace_totals(inv, payable=-inv.totals.payable)
    assert negative.is_negative
    assert not inv.is_negative
