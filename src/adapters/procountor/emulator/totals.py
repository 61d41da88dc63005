"""Invoice totals (``invoiceSumInfo``) the way the emulator computes them.

Procountor does not document its rounding (API-NOTES §6.11, §8). The emulator uses the EN 16931 scheme, which is what
a UBL invoice's own totals follow, so a correct mapping reproduces ``LegalMonetaryTotal`` to the cent:

1. Row amount = quantity × unitPrice × (1 − row discountPercent/100) × (1 − invoice discountPercent/100), rounded to
   2 decimals (ROUND_HALF_UP). It is net, or gross when ``extraInfo.unitPricesIncludeVat`` is true.
2. Rows are grouped by vatPercent. Per group: net prices → VAT = round2(Σ row amounts × rate/100); gross prices →
   VAT = round2(Σ row amounts × rate/(100 + rate)) and net = Σ row amounts − VAT.
3. excludingVatTotal = Σ group nets, vatSumTotal = Σ group VAT, invoiceSumTotal = the sum of both.
4. Foreign currency: a second entry in the accounting currency, each group's net and VAT divided by
   ``paymentInfo.currencyRate`` (units of foreign currency per one unit of company currency) and rounded to 2 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class VatGroup:
    vat_percent: Decimal
    net: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    row_indexes: list[int] = field(default_factory=list)


@dataclass
class InvoiceTotals:
    row_amounts: list[Decimal]  # as entered: net or gross per unitPricesIncludeVat
    row_nets: list[Decimal]  # net per row; within a group they add up exactly to the group net
    groups: list[VatGroup]
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def compute(invoice: dict[str, Any]) -> InvoiceTotals:
    """``invoice`` has been validated: decimals are ``Decimal``, rows carry the required numbers."""
    includes_vat = bool(invoice.get("extraInfo", {}).get("unitPricesIncludeVat"))
    invoice_factor = 1 - Decimal(invoice.get("discountPercent") or 0) / HUNDRED
    row_amounts: list[Decimal] = []
    groups: dict[Decimal, VatGroup] = {}
    for index, row in enumerate(invoice["invoiceRows"]):
        row_factor = 1 - Decimal(row.get("discountPercent") or 0) / HUNDRED
        amount = round2(Decimal(row["quantity"]) * Decimal(row["unitPrice"]) * row_factor * invoice_factor)
        row_amounts.append(amount)
        rate = Decimal(row["vatPercent"]).normalize()
        group = groups.setdefault(rate, VatGroup(rate))
        group.net += amount
        group.row_indexes.append(index)
    row_nets = list(row_amounts)
    for group in groups.values():
        if includes_vat:
            gross = group.net
            group.vat = round2(gross * group.vat_percent / (HUNDRED + group.vat_percent))
            group.net = gross - group.vat
            _spread_net(group, row_amounts, row_nets)
        else:
            group.vat = round2(group.net * group.vat_percent / HUNDRED)
    ordered = list(groups.values())
    return InvoiceTotals(row_amounts, row_nets, ordered, sum((g.net for g in ordered), Decimal("0.00")),
                         sum((g.vat for g in ordered), Decimal("0.00")))


def _spread_net(group: VatGroup, row_amounts: list[Decimal], row_nets: list[Decimal]) -> None:
    """Gross rows: each row's net is its gross minus its own VAT; the last row absorbs the rounding difference."""
    for index in group.row_indexes:
        row_nets[index] = row_amounts[index] - round2(
            row_amounts[index] * group.vat_percent / (HUNDRED + group.vat_percent))
    row_nets[group.row_indexes[-1]] += group.net - sum(row_nets[i] for i in group.row_indexes)


def in_accounting_currency(totals: InvoiceTotals, currency_rate: Decimal) -> tuple[Decimal, Decimal]:
    """(net, VAT) in company currency: each group converted and rounded, then summed."""
    rate = currency_rate if currency_rate else Decimal(1)
    net = sum((round2(g.net / rate) for g in totals.groups), Decimal("0.00"))
    vat = sum((round2(g.vat / rate) for g in totals.groups), Decimal("0.00"))
    return net, vat


def sum_info(invoice: dict[str, Any], totals: InvoiceTotals, company_currency: str) -> list[dict[str, Any]]:
    currency = invoice["paymentInfo"]["currency"]
    entries = [_entry(currency, currency == company_currency, totals.net, totals.vat)]
    if currency != company_currency:
        net, vat = in_accounting_currency(totals, Decimal(invoice["paymentInfo"]["currencyRate"]))
        entries.append(_entry(company_currency, True, net, vat))
    return entries


def _entry(currency: str, in_accounting_currency_: bool, net: Decimal, vat: Decimal) -> dict[str, Any]:
    return {"currency": currency, "inAccountingCurrency": in_accounting_currency_, "excludingVatTotal": net,
            "vatSumTotal": vat, "invoiceSumTotal": net + vat}
