"""Use case: verify a tenant's Procountor connection on activation and record ACTIVE or ERROR with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from domain.connection import Connection, ConnectionStatus
from domain.errors import TransferError
from domain.ports import CompanyIdentity, ConnectionDirectory


class ConnectionProbe(Protocol):
    """Read-only questions about the connected company; each raises ``ProcountorError`` when Procountor says no."""

    def company(self) -> CompanyIdentity: ...

    def sales_vat_percents(self) -> set[Decimal]: ...

    def account_exists(self, account: str) -> bool: ...

    def bank_accounts(self) -> list[str]: ...


@dataclass(frozen=True)
class VerificationReport:
    tenant: str
    status: ConnectionStatus
    problems: tuple[str, ...]
    company: CompanyIdentity | None = None
    vat_percents: tuple[Decimal, ...] = ()


def verify_connection(connection: Connection, probe: ConnectionProbe,
                      directory: ConnectionDirectory | None = None) -> VerificationReport:
    problems: list[str] = []
    company = None
    vats: set[Decimal] = set()
    try:
        company = probe.company()  # proves the credentials work and the company is reachable
        vats = probe.sales_vat_percents()
        if not vats:
            problems.append("the company has no VAT percent enabled for sales")
        account = connection.settings.default_sales_account
        if not probe.account_exists(account):
            problems.append(f"default sales account {account} is not in the chart of accounts")
        banks = probe.bank_accounts()
        wanted = connection.settings.bank_account
        if wanted and wanted.replace(" ", "") not in banks:
            problems.append(f"bank account {wanted} is not one of the company's bank accounts")
        if not banks:
            problems.append("the company has no active bank account for invoices")
    except TransferError as error:
        problems.append(f"{error.code}: {error.message}")
    status = ConnectionStatus.ERROR if problems else ConnectionStatus.ACTIVE
    if directory is not None:
        directory.set_status(connection.tenant, status, "; ".join(problems) or None)
    return VerificationReport(connection.tenant, status, tuple(problems), company, tuple(sorted(vats)))
