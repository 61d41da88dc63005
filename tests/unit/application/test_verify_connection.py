from decimal import Decimal

from application.verify_connection import verify_connection
from domain.connection import ConnectionStatus
from domain.errors import FailureClass, ProcountorError
from domain.ports import CompanyIdentity
from tests.fakes import FakeConnectionDirectory


class FakeProbe:
    def __init__(self, *, fail: ProcountorError | None = None, accounts=("3000",), banks=("FI2112345600000785",)):
        self.fail, self.accounts, self.banks = fail, accounts, banks

    def company(self) -> CompanyIdentity:
        if self.fail:
            raise self.fail
        return CompanyIdentity("Demo Oy", "2077474-0", None)

    def sales_vat_percents(self):
        return {Decimal("25.5"), Decimal(14)}

    def account_exists(self, account: str) -> bool:
        return account in self.accounts

    def bank_accounts(self):
        return list(self.banks)


def test_a_working_connection_becomes_active() -> None:
    directory = FakeConnectionDirectory.with_tenant("demo")
    report = verify_connection(directory.get("demo"), FakeProbe(), directory)
    assert report.status is ConnectionStatus.ACTIVE and report.problems == ()
    assert directory.get("demo").status is ConnectionStatus.ACTIVE


def test_revoked_credentials_and_missing_accounts_are_errors_with_reasons() -> None:
    directory = FakeConnectionDirectory.with_tenant("demo", bank_account="FI0000000000000000")
    report = verify_connection(directory.get("demo"), FakeProbe(accounts=()), directory)
    assert report.status is ConnectionStatus.ERROR
    assert any("3000" in p for p in report.problems) and any("FI0000" in p for p in report.problems)
    revoked = ProcountorError("PROCOUNTOR_AUTH", "invalid api key", FailureClass.CONNECTION, http_status=401)
    report = verify_connection(directory.get("demo"), FakeProbe(fail=revoked), directory)
    assert report.status is ConnectionStatus.ERROR
    assert directory.get("demo").status_reason.startswith("PROCOUNTOR_AUTH")
