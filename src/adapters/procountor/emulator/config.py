"""What the emulator starts with: companies (credentials, VAT, accounts, bank accounts, seed data), limits and faults.

Everything has a Finnish default so that ``EmulatorConfig()`` alone gives a working "demo" company. A JSON config file
uses the same field names as the dataclasses (see ``EmulatorConfig.from_dict``)::

    {"seed": 7, "rate_limit_per_second": 20, "token_ttl_seconds": 3600, "admin_token": null,
     "include_demo_company": true, "generate_companies": {"count": 10, "prefix": "bench"},
     "companies": [{"key": "acme", "client_id": "acme-client", "client_secret": "s", "api_key": "k",
                    "name": "Acme Oy", "business_id": "1234567-1", "vat_percents": [25.5, 14, 10, 0]}],
     "faults": [{"kind": "latency", "fixed_ms": 100, "jitter_ms": 20}]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"
DEMO_API_KEY = "demo-api-key"

FINNISH_VAT_PERCENTS: tuple[Decimal, ...] = (Decimal("25.5"), Decimal(14), Decimal(10), Decimal(0))

# Procountor publishes no full list of VAT status codes (API-NOTES §8); only 1 = domestic is reasonably certain.
# The others are plausible placeholders; ``vat_percents`` restricts which percents a status accepts (empty = any).
DEFAULT_VAT_STATUSES: tuple[dict[str, Any], ...] = (
    {"vatStatus": 1, "description": "Domestic", "sales": True, "purchase": True, "vat_percents": []},
    {"vatStatus": 2, "description": "Reverse charge, construction services", "sales": True, "purchase": True,
     "vat_percents": ["0"]},
    {"vatStatus": 3, "description": "Sales of goods to other EU countries", "sales": True, "purchase": False,
     "vat_percents": ["0"]},
    {"vatStatus": 4, "description": "Sales of services to other EU countries", "sales": True, "purchase": False,
     "vat_percents": ["0"]},
    {"vatStatus": 5, "description": "Sales outside the EU (export)", "sales": True, "purchase": False,
     "vat_percents": ["0"]},
    {"vatStatus": 6, "description": "Zero-rated domestic sales", "sales": True, "purchase": True,
     "vat_percents": ["0"]},
)

DEFAULT_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("1700", "Myyntisaamiset (Accounts receivable)"),
    ("1910", "Pankkitili (Bank account)"),
    ("2871", "Ostovelat (Accounts payable)"),
    ("2939", "Arvonlisäverovelka (VAT payable)"),
    ("3000", "Myynti (Sales)"),
    ("3010", "Myynti, palvelut (Sales of services)"),
    ("3020", "Myynti, tavarat (Sales of goods)"),
    ("3300", "Myynti EU (EU sales)"),
    ("3400", "Vientimyynti (Export sales)"),
    ("4000", "Ostot (Purchases)"),
)


@dataclass
class CompanyConfig:
    key: str
    client_id: str
    client_secret: str
    api_key: str
    name: str = "Demo Oy"
    business_id: str = "1234567-1"
    country: str = "FINLAND"
    currency: str = "EUR"
    company_id: int | None = None
    vat_percents: list[Decimal] = field(default_factory=lambda: list(FINNISH_VAT_PERCENTS))
    vat_statuses: list[dict[str, Any]] = field(default_factory=lambda: [dict(s) for s in DEFAULT_VAT_STATUSES])
    bank_accounts: list[dict[str, Any]] = field(default_factory=lambda: [
        {"iban": "FI2112345600000785", "bic": "NDEAFIHH", "bankName": "Nordea", "defaultForInvoice": True},
        {"iban": "FI5740000010000013", "bic": "DABAFIHH", "bankName": "Danske Bank", "defaultForInvoice": False},
    ])
    accounts: list[list[str]] = field(default_factory=lambda: [list(a) for a in DEFAULT_ACCOUNTS])
    sales_account: str = "3000"
    receivables_account: str = "1700"
    vat_payable_account: str = "2939"
    # Invoice dates before this ISO date fall into a closed fiscal period (CLOSED_FISCAL_PERIOD).
    closed_before: str | None = None
    invoice_number_start: int = 1
    products: list[dict[str, Any]] = field(default_factory=list)
    business_partners: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def demo(cls) -> CompanyConfig:
        return cls(
            key="demo", client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET, api_key=DEMO_API_KEY,
            name="Demo Oy", business_id="1234567-1",
            products=[
                {"type": "SALES", "name": "Consulting hour", "code": "CONS-H", "unit": "HOUR", "price": 100,
                 "vat": 25.5, "discount": 0, "active": True, "currency": "EUR", "defaultAccount": "3010",
                 "vatStatus": 1},
                {"type": "SALES", "name": "Widget", "code": "WID-1", "unit": "PIECE", "price": 12.5, "vat": 25.5,
                 "discount": 0, "active": True, "currency": "EUR", "defaultAccount": "3020", "vatStatus": 1},
            ],
            business_partners=[
                {"name": "Asiakas Oy", "type": "CUSTOMER", "identifier": "7654321-2", "customerNumber": "1001"},
            ],
        )

    @classmethod
    def generated(cls, index: int, prefix: str = "bench") -> CompanyConfig:
        """Company ``{prefix}-NN`` with credentials ``{key}-client`` / ``{key}-secret`` / ``{key}-api-key``."""
        key = f"{prefix}-{index:02d}"
        return cls(key=key, client_id=f"{key}-client", client_secret=f"{key}-secret", api_key=f"{key}-api-key",
                   name=f"{prefix.capitalize()} {index:02d} Oy")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CompanyConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown company config keys: {sorted(unknown)}")
        company = cls(**data)
        company.vat_percents = [Decimal(str(v)) for v in company.vat_percents]
        return company


@dataclass
class EmulatorConfig:
    companies: list[CompanyConfig] = field(default_factory=list)
    include_demo_company: bool = True
    seed: int = 0
    token_ttl_seconds: float = 3600
    # API-NOTES §4.4: 20 req/s per client (older docs), 60 on production (newer); 0 or None disables the limit.
    rate_limit_per_second: float | None = 20
    admin_token: str | None = None
    max_attachment_bytes: int = 10_000_000
    # None = any type (the spec says an attachment "can be of any type"); otherwise a list of MIME types.
    allowed_attachment_mime_types: list[str] | None = None
    faults: list[dict[str, Any]] = field(default_factory=list)

    def all_companies(self) -> list[CompanyConfig]:
        companies = list(self.companies)
        if self.include_demo_company and not any(c.key == "demo" for c in companies):
            companies.insert(0, CompanyConfig.demo())
        return companies

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmulatorConfig:
        data = dict(data)
        companies = [CompanyConfig.from_dict(c) for c in data.pop("companies", [])]
        generate = data.pop("generate_companies", None)
        if generate:
            prefix = generate.get("prefix", "bench")
            companies += [CompanyConfig.generated(i, prefix) for i in range(1, int(generate["count"]) + 1)]
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown emulator config keys: {sorted(unknown)}")
        return cls(companies=companies, **data)

    @classmethod
    def from_file(cls, path: str | Path) -> EmulatorConfig:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
