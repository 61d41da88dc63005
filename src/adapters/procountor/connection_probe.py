"""Answers the connection-verification questions from Procountor's own endpoints (company, VAT, accounts, banks)."""

from __future__ import annotations

from decimal import Decimal

from adapters.procountor.client import ProcountorClient
from domain.ports import CompanyIdentity


class ProcountorConnectionProbe:
    def __init__(self, client: ProcountorClient) -> None:
        self._client = client

    def company(self) -> CompanyIdentity:
        company = self._client.verify()
        identifier = (company.get("businessIdentifier") or {}).get("code")
        return CompanyIdentity(name=company.get("name", ""), business_id=identifier,
                               vat_id=company.get("vatNumber") or company.get("vatId"))

    def sales_vat_percents(self) -> set[Decimal]:
        vats = self._client.get_default_vats()
        return {Decimal(str(p["vatPercent"])) for info in vats.get("vatInformation", [])
                for p in info.get("percentages", []) if p.get("sales")}

    def account_exists(self, account: str) -> bool:
        coa = self._client.get_chart_of_accounts()
        return any(a.get("ledgerAccountCode") == account and a.get("active", True)
                   for a in coa.get("ledgerAccounts", []))

    def bank_accounts(self) -> list[str]:
        return [a["iban"].replace(" ", "") for a in self._client.get_bank_accounts()
                if a.get("iban") and a.get("status", "ACTIVE") == "ACTIVE"]
