"""Bearer tokens for the error-log HTTP API, each bound to one tenant (or to every tenant, for operators).

Configured in a JSON file named by ``PROCOUNTOR_CONNECTOR_API_TOKENS_FILE``::

    {"tokens": [
      {"name": "qvalia-ui-acme", "tenant": "acme", "sha256": "<hex sha-256 of the token>"},
      {"name": "ops-team", "tenant": "*", "sha256": "..."}
    ]}

Only hashes need to be stored (``"token": "<plain>"`` is accepted too, for local runs). The name is the actor in the
audit trail. A tenant-scoped token sees only its tenant's records; ``"*"`` sees all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from domain.error_log import Scope

TOKENS_FILE_ENV = "PROCOUNTOR_CONNECTOR_API_TOKENS_FILE"
ALL_TENANTS = "*"


def sha256_hex(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ApiToken:
    name: str
    tenant: str  # a tenant, or "*" for every tenant
    sha256: str

    @classmethod
    def plain(cls, name: str, tenant: str, token: str) -> ApiToken:
        return cls(name, tenant, sha256_hex(token))


class ApiTokens:
    def __init__(self, tokens: list[ApiToken]) -> None:
        for token in tokens:
            if not token.name or not token.tenant or len(token.sha256) != 64:
                raise ValueError(f"API token {token.name!r}: name, tenant and a sha256 hex digest are needed")
        self._tokens = list(tokens)

    def scope_for(self, presented: str | None) -> Scope | None:
        """The scope of a presented token, or None. Every configured token is compared (constant time each)."""
        if not presented:
            return None
        digest = sha256_hex(presented)
        found = None
        for token in self._tokens:
            if hmac.compare_digest(digest, token.sha256):
                found = token
        if found is None:
            return None
        return Scope(actor=found.name, tenant=None if found.tenant == ALL_TENANTS else found.tenant)

    def __len__(self) -> int:
        return len(self._tokens)

    @classmethod
    def from_file(cls, path: Path) -> ApiTokens:
        data = json.loads(path.read_text(encoding="utf-8"))
        tokens = []
        for raw in data.get("tokens", []):
            digest = raw.get("sha256") or (sha256_hex(raw["token"]) if raw.get("token") else "")
            tokens.append(ApiToken(str(raw.get("name", "")), str(raw.get("tenant", "")), digest.lower()))
        return cls(tokens)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> ApiTokens:
        """No file configured means no token is accepted: the API answers 401 to everyone."""
        env = os.environ if env is None else env
        path = env.get(TOKENS_FILE_ENV)
        return cls.from_file(Path(path)) if path else cls([])
