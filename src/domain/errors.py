"""The error taxonomy every layer speaks.

An invoice that cannot be transferred must land in the error log with a reason an operator can act on, so every
failure is classified by *what should happen next*, not by where it was raised:

- ``PERMANENT``: the same input will fail again (bad document, wrong totals, Procountor rejected a field). Goes to
  the dead-letter topic and the error log.
- ``TRANSIENT``: the same input may succeed later (network, 5xx, 429). Retried, then dead-lettered.
- ``CONNECTION``: the tenant's Procountor connection is broken (credentials revoked, rights missing). The tenant's
  invoices wait and the connection is marked in error, instead of filling the error log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class FailureClass(str, Enum):
    PERMANENT = "permanent"
    TRANSIENT = "transient"
    CONNECTION = "connection"


@dataclass(frozen=True)
class FieldError:
    """One rejected field: a UBL path or BT id, a Procountor field name, or a rule id's location."""

    field: str
    message: str
    rule: str | None = None


@dataclass
class TransferError(Exception):
    """Base of every classified failure. ``code`` is stable and machine-readable (e.g. ``UBL_MALFORMED``,
    ``BR-CO-15``, ``PROCOUNTOR_VALIDATION``); ``message`` is for people and never contains secrets."""

    code: str
    message: str
    failure_class: FailureClass = FailureClass.PERMANENT
    field_errors: tuple[FieldError, ...] = field(default_factory=tuple)
    http_status: int | None = None
    retry_after_s: float | None = None  # a transient failure that cannot succeed sooner than this says so

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.message}")

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __reduce__(self):  # dataclass exceptions do not pickle by default; keep them portable
        return (self.__class__._rebuild, (self.__dict__.copy(),))

    @classmethod
    def _rebuild(cls, state: dict):
        obj = cls.__new__(cls)
        obj.__dict__.update(state)
        Exception.__init__(obj, f"{obj.code}: {obj.message}")
        return obj


class DocumentError(TransferError):
    """The input document cannot be read as a UBL invoice (malformed, hostile, too large, wrong root...)."""


class InvoiceRuleError(TransferError):
    """The document parsed but breaks a business rule (EN 16931 BR-*, an unknown VAT rate, ...)."""


class ProcountorError(TransferError):
    """Procountor refused or failed a request; ``failure_class`` says whether to retry, dead-letter or hold."""
