"""EN 16931 arithmetic checks on a parsed invoice: BR-CO-10..BR-CO-16 and the per-category VAT rule.

The sums are compared the way the CEN schematron compares them: the computed value is rounded to two decimals
with XPath ``round()`` (half toward +infinity) and must equal the stated amount exactly. The per-category VAT
amount (BT-117) may differ from BT-116 x rate / 100 by less than 1.00 currency unit (BR-S-09 and friends),
which absorbs per-line rounding; categories without VAT (Z, E, AE, K, G, O, or a rate of 0) must carry 0 tax.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from domain.errors import FieldError, InvoiceRuleError
from domain.invoice import Invoice

ZERO = Decimal(0)
ONE = Decimal(1)
HALF = Decimal("0.5")
HUNDRED = Decimal(100)

# Category -> EN 16931 rule id of its "BT-117 = BT-116 x BT-119 / 100" (or "BT-117 = 0") rule.
_CATEGORY_RULE = {
    "S": "BR-S-09", "Z": "BR-Z-09", "E": "BR-E-09", "AE": "BR-AE-09", "K": "BR-IC-09", "G": "BR-G-09",
    "O": "BR-O-09", "L": "BR-AF-09", "M": "BR-AG-09",
}
_ZERO_TAX_CATEGORIES = frozenset({"Z", "E", "AE", "K", "G", "O"})


def round2(value: Decimal) -> Decimal:
    """XPath ``round(value * 100) div 100``: half-way cases go toward positive infinity."""
    return (value * HUNDRED + HALF).to_integral_value(rounding=ROUND_FLOOR).scaleb(-2)


def _error(rule: str, bt: str, message: str) -> InvoiceRuleError:
    return InvoiceRuleError(code=rule, message=message,
                            field_errors=(FieldError(field=bt, message=message, rule=rule),))


def _fmt(value: Decimal) -> str:
    return format(value, "f")


def check_totals(invoice: Invoice) -> list[InvoiceRuleError]:
    """Every arithmetic rule the invoice breaks, in rule order; empty when the totals are consistent."""
    errors: list[InvoiceRuleError] = []
    t = invoice.totals

    line_sum = round2(sum((line.net_amount for line in invoice.lines), ZERO))
    if t.line_total != line_sum:
        errors.append(_error("BR-CO-10", "BT-106", f"sum of invoice line net amounts (BT-106) is {_fmt(t.line_total)}"
                             f" but the lines (BT-131) add up to {_fmt(line_sum)}"))

    allowances = [ac.amount for ac in invoice.allowances_charges if not ac.is_charge]
    charges = [ac.amount for ac in invoice.allowances_charges if ac.is_charge]
    for rule, bt, what, stated, amounts in (
        ("BR-CO-11", "BT-107", "allowances", t.allowance_total, allowances),
        ("BR-CO-12", "BT-108", "charges", t.charge_total, charges),
    ):
        expected = round2(sum(amounts, ZERO))
        if stated is None:
            if amounts:
                errors.append(_error(rule, bt, f"{bt} is missing but the document-level {what} add up to "
                                               f"{_fmt(expected)}"))
        elif stated != expected:
            errors.append(_error(rule, bt, f"sum of {what} ({bt}) is {_fmt(stated)} but the document-level {what} "
                                           f"add up to {_fmt(expected)}"))

    expected = round2(t.line_total - (t.allowance_total or ZERO) + (t.charge_total or ZERO))
    if t.tax_exclusive != expected:
        errors.append(_error("BR-CO-13", "BT-109", f"total without VAT (BT-109) is {_fmt(t.tax_exclusive)} but "
                             f"BT-106 - BT-107 + BT-108 = {_fmt(expected)}"))

    if invoice.tax_subtotals:
        expected = round2(sum((s.tax_amount for s in invoice.tax_subtotals), ZERO))
        if invoice.tax_total != expected:
            errors.append(_error("BR-CO-14", "BT-110", f"total VAT (BT-110) is {_fmt(invoice.tax_total)} but the "
                                 f"VAT breakdown (BT-117) adds up to {_fmt(expected)}"))

    expected = round2(t.tax_exclusive + invoice.tax_total)
    if t.tax_inclusive != expected:
        errors.append(_error("BR-CO-15", "BT-112", f"total with VAT (BT-112) is {_fmt(t.tax_inclusive)} but "
                             f"BT-109 + BT-110 = {_fmt(expected)}"))

    expected = round2(t.tax_inclusive - (t.prepaid or ZERO) + (t.rounding or ZERO))
    if t.payable != expected:
        errors.append(_error("BR-CO-16", "BT-115", f"amount due (BT-115) is {_fmt(t.payable)} but "
                             f"BT-112 - BT-113 + BT-114 = {_fmt(expected)}"))

    errors.extend(_check_vat_breakdown(invoice))
    return errors


def _check_vat_breakdown(invoice: Invoice) -> list[InvoiceRuleError]:
    errors = []
    for sub in invoice.tax_subtotals:
        rule = _CATEGORY_RULE.get(sub.category, "BR-CO-17")
        where = f"VAT category {sub.category}" + (f" {_fmt(sub.rate)} %" if sub.rate is not None else "")
        if sub.category in _ZERO_TAX_CATEGORIES or sub.rate == ZERO:
            if sub.tax_amount != ZERO:
                errors.append(_error(rule, "BT-117", f"{where}: VAT amount (BT-117) is {_fmt(sub.tax_amount)} but "
                                                     f"must be 0"))
            continue
        if sub.rate is None:
            continue  # nothing to compute from; a missing rate is another rule's business (BR-S-05 etc.)
        expected = round2(abs(sub.taxable_amount) * sub.rate / HUNDRED)
        if not abs(abs(sub.tax_amount) - expected) < ONE:
            errors.append(_error(rule, "BT-117", f"{where}: VAT amount (BT-117) is {_fmt(sub.tax_amount)} but "
                                 f"BT-116 {_fmt(sub.taxable_amount)} x {_fmt(sub.rate)} / 100 = {_fmt(expected)} "
                                 f"(tolerance 1.00)"))
    return errors


def assert_totals(invoice: Invoice) -> None:
    """Raise the first :class:`InvoiceRuleError` :func:`check_totals` finds."""
    errors = check_totals(invoice)
    if errors:
        raise errors[0]
