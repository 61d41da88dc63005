"""Connection activation against the emulator through the real client: ACTIVE, then ERROR once the key is revoked."""

from __future__ import annotations

import httpx

from adapters.procountor.client import ProcountorClient
from adapters.procountor.connection_probe import ProcountorConnectionProbe
from adapters.procountor.emulator.config import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from adapters.procountor.emulator.server import EmulatorServer
from application.verify_connection import verify_connection
from domain.connection import ConnectionStatus, ProcountorCredentials
from tests.fakes import FakeConnectionDirectory


def test_verify_against_the_emulator_then_revoke() -> None:
    credentials = ProcountorCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_API_KEY)
    directory = FakeConnectionDirectory.with_tenant("demo")
    with EmulatorServer() as emulator:
        connection = directory.get("demo")
        with ProcountorClient(emulator.base_url, credentials, max_attempts=2) as client:
            report = verify_connection(connection, ProcountorConnectionProbe(client), directory)
        assert report.status is ConnectionStatus.ACTIVE, report.problems
        assert report.company.name and report.vat_percents
        httpx.post(f"{emulator.admin_url}/companies/{DEMO_CLIENT_ID}/revoke").raise_for_status()
        with ProcountorClient(emulator.base_url, credentials, max_attempts=2) as client:
            report = verify_connection(connection, ProcountorConnectionProbe(client), directory)
        assert report.status is ConnectionStatus.ERROR
        assert DEMO_API_KEY not in " ".join(report.problems) and DEMO_CLIENT_SECRET not in " ".join(report.problems)
