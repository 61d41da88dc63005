"""Sample payloads and helpers shared by the emulator unit and integration tests."""

from __future__ import annotations

import copy
import warnings
from typing import Any

with warnings.catch_warnings():
    # starlette 1.x nudges towards httpx2 for the TestClient; httpx is what the project has.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from adapters.procountor.emulator import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorApp, EmulatorConfig

DEMO_FORM = {"grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET,
             "api_key": DEMO_API_KEY}
DEMO_IBAN = "FI2112345600000785"

VALID_INVOICE: dict[str, Any] = {
    "type": "SALES_INVOICE",
    "date": "2025-03-10",
    "counterParty": {"identifier": "7654321-2",
                     "counterPartyAddress": {"name": "Asiakas Oy", "street": "Katu 1", "zip": "00100",
                                             "city": "Helsinki", "country": "FINLAND"}},
    "paymentInfo": {"paymentMethod": "BANK_TRANSFER", "currency": "EUR", "bankAccount": {"accountNumber": DEMO_IBAN},
                    "dueDate": "2025-03-24", "currencyRate": 1, "bankReferenceCode": ""},
    "extraInfo": {"accountingByRow": True, "unitPricesIncludeVat": False},
    "discountPercent": 0,
    "vatStatus": 1,
    "invoiceChannel": "NO_SENDING",
    "language": "FINNISH",
    "originalInvoiceNumber": "UBL-0001",
    "invoiceRows": [
        {"product": "Widget", "quantity": 3, "unit": "PIECE", "unitPrice": 12.5, "discountPercent": 0,
         "vatPercent": 25.5},
    ],
}


def make_invoice(**changes: Any) -> dict[str, Any]:
    invoice = copy.deepcopy(VALID_INVOICE)
    invoice.update(changes)
    return invoice


def make_client(config: EmulatorConfig | None = None) -> TestClient:
    return TestClient(EmulatorApp(config or EmulatorConfig(rate_limit_per_second=0)), base_url="http://testserver")


def token_for(client: TestClient, form: dict[str, str] | None = None) -> str:
    response = client.post("/api/oauth/token", data=form or DEMO_FORM)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]
