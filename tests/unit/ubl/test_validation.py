"""PeppolValidator against the real UBL 2.1 XSD and Peppol BIS 3.0.21 Schematron in ../shared/schemas, checked
against the expected results in ../shared/corpus/MANIFEST.tsv."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from adapters.ubl.validation import PeppolValidator, ValidationUnavailable, parse_svrl

VALID = [
    "peppol-bis3-examples/snippets/base-example.xml",
    "peppol-bis3-examples/examples/base-creditnote-correction.xml",
    "vida-pilot/NW-HP-001/NW-HP-001.FI-AT.PeppolBIS.xml",
    "peppol-bis3-examples/national-examples/NO/Norwegian-example-1.xml",
    "phax/phive-rules/peppol-billing/openpeppol/2026.5/SB-base-creditnote-correction.xml",  # self-billing XSLT
]
WITH_FATAL_RULES = [
    "josemmo-einvoicing/Integration/peppol-rounding.xml",
    "odoo/bis3_from_BEG/testcase01_minimal_invoice.xml",
    "gobl-ubl/parse/peppol/sg-invoice.xml",
    "peppol-bis3-examples/national-examples/GR/GR-base-example-TaxRepresentative.xml",  # also fails the XSD
]


@pytest.fixture(scope="module")
def manifest(shared_dir: Path) -> dict[str, dict[str, str]]:
    with (shared_dir / "corpus" / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["path"]: row for row in csv.DictReader(handle, delimiter="\t")}


@pytest.fixture(scope="module")
def validator(shared_dir: Path) -> PeppolValidator:
    return PeppolValidator(shared_dir / "schemas")


def _ids(cell: str) -> set[str]:
    return {rule for rule in cell.split(",") if rule}


@pytest.mark.parametrize("path", VALID)
def test_valid_documents_have_no_fatal_findings(path, validator, manifest, shared_dir) -> None:
    row = manifest[path]
    assert (row["xsd_ubl21"], row["bis3021_cen_rules"], row["bis3021_peppol_rules"]) == ("ok", "", "")
    report = validator.validate((shared_dir / "corpus" / path).read_bytes())
    assert report.errors == ()
    assert report.fatal == (), report.fatal
    assert report.ok


@pytest.mark.parametrize("path", WITH_FATAL_RULES)
def test_documents_report_exactly_the_expected_fatal_rules(path, validator, manifest, shared_dir) -> None:
    row = manifest[path]
    report = validator.validate((shared_dir / "corpus" / path).read_bytes())
    assert not report.ok
    assert {f.rule for f in report.fatal if f.source == "cen"} == _ids(row["bis3021_cen_rules"])
    assert {f.rule for f in report.fatal if f.source == "peppol"} == _ids(row["bis3021_peppol_rules"])
    assert any(f.source == "xsd" for f in report.findings) == (row["xsd_ubl21"] != "ok")
    for finding in report.findings:
        assert finding.location and finding.message and finding.flag in ("fatal", "warning")


def test_findings_carry_schematron_details(validator, shared_dir) -> None:
    report = validator.validate(
        (shared_dir / "corpus" / "odoo/bis3_from_BEG/testcase01_minimal_invoice.xml").read_bytes()
    )
    finding = next(f for f in report.fatal if f.rule == "BR-CL-25")
    assert finding.source == "cen"
    assert finding.location.startswith("/*:Invoice")
    assert "BR-CL-25" in finding.message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<Invoice", "UBL_MALFORMED"),
        (b"", "UBL_MALFORMED"),
        ((b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
          b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;</Invoice>'),
         "UBL_DTD_FORBIDDEN"),
        (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><r>&lol2;</r>',
         "UBL_DTD_FORBIDDEN"),
        (b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>", "UBL_ROOT"),
    ],
)
def test_hostile_or_foreign_input_is_reported_not_raised(validator, data: bytes, code: str) -> None:
    report = validator.validate(data)
    assert [e.code for e in report.errors] == [code]
    assert not report.ok


def _fake_artefacts(tmp_path: Path, shared_dir: Path, cen_xslt: str) -> Path:
    # Real XSDs (symlinked, read-only), tiny stand-in stylesheets: fast, and lets a stylesheet misbehave on purpose.
    (tmp_path / "ubl-2.1").symlink_to(shared_dir / "schemas" / "ubl-2.1")
    rules = tmp_path / "peppol-bis-billing-3.0.21"
    rules.mkdir()
    (rules / "CEN-EN16931-UBL.xslt").write_text(cen_xslt, encoding="utf-8")
    (rules / "PEPPOL-EN16931-UBL.xslt").write_text(_SVRL_XSLT, encoding="utf-8")
    return tmp_path


_SVRL_XSLT = """<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
  <xsl:template match="/">
    <svrl:schematron-output>
      <svrl:failed-assert id="TEST-R001" flag="fatal" location="/*[1]">
        <svrl:text>always  fails</svrl:text></svrl:failed-assert>
      <svrl:successful-report id="TEST-R002" flag="warning" location="/*[1]">
        <svrl:text>a warning</svrl:text></svrl:successful-report>
    </svrl:schematron-output>
  </xsl:template>
</xsl:stylesheet>"""

_THROWING_XSLT = """<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/"><xsl:value-of select="error(xs:QName('boom'), 'engine exploded')"
      xmlns:xs="http://www.w3.org/2001/XMLSchema"/></xsl:template>
</xsl:stylesheet>"""

_MINIMAL = b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>"


def test_a_throwing_rule_engine_becomes_a_report_error(tmp_path, shared_dir) -> None:
    validator = PeppolValidator(_fake_artefacts(tmp_path, shared_dir, _THROWING_XSLT))
    report = validator.validate(_MINIMAL)
    assert [e.code for e in report.errors] == ["VALIDATION_ENGINE_ERROR"]
    assert {f.rule for f in report.findings if f.source == "peppol"} == {"TEST-R001", "TEST-R002"}  # the others ran
    assert any(f.source == "xsd" for f in report.findings)  # an empty Invoice breaks the XSD
    assert not report.ok


def test_svrl_parsing(tmp_path, shared_dir) -> None:
    validator = PeppolValidator(_fake_artefacts(tmp_path, shared_dir, _SVRL_XSLT))
    report = validator.validate(_MINIMAL)
    cen = [f for f in report.findings if f.source == "cen"]
    assert [(f.rule, f.flag, f.location, f.message) for f in cen] == [
        ("TEST-R001", "fatal", "/*[1]", "always fails"),
        ("TEST-R002", "warning", "/*[1]", "a warning"),
    ]
    assert parse_svrl(b"<svrl:schematron-output xmlns:svrl='http://purl.oclc.org/dsdl/svrl'/>", "cen") == []


def test_missing_artefacts_are_a_setup_error(tmp_path) -> None:
    with pytest.raises(ValidationUnavailable, match="artefacts missing"):
        PeppolValidator(tmp_path)


def test_missing_saxonche_gives_an_install_hint(monkeypatch, shared_dir) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "saxonche" else real(name, *a))
    with pytest.raises(ValidationUnavailable, match=r"procountor-connector\[validation\]"):
        PeppolValidator(shared_dir / "schemas")
    assert PeppolValidator(shared_dir / "schemas", schematron=False).validate(_MINIMAL).fatal  # XSD still works
