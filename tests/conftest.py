"""Shared test fixtures. The Kafka broker fixture lives in tests/kafka_fixtures.py and is loaded here."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

pytest_plugins = ["tests.kafka_fixtures"]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.fail(f"{SHARED} is missing: the tests read the corpus, schemas and Procountor reference from it")
    return SHARED


@pytest.fixture(autouse=True)
def _restore_structlog_configuration():
    """Entrypoints under test (the demo) configure structlog for the process; later tests must not inherit it."""
    import structlog

    saved = structlog.get_config()
    yield
    structlog.configure(**saved)
