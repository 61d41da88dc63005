"""The ``invoiceRows`` of ``POST /invoices``: one row per invoice line, per document allowance/charge and for the
cash rounding (BT-114). The numbers come from ``row_arithmetic``; the VAT percent must be enabled for sales in the
company; ``vatStatus`` comes from the VAT category and where the customer is (``company_context`` has the table).

This runs once per invoice line, so what repeats across the lines of one invoice (VAT rate -> percent, VAT category
-> status, unit code -> unit, the invoice period's dates) is worked out once per invoice, and a row's field names
(``invoiceRows[12].product``) are only built when there is something to warn about or refuse.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.procountor.company_context import CompanyContext
from adapters.procountor.countries import EU_COUNTRIES
from adapters.procountor.row_arithmetic import natural_row, plain_number, row_numbers
from adapters.procountor.text_policy import TextPolicy, is_cp1252
from adapters.procountor.units import procountor_unit, unit_table
from domain.connection import ConnectionSettings
from domain.errors import FieldError, InvoiceRuleError
from domain.invoice import Invoice, InvoiceLine
from domain.posting import LineProduct

ROW_TEXT_MAX = 512  # comment's limit; the spec gives none for ``product``, long row texts have caused 500s (§3.5)
PRODUCT_CODE_MAX = 40
_ONE, _MINUS_ONE = Decimal(1), Decimal(-1)


class RowMapper:
    """Builds the rows of one invoice; ``status_weights`` (VAT status -> booked amount) picks the invoice's status."""

    def __init__(self, invoice: Invoice, company: CompanyContext, settings: ConnectionSettings, text: TextPolicy,
                 customer_country: str | None) -> None:
        self.invoice, self.company, self.text = invoice, company, text
        self.customer_country = customer_country
        self.sign = _MINUS_ONE if invoice.is_credit_note else _ONE
        self.units = unit_table(settings.unit_overrides)
        self.status_weights: dict[int, Decimal] = {}
        self._percents: dict[Any, Decimal] = {}  # VAT rate -> the enabled percent sent
        self._statuses: dict[str, int] = {}  # VAT category -> status
        self._unit_by_code: dict[Any, tuple[str, bool]] = {}
        period = invoice.invoice_period
        self._invoice_dates = _period_dates(period) if period else (None, None)

    def rows(self, line_products: tuple[LineProduct, ...]) -> tuple[list[dict[str, Any]], list[str]]:
        products = {lp.line_id: lp for lp in line_products}
        rows, strategies = [], []
        for index, line in enumerate(self.invoice.lines):
            row, strategy = self._line_row(index, line, products.get(line.id))
            rows.append(row)
            strategies.append(strategy)
        for index, ac in enumerate(self.invoice.allowances_charges):
            rows.append(self._allowance_charge_row(index, ac))
        rounding = self.invoice.totals.rounding
        if rounding:
            rows.append(self._rounding_row(len(rows), rounding))
        return rows, strategies

    # -- one row per invoice line ------------------------------------------------------------------------------

    def _line_row(self, index: int, line: InvoiceLine, line_product: LineProduct | None) -> tuple[dict[str, Any], str]:
        rate = line.vat_rate
        # Remembered by value, which decides the percent, except for a zero's sign: zeros are not remembered.
        percent = self._percents.get(rate) if rate else None
        if percent is None:
            percent = self._enabled_rate(rate, f"line {line.id}", f"invoiceRows[{index}].vatPercent")
            if rate:
                self._percents[rate] = percent
        sign, unit_price = self.sign, line.unit_price
        # An invoice's common line needs no multiplying by +1 (``natural_row`` says why that is the same)
        numbers = natural_row(line.quantity, unit_price, line.net_amount) if sign is _ONE else None
        quantity, unit_price, discount, strategy = numbers or row_numbers(sign * line.quantity, unit_price,
                                                                          sign * line.net_amount)
        unit_code = line.unit_code
        unit, mapped = self._unit_by_code.get(unit_code) or self._unit(unit_code)
        if not mapped:
            self.text.warn(f"invoiceRows[{index}].unit", "UNIT_FALLBACK",
                           f"unit code {unit_code!r} of line {line.id} has no Procountor unit; sent as {unit} "
                           f"with the code in the comment")
        row: dict[str, Any] = {}
        if line_product is not None and line_product.product is not None:
            row["productId"] = line_product.product.id
        row["product"] = self._row_text(line.name, index, "product", ROW_TEXT_MAX) or f"Line {line.id}"
        code = self._row_text(line.seller_item_id, index, "productCode", PRODUCT_CODE_MAX)
        if code:
            row["productCode"] = code
        row["quantity"] = quantity
        row["unit"] = unit
        row["unitPrice"] = unit_price
        row["discountPercent"] = discount
        row["vatPercent"] = percent
        category, weight = line.vat_category, line.net_amount
        status = self._statuses.get(category)
        if status is None:
            status = self._vat_status(category, f"invoiceRows[{index}].vatStatus", weight)
        else:
            weights = self.status_weights
            weights[status] = weights[status] + abs(weight)
        row["vatStatus"] = status
        comment = self._row_text(self._line_comment(line, strategy, mapped), index, "comment", ROW_TEXT_MAX)
        if comment:
            row["comment"] = comment
        period = line.period
        start, end = _period_dates(period) if period else self._invoice_dates
        if start:
            row["startDate"] = start
        if end:
            row["endDate"] = end
        return row, strategy

    def _row_text(self, value: str | None, index: int, name: str, limit: int) -> str | None:
        if value is None:
            return None
        text = value.strip()
        if len(text) <= limit and (text.isascii() or is_cp1252(text)):  # as TextPolicy.clean keeps it
            return text or None
        return self.text.clean(value, f"invoiceRows[{index}].{name}", limit)

    def _unit(self, code: str | None) -> tuple[str, bool]:
        self._unit_by_code[code] = found = procountor_unit(code, self.units)
        return found

    def _line_comment(self, line: InvoiceLine, strategy: str, unit_mapped: bool) -> str | None:
        description, note = line.description, line.note
        parts = []
        if description and description.strip():
            parts.append(description)
        if note and note.strip():
            parts.append(note)
        if strategy in ("effective_price", "quantity_one") or not unit_mapped:
            unit = line.unit_code or ""
            shown = f"{show(line.quantity)} {unit}".strip()
            price = f"{show(line.price)}" + (f" / {show(line.base_quantity)}" if line.base_quantity != 1 else "")
            parts.append(f"{shown} x {price} {self.invoice.currency}")
        for ac in line.allowances_charges:
            label = "charge" if ac.is_charge else "allowance"
            reason = f" ({ac.reason or ac.reason_code})" if (ac.reason or ac.reason_code) else ""
            parts.append(f"{label} {show(ac.amount)}{reason}")
        return " | ".join(parts) or None

    # -- document allowances/charges and the cash rounding -----------------------------------------------------

    def _allowance_charge_row(self, index: int, ac) -> dict[str, Any]:
        path = f"invoiceRows[{len(self.invoice.lines) + index}]"
        where = f"document {'charge' if ac.is_charge else 'allowance'} {index + 1}"
        rate = self._enabled_rate(ac.vat_rate, where, f"{path}.vatPercent")
        signed = ac.amount if ac.is_charge else -ac.amount
        default = "Charge" if ac.is_charge else "Allowance"
        name = ac.reason or (f"{default} {ac.reason_code}" if ac.reason_code else default)
        row: dict[str, Any] = {
            "product": self.text.clean(name, f"{path}.product", ROW_TEXT_MAX) or default,
            "quantity": self.sign, "unit": "NO_UNIT", "unitPrice": plain_number(signed), "discountPercent": Decimal(0),
            "vatPercent": rate,
            "vatStatus": self._vat_status(ac.vat_category or "S", f"{path}.vatStatus", signed)}
        if ac.percent is not None and ac.base_amount is not None:
            row["comment"] = f"{show(ac.percent)} % x {show(ac.base_amount)} {self.invoice.currency}"
        return row

    def _rounding_row(self, index: int, rounding: Decimal) -> dict[str, Any]:
        path = f"invoiceRows[{index}]"
        rate = self._enabled_rate(Decimal(0), "the cash rounding (BT-114)", f"{path}.vatPercent")
        return {"product": "Pyöristys / Rounding", "quantity": self.sign, "unit": "NO_UNIT",
                "unitPrice": plain_number(rounding), "discountPercent": Decimal(0), "vatPercent": rate,
                "vatStatus": self._vat_status("ROUNDING", f"{path}.vatStatus", Decimal(0))}

    # -- VAT -----------------------------------------------------------------------------------------------------

    def _enabled_rate(self, rate: Decimal | None, where: str, field: str) -> Decimal:
        percent = (rate if rate is not None else Decimal(0)).normalize()
        if not self.company.enables(percent):
            enabled = ", ".join(f"{plain_percent(p)} %" for p in sorted(self.company.sales_vat_percents))
            raise InvoiceRuleError(
                "VAT_RATE_NOT_ENABLED",
                f"VAT rate {plain_percent(percent)} % of {where} is not enabled for sales in the Procountor company "
                f"(enabled: {enabled})",
                field_errors=(FieldError(field, f"{plain_percent(percent)} % not enabled", "VAT_RATE_NOT_ENABLED"),))
        return plain_percent(percent)

    def _vat_status(self, category: str, field: str, weight: Decimal) -> int:
        situation = category.upper()
        if situation == "AE" and self.customer_country in EU_COUNTRIES \
                and self.customer_country != self.company.country_code:
            situation = "AE-EU"
        status = self.company.vat_status_by_situation.get(situation)
        if status is None:
            raise InvoiceRuleError(
                "VAT_STATUS_NOT_AVAILABLE",
                f"no sales VAT status of the Procountor company fits VAT category {category} ({situation}); "
                f"enabled: " + ", ".join(f"{s.code} {s.description}" for s in self.company.vat_statuses),
                field_errors=(FieldError(field, f"no VAT status for {situation}", "VAT_STATUS_NOT_AVAILABLE"),))
        self._statuses[category] = status
        self.status_weights[status] = self.status_weights.get(status, Decimal(0)) + abs(weight)
        return status


def _period_dates(period) -> tuple[str | None, str | None]:
    return (period.start.isoformat() if period.start else None, period.end.isoformat() if period.end else None)


def show(value: Decimal) -> str:
    return format(value.normalize(), "f")


def plain_percent(value: Decimal) -> Decimal:
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value
