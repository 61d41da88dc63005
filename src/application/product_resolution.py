"""Which Procountor product each invoice line books to: matched by the seller's item id (BT-155) against product
codes, created when missing (if the connection says so), otherwise the connection's default sales account."""

from __future__ import annotations

from domain.connection import ConnectionSettings
from domain.ports import AccountingGateway
from domain.posting import LineProduct, ProductDisposition, ProductDraft, ProductRef


def resolve_line_products(invoice, gateway: AccountingGateway, settings: ConnectionSettings) -> tuple[LineProduct, ...]:
    resolved: dict[str, ProductRef | None] = {}  # one look-up per distinct code, even when many lines share it
    created: set[str] = set()  # codes this invoice created (a concurrent invoice may have created it first)
    result = []
    for line in invoice.lines:
        code = (line.seller_item_id or "").strip()
        if not code:
            result.append(LineProduct(line.id, ProductDisposition.DEFAULTED, None))
            continue
        if code not in resolved:
            product = gateway.find_product(code)
            if product is None and settings.create_missing_products:
                product = gateway.create_product(ProductDraft(
                    code=code, name=line.name, unit_code=line.unit_code or "C62", unit_price=line.unit_price,
                    vat_rate=line.vat_rate, sales_account=settings.default_sales_account))
                if product.created_now:
                    created.add(code)
            resolved[code] = product
        product = resolved[code]
        if product is None:
            result.append(LineProduct(line.id, ProductDisposition.DEFAULTED, None))
        elif code in created:
            result.append(LineProduct(line.id, ProductDisposition.CREATED, product))
        else:
            result.append(LineProduct(line.id, ProductDisposition.MATCHED, product))
    return tuple(result)
