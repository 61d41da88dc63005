"""UBL 2.1 Invoice / CreditNote bytes -> domain :class:`Invoice`.

Works for any UBL 2.1 customization (Peppol BIS 3, XRechnung, EHF, PINT, ...): it reads the EN 16931 business
terms by their UBL element names and ignores everything else. It runs once per Kafka message, so the tree is
walked once, child by child (``document_reader``, ``party_reader``, ``line_reader``); there is no XPath
per element. The compiled walk (``compiled_walk.pyx``) reads the same; this one is its reference and fallback.

Failures are :class:`DocumentError`: ``UBL_MISSING_FIELD`` (a mandatory business term is absent) and
``UBL_BAD_VALUE`` (a number, date, boolean or base64 that cannot be read), both naming the BT and the path,
plus the ``safe_xml`` codes for unreadable or hostile input.
"""

from __future__ import annotations

import lxml

from adapters.ubl.document_reader import DocumentReader
from adapters.ubl.document_reader import read_tax_totals as _read_tax_totals
from adapters.ubl.elements import CAC, CBC, Problem, missing
from adapters.ubl.line_reader import read_line
from adapters.ubl.safe_xml import CREDIT_NOTE_ROOT, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, parse_xml
from domain.errors import DocumentError, FieldError
from domain.invoice import DocumentKind, Invoice, References

try:  # the compiled walk (compiled_walk.pyx), built at install time; without a C compiler the Python walk does it all
    from adapters.ubl.compiled_walk import BUILT_WITH_LXML, make_value
    from adapters.ubl.compiled_walk import walk_document as _compiled_walk
except ImportError:  # pragma: no cover - depends on how the package was built
    _compiled_walk = None
else:
    if BUILT_WITH_LXML != lxml.__version__:  # pragma: no cover - lxml upgraded after the build: rebuild to use it
        _compiled_walk = None

COMPILED_WALK_AVAILABLE = _compiled_walk is not None


def _short(tag: str) -> str:
    return ("cbc:" + tag[len(CBC):]) if tag.startswith(CBC) else ("cac:" + tag[len(CAC):])


def _walk(root, kind: DocumentKind) -> Invoice:
    top = "/" + kind.value
    credit = kind is DocumentKind.CREDIT_NOTE
    doc = DocumentReader(kind)
    handlers = DocumentReader.HANDLERS
    lines: list = []
    append = lines.append
    line_tags = (CAC + "InvoiceLine", CAC + "CreditNoteLine")
    seen: dict = {}
    for c in root:
        tag = c.tag
        if tag in line_tags:
            try:
                append(read_line(c))
            except Problem as p:
                raise p.under(f"{top}/{_short(tag)}[{len(lines) + 1}]") from None
            continue
        handler = handlers.get(tag)
        if handler is not None:
            n = seen[tag] = seen.get(tag, 0) + 1
            try:
                handler(doc, c)
            except Problem as p:
                where = f"{top}/{_short(tag)}" + (f"[{n}]" if tag.startswith(CAC) else "")
                raise p.under(where) from None
    return _assemble(doc, lines, top, credit)


def _walk_compiled(root, kind: DocumentKind) -> Invoice | None:
    """The compiled walk, or None when it leaves the document to the Python walk (which then names the problem)."""
    doc = DocumentReader(kind)
    read = _compiled_walk(root, doc)
    if read is None:
        return None
    lines, tax = read
    try:
        return _assemble(doc, lines, "/" + kind.value, kind is DocumentKind.CREDIT_NOTE, tax, make_value)
    except Problem:
        return None


def _construct(cls, values: dict):
    return cls(**values)


def _assemble(doc: DocumentReader, lines: list, top: str, credit: bool, tax: tuple | None = None,
              make=_construct) -> Invoice:
    f = doc.fields
    type_path = "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode"
    for field, bt, name in (("invoice_number", "BT-1", "cbc:ID"), ("issue_date", "BT-2", "cbc:IssueDate"),
                            ("type_code", "BT-3", type_path), ("currency", "BT-5", "cbc:DocumentCurrencyCode")):
        if f.get(field) is None:
            raise missing(bt, f"{top}/{name}")
    if doc.supplier is None:
        raise missing("BG-4", top + "/cac:AccountingSupplierParty")
    if doc.customer is None:
        raise missing("BG-7", top + "/cac:AccountingCustomerParty")
    if doc.totals is None:
        raise missing("BG-22", top + "/cac:LegalMonetaryTotal")
    if not lines:
        raise missing("BG-25", top + ("/cac:CreditNoteLine" if credit else "/cac:InvoiceLine"))
    if tax is None:
        tax = _read_tax_totals(doc.tax_totals, f["currency"], top)
    tax_total, tax_total_tc, subtotals = tax
    refs = doc.refs
    if doc.preceding:
        refs["preceding_invoices"] = tuple(doc.preceding)
    if "due_date" not in f and doc.means_due is not None:
        f["due_date"] = doc.means_due
    return make(Invoice, dict(
        kind=doc.kind, lines=tuple(lines), supplier=doc.supplier, customer=doc.customer, totals=doc.totals,
        tax_total=tax_total, tax_total_in_tax_currency=tax_total_tc, references=make(References, refs),
        notes=tuple(doc.notes), payment_means=tuple(doc.means), allowances_charges=tuple(doc.acs),
        tax_subtotals=subtotals, attachments=tuple(doc.attachments), **f,
    ))


class UblInvoiceParser:
    """Parses UBL 2.1 Invoice and CreditNote bytes into a domain :class:`Invoice`. Stateless and thread-safe."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH,
                 compiled: bool = True) -> None:
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.compiled = compiled and COMPILED_WALK_AVAILABLE

    def parse(self, data: bytes) -> Invoice:
        root = parse_xml(data, max_bytes=self.max_bytes, max_depth=self.max_depth)
        kind = DocumentKind.CREDIT_NOTE if root.tag == CREDIT_NOTE_ROOT else DocumentKind.INVOICE
        if self.compiled:
            invoice = _walk_compiled(root, kind)
            if invoice is not None:
                return invoice
        try:
            return _walk(root, kind)
        except Problem as p:
            message = f"{p.bt} ({p.path}) {p.reason}"
            raise DocumentError(code=p.code, message=message,
                                field_errors=(FieldError(field=p.bt, message=f"{p.path} {p.reason}"),)) from None


def parse_invoice(data: bytes) -> Invoice:
    """Parse with the default limits."""
    return UblInvoiceParser().parse(data)
