"""The compiled walk (compiled_walk.pyx) reads exactly what the Python walk reads, and leaves every document it is
unsure of to the Python walk, so errors keep one implementation.

Checked as a differential: the same bytes through ``UblInvoiceParser()`` and ``UblInvoiceParser(compiled=False)``
must give equal invoices or the same classified error, over the whole corpus and over systematic mutations of
real documents (each element deleted, emptied, given a bad value, or repeated).
"""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from adapters.ubl import parser as ubl_parser
from adapters.ubl.parser import COMPILED_WALK_AVAILABLE, UblInvoiceParser
from adapters.ubl.safe_xml import parse_xml
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from domain.errors import DocumentError
from domain.invoice import DocumentKind
from tests.ci import in_ci
from tests.unit.ubl.test_corpus import CORPUS, FILES, FULLY_VALID

needs_compiled = pytest.mark.skipif(not COMPILED_WALK_AVAILABLE and not in_ci(),
                                    reason="the compiled walk is not built here (no C compiler at install time)")
COMPILED = UblInvoiceParser()
PYTHON = UblInvoiceParser(compiled=False)


def outcome(parser: UblInvoiceParser, data: bytes):
    try:
        return parser.parse(data)
    except DocumentError as error:
        return (error.code, str(error), error.field_errors)


def test_ci_builds_the_compiled_walk():
    """CI must measure and test what users run: the package installs with its extension built."""
    if not in_ci():
        pytest.skip("checked where CI=true; elsewhere the pure-Python walk is an allowed fallback")
    assert COMPILED_WALK_AVAILABLE, "adapters.ubl.compiled_walk was not built by `pip install`"


@needs_compiled
def test_both_walks_agree_over_the_corpus():
    differing = [name for name in FILES
                 if outcome(COMPILED, (CORPUS / name).read_bytes()) != outcome(PYTHON, (CORPUS / name).read_bytes())]
    assert differing == []


@needs_compiled
def test_valid_documents_never_fall_back_to_the_python_walk():
    for name in FULLY_VALID:
        root = parse_xml((CORPUS / name).read_bytes())
        kind = DocumentKind.CREDIT_NOTE if root.tag.endswith("CreditNote") else DocumentKind.INVOICE
        assert ubl_parser._walk_compiled(root, kind) is not None, name


@needs_compiled
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_both_walks_agree_on_generated_invoices(kind):
    for lines in (1, 7, 60):
        for attachment in (False, True):
            data = render_ubl(sample_invoice(f"GEN-{lines}", lines, kind=kind, seed=lines, with_attachment=attachment))
            assert outcome(COMPILED, data) == outcome(PYTHON, data)


def _mutants(data: bytes, limit: int):
    """Variants of a document: each element in turn deleted, emptied, given a non-number/non-date text, or
    repeated right after itself (with its copy's text changed, so "first wins" and "last wins" differ)."""
    root = etree.fromstring(data)
    elements = [el for el in root.iter() if el is not root and isinstance(el.tag, str)][:limit]
    for index in range(len(elements)):
        for action in ("delete", "empty", "garbage", "repeat"):
            tree = copy.deepcopy(root)
            target = [el for el in tree.iter() if el is not tree and isinstance(el.tag, str)][index]
            parent = target.getparent()
            if action == "delete":
                parent.remove(target)
            elif action == "empty":
                target.text = None
                for child in list(target):
                    target.remove(child)
            elif action == "garbage":
                target.text = "1e3" if len(target) == 0 else target.text
                if len(target):
                    target.insert(0, etree.Element(target[0].tag))
            else:
                twin = copy.deepcopy(target)
                if twin.text and twin.text.strip():
                    twin.text = twin.text.strip() + "9"
                target.addnext(twin)
            yield f"{action} {etree.QName(target).localname}[{index}]", etree.tostring(tree, xml_declaration=True,
                                                                                       encoding="UTF-8")


MUTATED = [name for name in FULLY_VALID if "/" in name][::12][:8]


@needs_compiled
@pytest.mark.parametrize("name", MUTATED)
def test_both_walks_agree_on_mutated_documents(name):
    differing = []
    for label, data in _mutants((CORPUS / name).read_bytes(), limit=400):
        if outcome(COMPILED, data) != outcome(PYTHON, data):
            differing.append(label)
    assert differing == []
