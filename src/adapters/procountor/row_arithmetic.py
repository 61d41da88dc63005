"""Procountor's invoice arithmetic, and rows chosen so that it reproduces the UBL amounts to the cent.

Procountor has no amount fields on rows: it computes every total from ``quantity × unitPrice × (1 − discount%)`` and
``vatPercent`` (API-NOTES §3.5, §6.11). Its rounding is undocumented; ``procountor_row_totals`` does what the
emulator does (``emulator/totals.py``), which is the EN 16931 scheme a UBL invoice's own totals follow:

1. row amount = round2(quantity × unitPrice × (1 − row discount/100) × (1 − invoice discount/100)), ROUND_HALF_UP;
2. VAT per VAT percent = round2(Σ row amounts × rate/100) (net prices);
3. net = Σ row amounts, VAT = Σ group VAT, gross = net + VAT.

So if every row's amount equals its UBL line net amount (BT-131) and the VAT percents group like the UBL tax
subtotals, Procountor's totals equal BT-109/BT-110/BT-112 exactly. ``exact_row`` picks the row numbers, trying in
order (first exact one wins; the criterion is exactness, then faithfulness to what the document shows):

1. ``natural``: the document's quantity and unit price (BT-146 / BT-149), no discount;
2. ``discount``: the document's quantity and unit price with a row ``discountPercent`` (4 decimals) that lands on
   BT-131 — line allowances shown as Procountor shows discounts;
3. ``effective_price``: the document's quantity and unitPrice = BT-131 / quantity at 4 decimals (Tryton's way);
4. ``quantity_one``: quantity ±1 and unitPrice = BT-131 (always exact); the real quantity goes into the comment.

Precision: quantity 6 decimals, unitPrice 4, discountPercent 4 (API-NOTES §2.3 observed scales; the emulator rejects
more). Decimals only, never float.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
QUANTITY_STEP = Decimal("0.000001")
PRICE_STEP = Decimal("0.0001")
PERCENT_STEP = Decimal("0.0001")
ZERO = Decimal(0)
_ZERO_CENTS = Decimal("0.00")

# ``quantize(step, ROUND_HALF_UP)`` with the rounding passed positionally: the keyword form costs twice as much in
# C decimal, and these run several times per invoice row.


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _fits(value: Decimal, step: Decimal) -> bool:
    return value == value.quantize(step, ROUND_HALF_UP)


def row_amount(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal = ZERO,
               invoice_discount: Decimal = ZERO) -> Decimal:
    amount = quantity * unit_price
    if discount_percent:  # a zero discount multiplies by exactly 1: the step is skipped, the result is the same
        amount = amount * (1 - discount_percent / HUNDRED)
    if invoice_discount:
        amount = amount * (1 - invoice_discount / HUNDRED)
    return amount.quantize(CENT, ROUND_HALF_UP)


def _decimal(value: Any) -> Decimal:
    # ``Decimal(str(d))`` is ``d`` itself (same digits, same exponent) for a Decimal; only other types need the trip
    return value if type(value) is Decimal else Decimal(str(value))


def procountor_row_totals(body: Mapping[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
    """``(net, vat, gross)`` of a ``POST /invoices`` body as Procountor (the emulator) computes ``invoiceSumInfo``
    in the invoice currency."""
    includes_vat = bool((body.get("extraInfo") or {}).get("unitPricesIncludeVat"))
    invoice_discount = _decimal(body.get("discountPercent") or 0)
    # Grouped by the percent as given: equal values share a group either way, and the group's rate is the first
    # row's percent normalised, as if each row's percent were normalised before grouping.
    groups: dict[Any, Decimal] = {}
    for row in body["invoiceRows"]:
        quantity, price, discount = row["quantity"], row["unitPrice"], row.get("discountPercent") or 0
        if type(quantity) is not Decimal or type(price) is not Decimal or discount or invoice_discount:
            amount = row_amount(_decimal(quantity), _decimal(price), _decimal(discount), invoice_discount)
        else:  # the common row, as ``row_amount`` computes it without the two no-op discount steps
            amount = (quantity * price).quantize(CENT, ROUND_HALF_UP)
        percent = row["vatPercent"]
        if type(percent) is not Decimal:
            percent = Decimal(str(percent))
        groups[percent] = groups.get(percent, _ZERO_CENTS) + amount
    net = vat = Decimal("0.00")
    for percent, amount in groups.items():
        rate = percent.normalize()
        if includes_vat:
            group_vat = round2(amount * rate / (HUNDRED + rate))
            net, vat = net + amount - group_vat, vat + group_vat
        else:
            net, vat = net + amount, vat + round2(amount * rate / HUNDRED)
    return net, vat, net + vat


@dataclass(frozen=True)
class RowNumbers:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    strategy: str  # natural | discount | effective_price | quantity_one


def _near(center: Decimal, step: Decimal, reach: int = 3) -> list[Decimal]:
    base = center.quantize(step, ROUND_HALF_UP)
    return [base + step * k for k in (0, -1, 1, -2, 2, -3, 3)[: 2 * reach + 1]]


def exact_row(quantity: Decimal, unit_price: Decimal, target: Decimal) -> RowNumbers:
    """Row numbers whose Procountor amount is exactly ``target`` (the signed BT-131 as booked)."""
    return RowNumbers(*row_numbers(quantity, unit_price, target))


RowTuple = tuple[Decimal, Decimal, Decimal, str]  # (quantity, unit price, discount percent, strategy)


def row_numbers(quantity: Decimal, unit_price: Decimal, target: Decimal) -> RowTuple:
    """``exact_row`` as a plain tuple, for the per-line loop."""
    return natural_row(quantity, unit_price, target) or _search_row(quantity, unit_price, target)


def natural_row(quantity: Decimal, unit_price: Decimal, target: Decimal) -> RowTuple | None:
    """The common line, or ``None``: quantity and price with at most 2 decimals whose product rounds to ``target``.
    Then ``exact_row``'s normalise / fit / plain_number steps all come down to the value at exponent -2, which one
    quantize gives. Zeros are left to the general search, which keeps the sign of a zero as it always did.

    What this accepts has at most 28 digits, so ``natural_row(x, p, t)`` equals ``natural_row(1 * x, p, 1 * t)``:
    the caller may leave out multiplying by a sign of +1."""
    # The search quantizes quantities to 6 and prices to 4 decimals, which fails beyond 28 digits: such numbers are
    # left to it, so that it raises as before.
    if quantity and target and quantity.adjusted() < 22 and unit_price.adjusted() < 24:
        try:
            q, p = quantity.quantize(CENT), unit_price.quantize(CENT)
        except InvalidOperation:
            return None
        if q == quantity and p == unit_price and (q * p).quantize(CENT, ROUND_HALF_UP) == target:
            return q, p, ZERO, "natural"
    return None


def _search_row(quantity: Decimal, unit_price: Decimal, target: Decimal) -> RowTuple:
    q = quantity.normalize() if quantity else ZERO
    if q and _fits(q, QUANTITY_STEP):
        q = plain_number(q.quantize(QUANTITY_STEP))
        price_fits = _fits(unit_price, PRICE_STEP)
        if price_fits and row_amount(q, unit_price) == target:
            return q, plain_number(unit_price), ZERO, "natural"
        gross = q * unit_price
        if price_fits and gross and abs(target) < abs(gross) and (target >= 0) == (gross >= 0):
            for percent in _near((1 - target / gross) * HUNDRED, PERCENT_STEP):
                if ZERO <= percent <= HUNDRED and row_amount(q, unit_price, percent) == target:
                    return q, plain_number(unit_price), plain_number(percent), "discount"
        for price in _near(target / q, PRICE_STEP):
            if row_amount(q, price) == target:
                return q, plain_number(price), ZERO, "effective_price"
    one = Decimal(-1) if quantity < 0 else Decimal(1)
    return one, plain_number(target * one), ZERO, "quantity_one"


def plain_number(value: Decimal) -> Decimal:
    """Without exponent notation and trailing zeros beyond cents (``1E+1`` -> ``10``, ``85.5000`` -> ``85.50``)."""
    value = value.normalize()
    if value.is_finite():
        # At most 2 decimals: the value at exponent -2, which is what the exponent test below gives; by value and one
        # quantize, cheaper than ``as_tuple``.
        cents = value.quantize(CENT)
        if cents == value:
            value = cents
    elif value.as_tuple().exponent > -2:  # not a number: raises as it always did
        value = value.quantize(CENT)
    return value
