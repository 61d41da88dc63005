"""In-memory, thread-safe state of every emulated company.

One ``threading.RLock`` guards everything: handlers hold it only for dictionary work (never across an ``await``), and
tests or the admin API may read the state from other threads.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from adapters.procountor.emulator.config import CompanyConfig, EmulatorConfig
from adapters.procountor.emulator.http import timestamp


@dataclass
class StoredAttachment:
    meta: dict[str, Any]
    content: bytes
    content_type: str


class CompanyState:
    """One Procountor environment ("company"): credentials, settings and everything created through the API."""

    def __init__(self, config: CompanyConfig, company_id: int) -> None:
        self.config = config
        self.key = config.key
        self.company_id = config.company_id or company_id
        self.client_id, self.client_secret, self.api_key = config.client_id, config.client_secret, config.api_key
        self.revoked = False
        self.country, self.currency = config.country, config.currency
        self.vat_percents = frozenset(Decimal(str(p)).normalize() for p in config.vat_percents)
        self.vat_statuses: dict[int, dict[str, Any]] = {int(s["vatStatus"]): s for s in config.vat_statuses}
        self.closed_before = date.fromisoformat(config.closed_before) if config.closed_before else None
        self.accounts: dict[str, str] = {str(code): name for code, name in config.accounts}
        self.bank_accounts = [self._bank_account(i, raw) for i, raw in enumerate(config.bank_accounts)]
        self.ibans = frozenset(b["iban"] for b in self.bank_accounts if b["status"] == "ACTIVE")
        self.products: dict[int, dict[str, Any]] = {}
        self.partners: dict[int, dict[str, Any]] = {}
        self.invoices: dict[int, dict[str, Any]] = {}
        self.ledger_receipts: dict[int, dict[str, Any]] = {}
        self.attachments: dict[int, StoredAttachment] = {}
        # Distinct id ranges per resource make a client that mixes ids up fail loudly.
        self._ids = {name: itertools.count(start) for name, start in (
            ("invoice", 10001), ("ledger_receipt", 50001), ("product", 2001), ("attachment", 70001),
            ("partner", 3001), ("transaction", 900001))}
        self._invoice_numbers = itertools.count(config.invoice_number_start)
        self._receipt_numbers = itertools.count(1)
        for raw in config.business_partners:
            self._seed_partner(raw)

    def next_id(self, resource: str) -> int:
        return next(self._ids[resource])

    def next_invoice_number(self) -> int:
        return next(self._invoice_numbers)

    def next_receipt_number(self) -> int:
        return next(self._receipt_numbers)

    def has_product(self, product_id: int) -> bool:
        return product_id in self.products

    def has_partner(self, partner_id: int) -> bool:
        return partner_id in self.partners

    def product_account(self, product_id: int) -> str | None:
        product = self.products.get(product_id)
        return product.get("defaultAccount") if product else None

    def ledger_accounts(self) -> dict[str, str]:
        c = self.config
        return {"sales": c.sales_account, "receivables": c.receivables_account, "vat": c.vat_payable_account,
                "purchase": "4000", "payables": "2871"}

    def counts(self) -> dict[str, int]:
        return {"invoices": len(self.invoices), "products": len(self.products),
                "attachments": len(self.attachments), "ledgerReceipts": len(self.ledger_receipts),
                "businessPartners": len(self.partners)}

    def _bank_account(self, index: int, raw: dict[str, Any]) -> dict[str, Any]:
        iban = raw["iban"]
        return {"id": 401 + index, "accountNumber": raw.get("accountNumber", iban[4:] if iban.startswith("FI") else
                                                               iban), "iban": iban,
                "bic": raw.get("bic"), "bankName": raw.get("bankName"), "currency": raw.get("currency", self.currency),
                "defaultForInvoice": raw.get("defaultForInvoice", index == 0),
                "defaultForPayment": raw.get("defaultForPayment", index == 0),
                "status": raw.get("status", "ACTIVE"), "orderNo": index + 1, "associatedAccounts": [],
                "version": timestamp()}

    def _seed_partner(self, raw: dict[str, Any]) -> None:
        partner_id = self.next_id("partner")
        self.partners[partner_id] = {
            "id": partner_id, "name": raw["name"], "type": raw.get("type", "CUSTOMER"),
            "billingAddress": raw.get("billingAddress", {"name": raw["name"], "country": "FINLAND"}),
            "invoicingInfo": {"customerNumber": raw.get("customerNumber"), "identifier": raw.get("identifier"),
                              "identifierType": raw.get("identifierType", "BUSINESS_ID")},
            "registryInfo": {"active": raw.get("active", True)}, "version": timestamp()}


@dataclass
class TokenInfo:
    company_key: str
    api_key: str
    expires_at: float  # time.monotonic() deadline


@dataclass
class EmulatorState:
    config: EmulatorConfig
    lock: threading.RLock = field(default_factory=threading.RLock)
    companies: dict[str, CompanyState] = field(default_factory=dict)
    tokens: dict[str, TokenInfo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to the start-up configuration: companies re-created, data and tokens dropped."""
        from adapters.procountor.emulator.products import seed_products

        with self.lock:
            self.companies = {}
            self.tokens = {}
            for company_config in self.config.all_companies():
                self.add_company(company_config)
            for company in self.companies.values():
                seed_products(company)

    def add_company(self, company_config: CompanyConfig) -> CompanyState:
        with self.lock:
            if company_config.key in self.companies:
                raise ValueError(f"company key '{company_config.key}' already exists")
            if any(c.api_key == company_config.api_key for c in self.companies.values()):
                raise ValueError("api_key already belongs to another company")
            company = CompanyState(company_config, company_id=1000 + len(self.companies) + 1)
            self.companies[company.key] = company
            return company

    def find_company(self, ref: str) -> CompanyState | None:
        """By key, client_id (when unique) or api_key — what the admin endpoints accept."""
        with self.lock:
            if ref in self.companies:
                return self.companies[ref]
            by_client = [c for c in self.companies.values() if c.client_id == ref]
            if len(by_client) == 1:
                return by_client[0]
            return next((c for c in self.companies.values() if c.api_key == ref), None)

    def company_for_token(self, token: str, now: float) -> CompanyState | None:
        """The company a valid bearer token belongs to: unexpired, key not revoked and unchanged since issue."""
        with self.lock:
            info = self.tokens.get(token)
            if info is None:
                return None
            company = self.companies.get(info.company_key)
            if company is None or company.revoked or info.api_key != company.api_key or now >= info.expires_at:
                return None
            return company

    def revoke(self, company: CompanyState) -> None:
        with self.lock:
            company.revoked = True
            self.tokens = {t: i for t, i in self.tokens.items() if i.company_key != company.key}

    def restore(self, company: CompanyState) -> None:
        with self.lock:
            company.revoked = False
