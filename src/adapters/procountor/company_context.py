"""What the mapper needs to know about the tenant's Procountor company, read once per tenant.

``CompanyContext`` is built from ``GET /company``, ``GET /vats/default``, ``GET /bankaccounts`` and
``GET /currencies/company`` (``from_procountor``); the per-invoice exchange rate is added with ``with_rate``.

VAT statuses. Procountor publishes no list of VAT status numbers (API-NOTES §2.6, §8): only 1 = domestic is
reasonably certain, and the statuses usable in a company come from ``GET /vats/default`` with a description each.
So the status for an EN 16931 VAT category is found by *description*, with the rules below as data: for each
situation the description keywords in order of preference, first match among the company's sales-enabled statuses
wins. A situation nobody matches falls back to the domestic status (the status that accepts every rate). The
resolved table is part of the context, so it is visible (``vat_status_by_situation``) and can be overridden.

Situations (category plus where the customer is):

=================  ===========================================================================================
``S``              standard rate, any customer                           -> "domestic"
``Z``              zero-rated goods                                       -> "zero-rated", else domestic
``E``              exempt                                                 -> "exempt", else domestic
``O``              outside the scope of VAT                               -> "outside the scope"/"not subject",
                                                                             else domestic
``AE``             reverse charge, customer in the company's country      -> "reverse charge"
``AE-EU``          reverse charge, customer in another EU country         -> "services to other EU", "reverse charge"
``K``              intra-Community supply of goods                        -> "goods to other EU", "other EU"
``G``              export outside the EU                                  -> "outside the EU", "export"
``L``/``M``/``B``  Canary Islands, Ceuta/Melilla, Italian split payment    -> domestic (a foreign rate is refused
                                                                             anyway unless the company enables it)
``ROUNDING``       the cash-rounding row (BT-114), 0 % VAT                 -> domestic
=================  ===========================================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from adapters.procountor.countries import COUNTRIES

DOMESTIC_KEYWORDS = ("domestic", "kotimaa")

VAT_STATUS_RULES: dict[str, tuple[str, ...]] = {
    "S": DOMESTIC_KEYWORDS,
    "Z": ("zero-rated", "zero rated") + DOMESTIC_KEYWORDS,
    "E": ("exempt",) + DOMESTIC_KEYWORDS,
    "O": ("outside the scope", "not subject") + DOMESTIC_KEYWORDS,
    "AE": ("reverse charge",) + DOMESTIC_KEYWORDS,
    "AE-EU": ("services to other eu", "reverse charge") + DOMESTIC_KEYWORDS,
    "K": ("goods to other eu", "other eu"),
    "G": ("outside the eu", "export"),
    "L": DOMESTIC_KEYWORDS,
    "M": DOMESTIC_KEYWORDS,
    "B": DOMESTIC_KEYWORDS,
    "ROUNDING": DOMESTIC_KEYWORDS,
}

# Reference types Procountor accepts per company country (API-NOTES §3.4: "a type not allowed in the user's country
# -> 400"); the emulator applies the same table.
REFERENCE_TYPES_BY_COUNTRY: dict[str, frozenset[str]] = {
    "FINLAND": frozenset({"RF", "FI"}), "SWEDEN": frozenset({"RF", "OCR"}), "NORWAY": frozenset({"RF", "KID"}),
    "DENMARK": frozenset({"RF", "GIK01", "GIK04", "GIK15", "FIK71", "FIK73", "FIK75"}),
}
_ISO_BY_COUNTRY = {name: code for code, name in COUNTRIES.items() if code not in ("EL", "XI")}


@dataclass(frozen=True)
class VatStatus:
    code: int
    description: str


@dataclass(frozen=True)
class CompanyContext:
    name: str
    country: str  # Procountor country name, e.g. FINLAND
    currency: str  # the company (accounting) currency
    sales_vat_percents: frozenset[Decimal]  # normalised
    vat_statuses: tuple[VatStatus, ...]  # enabled for sales
    vat_status_by_situation: Mapping[str, int]
    bank_accounts: tuple[str, ...]  # active IBANs, no spaces
    default_bank_account: str | None
    business_id: str | None = None
    currency_rate: Decimal | None = None  # units of invoice currency per one company-currency unit, for this invoice
    currency_rate_for: tuple[str, str] | None = None  # (currency, ISO day) the rate belongs to
    reference_types: frozenset[str] = field(default_factory=lambda: frozenset({"RF", "FI"}))

    @property
    def country_code(self) -> str | None:
        return _ISO_BY_COUNTRY.get(self.country)

    def enables(self, percent: Decimal) -> bool:
        return percent.normalize() in self.sales_vat_percents

    def with_rate(self, currency: str, day: str, rate: Decimal) -> CompanyContext:
        return replace(self, currency_rate=rate, currency_rate_for=(currency, day))

    @classmethod
    def from_procountor(cls, company: Mapping[str, Any], vats: Mapping[str, Any],
                        bank_accounts: Iterable[Mapping[str, Any]], company_currency: str | None = None,
                        overrides: Mapping[str, int] | None = None) -> CompanyContext:
        """From the JSON of ``GET /company``, ``GET /vats/default``, ``GET /bankaccounts`` (results) and
        ``GET /currencies/company`` (``companyCurrency``)."""
        percents = frozenset(
            Decimal(str(p["vatPercent"])).normalize()
            for info in vats.get("vatInformation") or [] for p in info.get("percentages") or []
            if p.get("sales", True) and p.get("vatPercent") is not None)
        statuses = tuple(VatStatus(int(s["vatStatus"]), str(s.get("description") or ""))
                         for s in vats.get("vatStatuses") or [] if s.get("sales"))
        accounts = [a for a in bank_accounts if (a.get("status") or "ACTIVE") == "ACTIVE" and a.get("iban")]
        ibans = tuple(str(a["iban"]).replace(" ", "") for a in accounts)
        default = next((str(a["iban"]).replace(" ", "") for a in accounts if a.get("defaultForInvoice")), None)
        country = str(company.get("country") or "FINLAND")
        identifier = company.get("businessIdentifier") or {}
        return cls(
            name=str(company.get("name") or ""), country=country,
            currency=company_currency or str(company.get("companyCurrency") or "EUR"),
            sales_vat_percents=percents, vat_statuses=statuses,
            vat_status_by_situation=resolve_vat_statuses(statuses, overrides),
            bank_accounts=ibans, default_bank_account=default or (ibans[0] if ibans else None),
            business_id=identifier.get("code"),
            reference_types=REFERENCE_TYPES_BY_COUNTRY.get(country, frozenset({"RF"})),
        )


def resolve_vat_statuses(statuses: Iterable[VatStatus], overrides: Mapping[str, int] | None = None,
                         rules: Mapping[str, tuple[str, ...]] = VAT_STATUS_RULES) -> dict[str, int]:
    """Situation -> VAT status code. Situations no status matches are left out (the mapper then refuses them)."""
    statuses = list(statuses)
    resolved: dict[str, int] = {}
    for situation, keywords in rules.items():
        for keyword in keywords:
            # The shortest matching description is the most specific: "Domestic" beats "Zero-rated domestic sales".
            matches = sorted((s for s in statuses if keyword in s.description.lower()),
                             key=lambda s: (len(s.description), s.code))
            if matches:
                resolved[situation] = matches[0].code
                break
        else:
            if situation in ("S", "ROUNDING") and any(s.code == 1 for s in statuses):
                resolved[situation] = 1  # the one documented status (API-NOTES §2.6)
    if "S" in resolved:  # status 1 without a "domestic" description: use it wherever domestic was acceptable
        for situation, keywords in rules.items():
            if DOMESTIC_KEYWORDS[0] in keywords:
                resolved.setdefault(situation, resolved["S"])
    resolved.update(overrides or {})
    return resolved


# The emulator's demo company (src/adapters/procountor/emulator/config.py), for dry runs without a network.
DEMO_COMPANY = {"name": "Demo Oy", "country": "FINLAND", "companyCurrency": "EUR",
                "businessIdentifier": {"brnType": "FI", "code": "1234567-1"}}
DEMO_VAT_STATUSES = [
    {"vatStatus": 1, "description": "Domestic", "sales": True, "purchase": True},
    {"vatStatus": 2, "description": "Reverse charge, construction services", "sales": True, "purchase": True},
    {"vatStatus": 3, "description": "Sales of goods to other EU countries", "sales": True, "purchase": False},
    {"vatStatus": 4, "description": "Sales of services to other EU countries", "sales": True, "purchase": False},
    {"vatStatus": 5, "description": "Sales outside the EU (export)", "sales": True, "purchase": False},
    {"vatStatus": 6, "description": "Zero-rated domestic sales", "sales": True, "purchase": True},
]
DEMO_BANK_ACCOUNTS = [{"iban": "FI2112345600000785", "defaultForInvoice": True, "status": "ACTIVE"},
                      {"iban": "FI5740000010000013", "defaultForInvoice": False, "status": "ACTIVE"}]
FINNISH_VAT_PERCENTS = ("25.5", "14", "10", "0")


def demo_company_context(vat_percents: Iterable[str | Decimal] = FINNISH_VAT_PERCENTS) -> CompanyContext:
    vats = {"vatInformation": [{"country": "Finland", "percentages": [
        {"vatPercent": Decimal(str(p)), "sales": True, "purchase": True} for p in vat_percents]}],
            "vatStatuses": DEMO_VAT_STATUSES}
    return CompanyContext.from_procountor(DEMO_COMPANY, vats, DEMO_BANK_ACCOUNTS, "EUR")
