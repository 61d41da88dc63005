"""The project's own sample invoices: realistic Finnish Peppol BIS 3 documents for demos, tests and benchmarks.

Deterministic for a given ``(number, lines, seed, ...)``. Amounts follow the Peppol rounding guidance (line net
amounts and VAT per category rounded to 2 decimals, totals from already-rounded amounts), so
``domain.totals.check_totals`` finds nothing and the rendered XML validates against the UBL 2.1 XSD.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from stdnum.fi import ytunnus

from domain.invoice import (
    AllowanceCharge,
    Attachment,
    DocumentKind,
    Invoice,
    InvoiceLine,
    MonetaryTotals,
    PaymentMeans,
    Period,
    PrecedingInvoice,
    References,
    TaxSubtotal,
)
from domain.parties import Address, Contact, Identifier, Party

BIS3_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
BIS3_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
FINNISH_VAT_RATES = (Decimal("25.5"), Decimal(14), Decimal(10))
CENT = Decimal("0.01")

_PRODUCTS = (  # (name, unit, price range in cents, VAT rate)
    ("Konsultointi", "HUR", (8000, 15000), Decimal("25.5")),
    ("Ohjelmistolisenssi", "C62", (1900, 49900), Decimal("25.5")),
    ("Toimistotuoli", "C62", (12900, 45900), Decimal("25.5")),
    ("Kahvipaketti 500 g", "C62", (499, 1299), Decimal(14)),
    ("Lounasbuffet", "C62", (1090, 1590), Decimal(14)),
    ("Ammattikirja", "C62", (2900, 8900), Decimal(10)),
    ("Lehtitilaus", "MON", (990, 2990), Decimal(10)),
    ("Kopiopaperi A4", "XBX", (2490, 3990), Decimal("25.5")),
    ("Sähkö", "KWH", (9, 35), Decimal("25.5")),
)


def _with_check_digit(base: str) -> str:
    """``base`` (7 digits) + the check digit that makes a valid Y-tunnus, validated by python-stdnum."""
    for digit in "0123456789":
        if ytunnus.is_valid(f"{base}-{digit}"):
            return f"{base}-{digit}"
    raise ValueError(f"no valid Y-tunnus starts with {base}")


def finnish_company(name: str, base: str, city: str, street: str, postal_code: str) -> Party:
    """A Finnish company party with a valid Y-tunnus, its FI VAT id and OVT endpoint (EAS 0216)."""
    business_id = _with_check_digit(base)
    digits = business_id.replace("-", "")
    return Party(
        name=name, registration_name=f"{name} Oy", business_ids=(Identifier(f"0037{digits}", "0216"),),
        company_id=Identifier(business_id, "0212"), vat_id=f"FI{digits}", endpoint_id=f"0037{digits}",
        endpoint_scheme="0216", address=Address(street=street, city=city, postal_code=postal_code, country_code="FI"),
        contact=Contact(name="Laskutus", phone="+358 9 1234 567", email=f"laskutus@{name.lower().split()[0]}.fi"),
    )


DEFAULT_SUPPLIER = finnish_company("Esimerkkitoimittaja", "2077474", "Helsinki", "Mannerheimintie 12", "00100")
DEFAULT_CUSTOMER = finnish_company("Asiakasyritys", "1572860", "Tampere", "Hämeenkatu 5", "33100")


def finnish_reference(base: str) -> str:
    """Finnish national reference number (viitenumero): digits of ``base`` + a 7-3-1 check digit."""
    digits = "".join(ch for ch in base if ch.isdigit()) or "1"
    digits = digits.lstrip("0").rjust(3, "1")[-19:]
    weights = (7, 3, 1)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(digits)))
    return digits + str((10 - total % 10) % 10)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _line(rng: random.Random, index: int, start: date) -> InvoiceLine:
    name, unit, (low, high), rate = _PRODUCTS[rng.randrange(len(_PRODUCTS))]
    price = Decimal(rng.randint(low, high)) / 100
    if unit == "HUR":
        quantity = Decimal(rng.randint(1, 16)) / 2
    elif unit == "KWH":
        quantity = Decimal(rng.randint(100, 5000))
    else:
        quantity = Decimal(rng.randint(1, 20))
    net = _money(quantity * price)
    return InvoiceLine(
        id=str(index), quantity=quantity, unit_code=unit, net_amount=net, price=price, name=name,
        vat_category="S", vat_rate=rate, description=f"{name}, toimitus {start.isoformat()}",
        seller_item_id=f"SKU-{index:04d}", order_line_reference=str(index),
        period=Period(start, start + timedelta(days=29)) if unit == "MON" else None,
    )


def sample_invoice(number: str, lines: int = 3, *, kind: DocumentKind = DocumentKind.INVOICE, seed: int = 0,
                   with_attachment: bool = False, currency: str = "EUR", supplier: Party = DEFAULT_SUPPLIER,
                   customer: Party = DEFAULT_CUSTOMER) -> Invoice:
    """A consistent Finnish BIS 3 invoice (or credit note) with ``lines`` lines."""
    if lines < 1:
        raise ValueError("an invoice needs at least one line")
    rng = random.Random(f"{number}/{lines}/{seed}/{kind.value}")
    issue = date(2025, 1, 2) + timedelta(days=rng.randrange(360))
    period_start = issue.replace(day=1)
    invoice_lines = tuple(_line(rng, i, period_start) for i in range(1, lines + 1))

    charges: tuple[AllowanceCharge, ...] = ()
    if lines >= 3:  # a delivery charge, as Finnish webshops bill it
        charges = (AllowanceCharge(is_charge=True, amount=Decimal("9.90"), reason="Toimitusmaksu", reason_code="FC",
                                   vat_category="S", vat_rate=Decimal("25.5")),)

    taxable: dict[Decimal, Decimal] = {}
    for line in invoice_lines:
        taxable[line.vat_rate] = taxable.get(line.vat_rate, Decimal(0)) + line.net_amount
    for ac in charges:
        sign = 1 if ac.is_charge else -1
        taxable[ac.vat_rate] = taxable.get(ac.vat_rate, Decimal(0)) + sign * ac.amount
    subtotals = tuple(TaxSubtotal(taxable_amount=amount, tax_amount=_money(amount * rate / 100), category="S",
                                  rate=rate) for rate, amount in sorted(taxable.items(), reverse=True))
    line_total = sum((line.net_amount for line in invoice_lines), Decimal(0))
    charge_total = sum((ac.amount for ac in charges if ac.is_charge), Decimal(0))
    tax_total = sum((s.tax_amount for s in subtotals), Decimal(0))
    tax_exclusive = line_total + charge_total
    totals = MonetaryTotals(line_total=line_total, tax_exclusive=tax_exclusive,
                            tax_inclusive=tax_exclusive + tax_total, payable=tax_exclusive + tax_total,
                            charge_total=charge_total if charges else None)

    credit = kind is DocumentKind.CREDIT_NOTE
    references = References(
        buyer_reference=f"OSTO-{rng.randint(1000, 9999)}", order_reference=f"PO-{rng.randint(10000, 99999)}",
        contract="SOP-2025-01", project="PRJ-77",
        preceding_invoices=(PrecedingInvoice(f"{number}-ALK", issue - timedelta(days=30)),) if credit else (),
    )
    attachments = ()
    if with_attachment:
        pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% sample " + number.encode() + b"\n%%EOF\n"
        attachments = (Attachment(id=f"LIITE-{number}", description="Laskun kuva", filename=f"lasku-{number}.pdf",
                                  mime_code="application/pdf", content=pdf),)
    return Invoice(
        kind=kind, type_code="381" if credit else "380", invoice_number=number, issue_date=issue,
        currency=currency, supplier=supplier, customer=customer, lines=invoice_lines, tax_total=tax_total,
        totals=totals, customization_id=BIS3_CUSTOMIZATION, profile_id=BIS3_PROFILE,
        due_date=issue + timedelta(days=14), references=references,
        payment_means=(PaymentMeans(code="58", name="SEPA credit transfer", payment_id=finnish_reference(number),
                                    iban="FI2112345600000785", account_name=supplier.registration_name,
                                    bic="NDEAFIHH"),),
        payment_terms="14 päivää netto", notes=("Kiitos tilauksestanne!",),
        invoice_period=Period(period_start, period_start + timedelta(days=29)),
        allowances_charges=charges, tax_subtotals=subtotals, attachments=attachments,
    )
