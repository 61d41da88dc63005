"""Every document of the shared corpus either parses or fails with a classified error; every fully valid one
(UBL 2.1 XSD ok, no fatal CEN or Peppol schematron finding, per MANIFEST.tsv) parses with consistent totals."""

from __future__ import annotations

import csv

import pytest

from adapters.ubl.parser import UblInvoiceParser
from domain.errors import TransferError
from domain.totals import check_totals
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"


def _manifest() -> dict[str, dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(newline="", encoding="utf-8") as handle:
        return {row["path"]: row for row in csv.DictReader(handle, delimiter="\t")}


MANIFEST = _manifest() if CORPUS.exists() else {}
FILES = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*")
               if p.is_file() and p.name != "MANIFEST.tsv")
FULLY_VALID = sorted(path for path, row in MANIFEST.items()
                     if row["xsd_ubl21"] == "ok" and row["bis3021_cen_fatal"] == "0"
                     and row["bis3021_peppol_fatal"] == "0")


@pytest.fixture(scope="module")
def parser() -> UblInvoiceParser:
    return UblInvoiceParser()


def test_manifest_covers_the_corpus():
    assert len(FILES) == 542
    assert set(FILES) == set(MANIFEST)
    assert len(FULLY_VALID) >= 100


def test_every_document_parses_or_fails_classified(parser):
    outcomes = {"parsed": 0, "refused": 0}
    for path in FILES:
        try:
            invoice = parser.parse((CORPUS / path).read_bytes())
        except TransferError:
            outcomes["refused"] += 1
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{path}: unclassified {type(exc).__name__}: {exc}")
        outcomes["parsed"] += 1
        assert invoice.lines, path
        check_totals(invoice)  # must not raise either
    assert outcomes["parsed"] > 500, outcomes


@pytest.mark.parametrize("path", FULLY_VALID)
def test_fully_valid_document_parses_with_consistent_totals(parser, path):
    row = MANIFEST[path]
    invoice = parser.parse((CORPUS / path).read_bytes())
    assert invoice.kind.value == row["doctype"]
    assert invoice.type_code == row["type_code"]
    assert invoice.currency == row["currency"]
    assert invoice.line_count == int(row["n_lines"])
    assert check_totals(invoice) == []
