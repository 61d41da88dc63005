"""A tenant's Procountor connection: who we are in Procountor and how the tenant wants invoices posted."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ConnectionStatus(str, Enum):
    PENDING = "pending"  # configured, not yet verified against Procountor
    ACTIVE = "active"
    ERROR = "error"


@dataclass(frozen=True)
class ProcountorCredentials:
    """M2M credentials. ``repr`` and ``str`` never show a secret, so a credentials object that slips into a log
    line, an event or an exception message leaks nothing."""

    client_id: str
    client_secret: str = field(repr=False)
    api_key: str = field(repr=False)

    def __str__(self) -> str:
        return f"ProcountorCredentials(client_id={self.client_id!r}, client_secret=***, api_key=***)"

    def secrets(self) -> tuple[str, ...]:
        """The values a redactor must scrub from any text that leaves the process."""
        return tuple(s for s in (self.client_secret, self.api_key) if s)


@dataclass(frozen=True)
class ConnectionSettings:
    default_sales_account: str = "3000"
    bank_account: str | None = None  # IBAN; None means the company's default account for invoices
    create_missing_products: bool = True  # False: unmatched product ids go to the default sales account
    payment_reference_scheme: str = "fi"  # fi, rf, fi-rf, se, se-length, no-mod10, no-mod11
    invoice_channel: str = "NO_SENDING"  # the customer already received the invoice through Peppol
    unit_overrides: tuple[tuple[str, str], ...] = ()  # (UN/ECE Rec 20 code, Procountor unit)
    strict_supplier_check: bool = False  # True: a supplier party that is not the connected company is rejected


@dataclass(frozen=True)
class Connection:
    tenant: str
    base_url: str
    credentials: ProcountorCredentials
    settings: ConnectionSettings = field(default_factory=ConnectionSettings)
    status: ConnectionStatus = ConnectionStatus.PENDING
    status_reason: str | None = None
