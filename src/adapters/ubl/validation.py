"""Official Peppol BIS Billing 3.0 validation: UBL 2.1 XSD (lxml) + the compiled CEN and Peppol Schematron (saxonche).

``artefacts_dir`` is laid out like ``shared/schemas``::

    ubl-2.1/xsd/maindoc/UBL-Invoice-2.1.xsd, UBL-CreditNote-2.1.xsd   (+ ../common/*.xsd they import)
    peppol-bis-billing-3.0.21/CEN-EN16931-UBL.xslt                   -> findings with source "cen"
    peppol-bis-billing-3.0.21/PEPPOL-EN16931-UBL.xslt                -> findings with source "peppol"
    peppol-bis-billing-3.0.21/PEPPOL-EN16931-UBL-SB.xslt             -> "peppol", for self-billing documents

The self-billing stylesheet replaces the Peppol one when ``cbc:CustomizationID`` names the Peppol self-billing
specification (``...:poacc:selfbilling:3.0``) and the file exists, as the official Peppol validator selects it.

``saxonche`` (XSLT 2.0/3.0) is an optional dependency: install the extra ``procountor-connector[validation]``.
Importing this module does not need it: building a validator checks it is installed (else ``ValidationUnavailable``
with that install hint) and the first Schematron run imports it. Compiling a stylesheet is the slow part, so each
validator compiles each XSLT once, on first use, and reuses it; build one validator per process and share it.

``validate`` never raises for what is in the bytes: the input is parsed first with a hardened lxml parser (no DTD,
no entities, no network, no huge trees) and a document that fails that, or a rule engine that throws, comes back as
an error in the report (``UBL_MALFORMED``, ``UBL_DTD_FORBIDDEN``, ``UBL_ROOT``, ``VALIDATION_ENGINE_ERROR``).
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lxml import etree

from domain.errors import DocumentError, TransferError

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

XSD_PATHS: dict[str, str] = {
    f"{{{INVOICE_NS}}}Invoice": "ubl-2.1/xsd/maindoc/UBL-Invoice-2.1.xsd",
    f"{{{CREDIT_NOTE_NS}}}CreditNote": "ubl-2.1/xsd/maindoc/UBL-CreditNote-2.1.xsd",
}
SCHEMATRON_PATHS: tuple[tuple[str, str], ...] = (
    ("cen", "peppol-bis-billing-3.0.21/CEN-EN16931-UBL.xslt"),
    ("peppol", "peppol-bis-billing-3.0.21/PEPPOL-EN16931-UBL.xslt"),
)
SELF_BILLING_XSLT = "peppol-bis-billing-3.0.21/PEPPOL-EN16931-UBL-SB.xslt"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

Source = Literal["xsd", "cen", "peppol"]
Flag = Literal["fatal", "warning"]


class ValidationUnavailable(RuntimeError):
    """The validator cannot be built: artefacts missing or saxonche not installed. A setup problem, not a document
    problem, so it is raised (at construction) instead of being reported per document."""


@dataclass(frozen=True)
class ValidationFinding:
    rule: str  # Schematron rule id (BR-CO-15, PEPPOL-EN16931-R001) or XSD:<libxml2 error type>
    flag: Flag
    location: str  # XPath of the offending node
    message: str
    source: Source


@dataclass(frozen=True)
class ValidationReport:
    findings: tuple[ValidationFinding, ...] = ()
    errors: tuple[TransferError, ...] = field(default_factory=tuple)  # unreadable input, engine failures

    @property
    def fatal(self) -> tuple[ValidationFinding, ...]:
        return tuple(f for f in self.findings if f.flag == "fatal")

    @property
    def warnings(self) -> tuple[ValidationFinding, ...]:
        return tuple(f for f in self.findings if f.flag == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors and not self.fatal

    def rule_ids(self, flag: Flag | None = None) -> set[str]:
        return {f.rule for f in self.findings if flag is None or f.flag == flag}


def hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_blank_text=False,
    )


class PeppolValidator:
    def __init__(self, artefacts_dir: Path, *, schematron: bool = True) -> None:
        self._dir = Path(artefacts_dir)
        required = list(XSD_PATHS.values()) + ([p for _, p in SCHEMATRON_PATHS] if schematron else [])
        missing = [p for p in required if not (self._dir / p).is_file()]
        if missing:
            raise ValidationUnavailable(f"validation artefacts missing under {self._dir}: {', '.join(missing)}")
        if schematron and importlib.util.find_spec("saxonche") is None:
            raise ValidationUnavailable(
                "Schematron validation needs saxonche, an optional dependency: "
                "pip install 'procountor-connector[validation]'"
            )
        self._schematron = schematron
        # lxml schemas keep their error log on the object and SaxonC objects are shared: one document at a time.
        self._lock = threading.Lock()
        self._schemas: dict[str, etree.XMLSchema] = {}
        self._processor = None
        self._executables: dict[str, object] = {}

    # -- public ----------------------------------------------------------------------------------------------

    def validate(self, data: bytes) -> ValidationReport:
        try:
            root = self._parse(data)
        except DocumentError as exc:
            return ValidationReport(errors=(exc,))
        findings: list[ValidationFinding] = []
        errors: list[TransferError] = []
        with self._lock:
            findings.extend(self._validate_xsd(root))
        if self._schematron:
            text = etree.tostring(root, encoding="unicode")  # the checked tree, without any DOCTYPE
            for source, relative in self._stylesheets(root):
                try:
                    findings.extend(self._run_schematron(source, relative, text))
                except Exception as exc:  # noqa: BLE001 - an engine failure is reported, never a crash
                    errors.append(TransferError(
                        code="VALIDATION_ENGINE_ERROR",
                        message=f"{source} Schematron ({relative}) failed: {type(exc).__name__}: {exc}"[:1000],
                    ))
        return ValidationReport(findings=tuple(findings), errors=tuple(errors))

    # -- steps -----------------------------------------------------------------------------------------------

    @staticmethod
    def _parse(data: bytes) -> etree._Element:
        try:
            tree = etree.fromstring(data, hardened_parser()).getroottree()
        except (etree.XMLSyntaxError, ValueError, TypeError) as exc:
            raise DocumentError(code="UBL_MALFORMED", message=f"not well-formed XML: {exc}") from None
        if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
            raise DocumentError(code="UBL_DTD_FORBIDDEN", message="a DOCTYPE is not allowed in a UBL document")
        root = tree.getroot()
        if root.tag not in XSD_PATHS:
            raise DocumentError(
                code="UBL_ROOT", message=f"root element {root.tag} is not a UBL 2.1 Invoice or CreditNote"
            )
        return root

    def _validate_xsd(self, root: etree._Element) -> list[ValidationFinding]:
        if root.tag not in self._schemas:
            # The XSDs import ../common/*.xsd by relative path: parse from the file so the base URL resolves locally.
            path = str(self._dir / XSD_PATHS[root.tag])
            self._schemas[root.tag] = etree.XMLSchema(etree.parse(path, etree.XMLParser(no_network=True)))
        schema = self._schemas[root.tag]
        if schema.validate(root):
            return []
        return [
            ValidationFinding(
                rule=f"XSD:{entry.type_name}", flag="fatal", location=entry.path or f"line {entry.line}",
                message=entry.message, source="xsd",
            )
            for entry in schema.error_log
        ]

    def _stylesheets(self, root: etree._Element) -> tuple[tuple[Source, str], ...]:
        customization = root.findtext(f"{{{CBC_NS}}}CustomizationID") or ""
        if ":selfbilling:" in customization and (self._dir / SELF_BILLING_XSLT).is_file():
            return tuple((s, SELF_BILLING_XSLT if s == "peppol" else p) for s, p in SCHEMATRON_PATHS)
        return SCHEMATRON_PATHS

    def _executable(self, relative: str):
        if relative not in self._executables:
            from saxonche import PySaxonProcessor  # lazy: optional dependency

            if self._processor is None:
                self._processor = PySaxonProcessor(license=False)
            compiler = self._processor.new_xslt30_processor()
            self._executables[relative] = compiler.compile_stylesheet(stylesheet_file=str(self._dir / relative))
        return self._executables[relative]

    def _run_schematron(self, source: Source, relative: str, text: str) -> list[ValidationFinding]:
        with self._lock:
            executable = self._executable(relative)
            node = self._processor.parse_xml(xml_text=text)
            svrl = executable.transform_to_string(xdm_node=node)
        if not svrl:
            raise RuntimeError("the stylesheet produced no SVRL output")
        return parse_svrl(svrl.encode("utf-8"), source)


def parse_svrl(svrl: bytes, source: Source) -> list[ValidationFinding]:
    """Findings from an SVRL report: every ``failed-assert`` and ``successful-report``."""
    root = etree.fromstring(svrl, hardened_parser())
    findings = []
    for node in root.iterfind(f".//{{{SVRL_NS}}}*"):
        if etree.QName(node).localname not in ("failed-assert", "successful-report"):
            continue
        flag = (node.get("flag") or "fatal").lower()
        text = node.findtext(f"{{{SVRL_NS}}}text") or ""
        findings.append(ValidationFinding(
            rule=node.get("id") or "UNKNOWN", flag="fatal" if flag in ("fatal", "error") else "warning",
            location=node.get("location") or "", message=" ".join(text.split()), source=source,
        ))
    return findings
