"""`procountor-connector validate`: parse + totals always, XSD + Schematron when artefacts are given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.cli.main import main
from adapters.cli.validate import ARTEFACTS_ENV

VALID = "peppol-bis3-examples/snippets/base-example.xml"
FATAL = "odoo/bis3_from_BEG/testcase01_minimal_invoice.xml"  # BR-CL-25 (cen), PEPPOL-EN16931-CL008 (peppol)


@pytest.fixture(autouse=True)
def no_artefacts_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv(ARTEFACTS_ENV, raising=False)


@pytest.fixture
def corpus(shared_dir: Path) -> Path:
    return shared_dir / "corpus"


@pytest.fixture
def wrong_totals(tmp_path: Path, corpus: Path) -> Path:
    data = (corpus / VALID).read_bytes()
    broken = data.replace(b'<cbc:LineExtensionAmount currencyID="EUR">1300</cbc:LineExtensionAmount>',
                          b'<cbc:LineExtensionAmount currencyID="EUR">1400</cbc:LineExtensionAmount>', 1)
    assert broken != data
    path = tmp_path / "wrong-totals.xml"
    path.write_bytes(broken)
    return path


def test_without_artefacts_parses_and_checks_the_domain_rules(capsys, corpus: Path) -> None:
    assert main(["validate", str(corpus / VALID)]) == 0
    out = capsys.readouterr().out
    assert f"{corpus / VALID}: ok" in out
    assert "validation: skipped" in out


def test_domain_rule_errors_fail_the_file(capsys, wrong_totals: Path) -> None:
    assert main(["validate", str(wrong_totals)]) == 1
    out = capsys.readouterr().out
    assert f"{wrong_totals}: INVALID" in out
    assert "rule error BR-CO-10" in out


def test_parse_errors_and_unreadable_files(capsys, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.xml"
    garbage.write_bytes(b"<Invoice")
    missing = tmp_path / "missing.xml"
    assert main(["validate", str(garbage), str(missing), "--json"]) == 1
    reports = json.loads(capsys.readouterr().out)
    assert [r["ok"] for r in reports] == [False, False]
    assert reports[0]["parse_errors"][0]["code"] == "UBL_MALFORMED"
    assert reports[1]["parse_errors"][0]["code"] == "FILE_UNREADABLE"
    assert reports[0]["validated"] is False


def test_with_artefacts_reports_schematron_findings(capsys, corpus: Path, shared_dir: Path) -> None:
    argv = ["validate", str(corpus / VALID), str(corpus / FATAL), "--artefacts", str(shared_dir / "schemas")]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert f"{corpus / VALID}: ok" in out
    assert f"{corpus / FATAL}: INVALID" in out
    assert "fatal BR-CL-25 [cen] at /Invoice[1]/AccountingSupplierParty[1]" in out
    assert "fatal PEPPOL-EN16931-CL008 [peppol]" in out


def test_json_report(capsys, corpus: Path, shared_dir: Path, wrong_totals: Path) -> None:
    argv = ["validate", str(corpus / FATAL), str(wrong_totals), "--artefacts", str(shared_dir / "schemas"), "--json"]
    assert main(argv) == 1
    fatal, totals = json.loads(capsys.readouterr().out)
    assert fatal["file"] == str(corpus / FATAL) and fatal["ok"] is False and fatal["validated"] is True
    assert {f["rule"] for f in fatal["findings"] if f["flag"] == "fatal"} == {"BR-CL-25", "PEPPOL-EN16931-CL008"}
    assert set(fatal["findings"][0]) == {"rule", "flag", "location", "message", "source"}
    assert [e["code"] for e in totals["rule_errors"]] == ["BR-CO-10", "BR-CO-13"]  # BT-106 also feeds BT-109
    assert {"BR-CO-10", "BR-CO-13"} <= {f["rule"] for f in totals["findings"] if f["source"] == "cen"}
    assert totals["rule_errors"][0]["field_errors"][0]["field"] == "BT-106"


def test_artefacts_from_the_environment(capsys, monkeypatch, corpus: Path, shared_dir: Path) -> None:
    monkeypatch.setenv(ARTEFACTS_ENV, str(shared_dir / "schemas"))
    assert main(["validate", str(corpus / FATAL), "--json"]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert report["validated"] is True


def test_unusable_artefacts_dir_is_a_setup_error(capsys, tmp_path: Path, corpus: Path) -> None:
    assert main(["validate", str(corpus / VALID), "--artefacts", str(tmp_path)]) == 2
    assert "artefacts missing" in capsys.readouterr().err
