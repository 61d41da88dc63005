"""A faithful local emulator of the Procountor REST API (API 26.04) for tests, benchmarks and the demo.

Serve it with ``procountor-connector emulator --port 8765`` or, from Python::

    from adapters.procountor.emulator import EmulatorConfig, EmulatorServer
    with EmulatorServer(EmulatorConfig(), port=0) as server:
        server.base_url  # http://127.0.0.1:PORT/api

The default config holds one Finnish company, key ``demo`` ("Demo Oy", business id 1234567-1, EUR, VAT 25.5/14/10/0,
IBANs FI2112345600000785 and FI5740000010000013), with the M2M credentials

* client_id ``demo-client``
* client_secret ``demo-secret``
* api_key ``demo-api-key``

Get a token with ``POST /api/oauth/token`` (form body: ``grant_type=client_credentials``, ``client_id``,
``client_secret``, ``api_key``) and send ``Authorization: Bearer <access_token>``. Control endpoints (faults, counters,
companies, reset) live under ``/_emulator/`` — see ``admin.py``; fault rules are described in ``faults.py``, totals
and rounding in ``totals.py``, ledger receipts in ``ledger.py``, the config format in ``config.py``.
"""

from adapters.procountor.emulator.app import EmulatorApp, create_app
from adapters.procountor.emulator.config import (
                                                 DEMO_API_KEY,
                                                 DEMO_CLIENT_ID,
                                                 DEMO_CLIENT_SECRET,
                                                 CompanyConfig,
                                                 EmulatorConfig,
)
from adapters.procountor.emulator.server import EmulatorServer

__all__ = ["DEMO_API_KEY", "DEMO_CLIENT_ID", "DEMO_CLIENT_SECRET", "CompanyConfig", "EmulatorApp", "EmulatorConfig",
           "EmulatorServer", "create_app"]
