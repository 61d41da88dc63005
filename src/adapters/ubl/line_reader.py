"""One invoice line (BG-25) read from UBL: the hot path of the pure-Python walk (hundreds per document).

Names are bound as default arguments (fast locals), numbers seen before come from the decimal cache without a call,
and the line object is filled without the frozen dataclass's __init__.
"""

from __future__ import annotations

from dataclasses import fields

from adapters.ubl.elements import (
    _DECIMALS,
    _ONE,
    ACCOUNTING_COST,
    ALLOWANCE_CHARGE,
    AMOUNT,
    BASE_AMOUNT,
    BASE_QUANTITY,
    BUYERS_ITEM_IDENTIFICATION,
    CLASSIFIED_TAX_CATEGORY,
    CREDITED_QUANTITY,
    DESCRIPTION,
    ID,
    INVOICE_PERIOD,
    INVOICED_QUANTITY,
    ITEM,
    LINE_EXTENSION_AMOUNT,
    LINE_ID,
    NAME,
    NOTE,
    ORDER_LINE_REFERENCE,
    PERCENT,
    PRICE,
    PRICE_AMOUNT,
    SELLERS_ITEM_IDENTIFICATION,
    STANDARD_ITEM_IDENTIFICATION,
    Problem,
    child_text,
    decimal_of,
    missing,
    read_allowance_charge,
    read_identifier,
    read_period,
    text_of,
)
from domain.invoice import InvoiceLine

_new = object.__new__
_set = object.__setattr__
_LINE_FIELDS = [
    "id", "quantity", "unit_code", "net_amount", "price", "name", "vat_category", "vat_rate", "base_quantity",
    "price_allowance", "gross_price", "note", "description", "seller_item_id", "buyer_item_id", "standard_item_id",
    "allowances_charges", "period", "order_line_reference", "accounting_cost",
]
# read_line() fills InvoiceLine.__dict__ in one go (a frozen dataclass __init__ costs ~2.5 µs per line, a third of
# the whole per-line budget); this keeps that shortcut honest if the dataclass changes.
assert tuple(_LINE_FIELDS) == tuple(f.name for f in fields(InvoiceLine)), "InvoiceLine fields changed"
assert not hasattr(InvoiceLine, "__slots__") and not hasattr(InvoiceLine, "__post_init__")


def _read_price(el, PRICE_AMOUNT=PRICE_AMOUNT, BASE_QTY=BASE_QUANTITY, AC=ALLOWANCE_CHARGE,
                AMOUNT=AMOUNT, BASE_AMOUNT=BASE_AMOUNT):
    price = base_qty = allowance = gross = None
    for c in el:
        tag = c.tag
        if tag == PRICE_AMOUNT:
            price = decimal_of(c, "BT-146", "cbc:PriceAmount")
        elif tag == BASE_QTY:
            base_qty = decimal_of(c, "BT-149", "cbc:BaseQuantity")
        elif tag == AC:
            for s in c:
                stag = s.tag
                if stag == AMOUNT:
                    allowance = decimal_of(s, "BT-147", "cac:AllowanceCharge/cbc:Amount")
                elif stag == BASE_AMOUNT:
                    gross = decimal_of(s, "BT-148", "cac:AllowanceCharge/cbc:BaseAmount")
    return price, base_qty, allowance, gross


def _read_item_extras(tag, el, desc, buyer, std, DESCRIPTION=DESCRIPTION, BUYERS=BUYERS_ITEM_IDENTIFICATION,
                      STANDARD=STANDARD_ITEM_IDENTIFICATION):
    """The less common Item children: description (BT-154), buyer's (BT-156) and standard (BT-157) item ids."""
    if tag == DESCRIPTION:
        if desc is None:
            desc = text_of(el)
    elif tag == BUYERS:
        buyer = child_text(el, ID)
    elif tag == STANDARD:
        std = read_identifier(el)
    return desc, buyer, std


