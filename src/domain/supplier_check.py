"""Is the document's supplier the connected company? The tenant is the seller, so a sales invoice whose supplier
party is someone else is either a misrouted document or a misconfigured connection."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.invoice import Party
    from domain.ports import CompanyIdentity

_FI_OVT = re.compile(r"^0037(\d{8})")


def _finnish_business_id(value: str) -> str | None:
    """Y-tunnus digits (8, no hyphen) from a Y-tunnus, a Finnish VAT id (FI12345678) or an OVT code."""
    compact = re.sub(r"[\s-]", "", value).upper()
    if compact.startswith("FI") and compact[2:].isdigit() and len(compact) == 10:
        return compact[2:]
    match = _FI_OVT.match(compact)
    if match and len(compact) >= 12:
        return match.group(1)
    if compact.isdigit() and len(compact) == 8:
        return compact
    return None


def _identifiers(values: list[str | None]) -> set[str]:
    found = set()
    for value in values:
        if not value:
            continue
        finnish = _finnish_business_id(value)
        found.add(finnish if finnish else re.sub(r"[\s-]", "", value).upper())
    return found


def supplier_mismatch(supplier: Party, company: CompanyIdentity) -> str | None:
    """A reason when the supplier's identifiers and the company's share none; None when they match or when either
    side has no identifier to compare (nothing to contradict)."""
    ours = _identifiers([company.business_id, company.vat_id])
    theirs = _identifiers([supplier.vat_id, supplier.endpoint_id,
                           supplier.company_id.value if supplier.company_id else None,
                           *[identifier.value for identifier in supplier.business_ids]])
    if not ours or not theirs or ours & theirs:
        return None
    return (
        f"supplier party {supplier.display_name!r} ({', '.join(sorted(theirs))}) is not the "
        f"connected Procountor company {company.name!r} ({', '.join(sorted(ours))})"
    )
