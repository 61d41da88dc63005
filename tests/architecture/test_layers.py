"""The design card, enforced: the domain is pure, the application talks only to ports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

PURE_DOMAIN_LIBRARIES = {"stdnum"}  # check digits and identifiers: pure computation, no I/O


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def violations(package_dir: Path, allowed: set[str]) -> list[str]:
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        for root in sorted(imported_roots(path) - allowed):
            found.append(f"{path.relative_to(package_dir.parent)} imports {root}")
    return found


def test_domain_imports_only_the_standard_library_and_pure_domain_libraries() -> None:
    allowed = set(sys.stdlib_module_names) | PURE_DOMAIN_LIBRARIES | {"domain"}
    assert violations(SRC / "domain", allowed) == []


def test_application_imports_no_adapter_and_no_infrastructure() -> None:
    allowed = set(sys.stdlib_module_names) | PURE_DOMAIN_LIBRARIES | {"domain", "application"}
    assert violations(SRC / "application", allowed) == []


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    package = tmp_path / "domain"
    package.mkdir()
    (package / "leaky.py").write_text("import json\nfrom confluent_kafka import Producer\nimport adapters.ubl\n")
    allowed = set(sys.stdlib_module_names) | {"domain"}
    assert violations(package, allowed) == ["domain/leaky.py imports adapters",
                                            "domain/leaky.py imports confluent_kafka"]
