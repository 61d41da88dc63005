"""Fixtures for the emulator unit tests: an in-process app driven by Starlette's TestClient."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.unit.emulator.samples import TestClient, make_client, make_invoice, token_for


@pytest.fixture
def client() -> Iterator[TestClient]:
    with make_client() as test_client:
        yield test_client


@pytest.fixture
def auth(client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(client)}"}


@pytest.fixture
def post_invoice(client: TestClient, auth: dict[str, str]) -> Callable[..., Any]:
    def post(body: dict[str, Any] | None = None, **changes: Any) -> Any:
        return client.post("/api/invoices", json=body if body is not None else make_invoice(**changes), headers=auth)

    return post
