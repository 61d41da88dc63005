"""Tenants' Procountor connections from a JSON file, with their status kept on a compacted Kafka topic.

The file holds what an administrator configures (credentials may be given inline or, better, as the names of
environment variables: ``client_secret_env``, ``api_key_env``). The status (ACTIVE / ERROR and why) changes at run
time, so it lives on the connections topic, keyed by tenant; the file is never rewritten.

    {"connections": [{"tenant": "demo", "base_url": "http://127.0.0.1:8080/api",
                      "client_id": "...", "client_secret_env": "DEMO_SECRET", "api_key_env": "DEMO_API_KEY",
                      "settings": {"default_sales_account": "3000", "payment_reference_scheme": "fi"}}]}
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path

from domain.connection import Connection, ConnectionSettings, ConnectionStatus, ProcountorCredentials

StatusSink = Callable[[Connection], None]


class ConnectionConfigError(ValueError):
    pass


def _secret(entry: dict, name: str, env: dict[str, str]) -> str:
    if entry.get(f"{name}_env"):
        variable = entry[f"{name}_env"]
        if variable not in env:
            raise ConnectionConfigError(f"tenant {entry.get('tenant')!r}: environment variable {variable} is not set")
        return env[variable]
    if entry.get(name):
        return entry[name]
    raise ConnectionConfigError(f"tenant {entry.get('tenant')!r}: {name} or {name}_env is required")


def parse_connections(data: dict, env: dict[str, str] | None = None) -> list[Connection]:
    env = dict(os.environ) if env is None else env
    known = {f.name for f in fields(ConnectionSettings)}
    connections = []
    for entry in data.get("connections", []):
        settings = dict(entry.get("settings", {}))
        unknown = set(settings) - known
        if unknown:
            raise ConnectionConfigError(f"tenant {entry.get('tenant')!r}: unknown settings {sorted(unknown)}")
        if "unit_overrides" in settings:
            settings["unit_overrides"] = tuple(tuple(pair) for pair in dict(settings["unit_overrides"]).items())
        connections.append(Connection(
            tenant=entry["tenant"], base_url=entry["base_url"],
            credentials=ProcountorCredentials(entry["client_id"], _secret(entry, "client_secret", env),
                                              _secret(entry, "api_key", env)),
            settings=ConnectionSettings(**settings)))
    return connections


class FileConnectionDirectory:
    """Implements the ``ConnectionDirectory`` port."""

    def __init__(self, connections: list[Connection], on_status: StatusSink | None = None) -> None:
        self._connections = {c.tenant: c for c in connections}
        self._on_status = on_status
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path, on_status: StatusSink | None = None) -> FileConnectionDirectory:
        return cls(parse_connections(json.loads(Path(path).read_text(encoding="utf-8"))), on_status)

    def get(self, tenant: str) -> Connection | None:
        with self._lock:
            return self._connections.get(tenant)

    def set_status(self, tenant: str, status: ConnectionStatus, reason: str | None = None) -> None:
        with self._lock:
            current = self._connections.get(tenant)
            if current is None or (current.status, current.status_reason) == (status, reason):
                return
            updated = replace(current, status=status, status_reason=reason)
            self._connections[tenant] = updated
        if self._on_status is not None:
            self._on_status(updated)

    def apply_status(self, tenant: str, status: ConnectionStatus, reason: str | None) -> None:
        """A status read back from the connections topic (no echo to the topic)."""
        with self._lock:
            if tenant in self._connections:
                self._connections[tenant] = replace(self._connections[tenant], status=status, status_reason=reason)

    def all(self) -> list[Connection]:
        with self._lock:
            return list(self._connections.values())