def read_line(el, ID=ID, QTY=INVOICED_QUANTITY, CQTY=CREDITED_QUANTITY, NET=LINE_EXTENSION_AMOUNT,
              ITEM=ITEM, PRICE=PRICE, NOTE=NOTE, AC=ALLOWANCE_CHARGE, PERIOD=INVOICE_PERIOD,
              ORDER=ORDER_LINE_REFERENCE, COST=ACCOUNTING_COST, LINE_ID=LINE_ID, NAME=NAME,
              SELLERS=SELLERS_ITEM_IDENTIFICATION, TAX=CLASSIFIED_TAX_CATEGORY, PERCENT=PERCENT,
              PRICE_AMOUNT=PRICE_AMOUNT, decimal_of=decimal_of, known=_DECIMALS.get) -> InvoiceLine:
    """One InvoiceLine / CreditNoteLine (BG-25). Raises :class:`Problem` with a path relative to the line.

    The line is the hot path (hundreds per document), so the common children of Item, ClassifiedTaxCategory and
    Price are read inline here, numbers seen before come from the cache without a call (``known``), and rarer
    elements go to the helper readers."""
    lid = note = qty = unit = net = price = cat = None
    name = desc = seller = buyer = std = rate = allowance = gross = period = order_line = cost = None
    base_qty = _ONE
    acs = ()
    for c in el:
        tag = c.tag
        if tag == ID:
            t = c.text
            lid = (t.strip() or None) if t is not None else None
        elif tag == QTY or tag == CQTY:
            qty = known(c.text)
            if qty is None:
                qty = decimal_of(c, "BT-129", "cbc:InvoicedQuantity")
            unit = c.get("unitCode")
        elif tag == NET:
            net = known(c.text)
            if net is None:
                net = decimal_of(c, "BT-131", "cbc:LineExtensionAmount")
        elif tag == ITEM:
            for s in c:
                stag = s.tag
                if stag == NAME:
                    t = s.text
                    name = (t.strip() or None) if t is not None else None
                elif stag == TAX:
                    if cat is None:
                        for x in s:
                            xtag = x.tag
                            if xtag == ID:
                                t = x.text
                                cat = (t.strip() or None) if t is not None else None
                            elif xtag == PERCENT:
                                rate = known(x.text)
                                if rate is None:
                                    rate = decimal_of(x, "BT-152", "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")
                elif stag == SELLERS:
                    seller = None
                    for x in s:
                        if x.tag == ID:
                            t = x.text
                            seller = (t.strip() or None) if t is not None else None
                            break
                else:
                    desc, buyer, std = _read_item_extras(stag, s, desc, buyer, std)
        elif tag == PRICE:
            for s in c:
                if s.tag == PRICE_AMOUNT:
                    price = known(s.text)
                    if price is None:
                        price = decimal_of(s, "BT-146", "cac:Price/cbc:PriceAmount")
                    break
            if len(c) > 1:
                try:
                    _, bq, allowance, gross = _read_price(c)
                except Problem as p:
                    raise p.under("cac:Price") from None
                if bq is not None:
                    base_qty = bq
        elif tag == ORDER:
            order_line = None
            for x in c:
                if x.tag == LINE_ID:
                    t = x.text
                    order_line = (t.strip() or None) if t is not None else None
                    break
        elif tag == PERIOD:
            try:
                period = read_period(c)
            except Problem as p:
                raise p.under("cac:InvoicePeriod") from None
        elif tag == NOTE:
            t = text_of(c)
            note = t if note is None else f"{note}\n{t or ''}"
        elif tag == AC:
            try:
                acs += (read_allowance_charge(c),)
            except Problem as p:
                raise p.under("cac:AllowanceCharge") from None
        elif tag == COST:
            cost = text_of(c)
    if lid is None:
        raise missing("BT-126", "cbc:ID")
    if qty is None:
        raise missing("BT-129", "cbc:InvoicedQuantity")
    if net is None:
        raise missing("BT-131", "cbc:LineExtensionAmount")
    if price is None:
        raise missing("BT-146", "cac:Price/cbc:PriceAmount")
    if name is None:
        raise missing("BT-153", "cac:Item/cbc:Name")
    if cat is None:
        raise missing("BT-151", "cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
    line = _new(InvoiceLine)
    _set(line, "__dict__", {
        "id": lid, "quantity": qty, "unit_code": unit, "net_amount": net, "price": price, "name": name,
        "vat_category": cat, "vat_rate": rate, "base_quantity": base_qty, "price_allowance": allowance,
        "gross_price": gross, "note": note, "description": desc, "seller_item_id": seller, "buyer_item_id": buyer,
        "standard_item_id": std, "allowances_charges": acs, "period": period, "order_line_reference": order_line,
        "accounting_cost": cost,
    })
    return line
