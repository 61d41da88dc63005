"""The document-level business terms of a UBL Invoice / CreditNote, collected while the root's children are
visited once, in order: one handler per element name (``DocumentReader.HANDLERS``), plus the tax totals, read at
the end when the currencies are known. Used by the Python walk, and by the compiled walk for rare aggregates.
"""

from __future__ import annotations

import base64
import binascii
from typing import ClassVar

from adapters.ubl.elements import (
    CAC,
    CBC,
    ID,
    Problem,
    child_text,
    date_of,
    decimal_of,
    missing,
    read_allowance_charge,
    read_period,
    text_of,
)
from adapters.ubl.party_reader import read_party
from domain.invoice import Attachment, DocumentKind, MonetaryTotals, PaymentMeans, PrecedingInvoice, TaxSubtotal
from domain.parties import Identifier

INVOICED_OBJECT_TYPE = "130"
PROJECT_TYPE = "50"

_TOTALS = {  # cbc name in LegalMonetaryTotal -> (MonetaryTotals field, BT, relative path)
    CBC + name: (field, bt, "cbc:" + name) for name, field, bt in (
        ("LineExtensionAmount", "line_total", "BT-106"), ("TaxExclusiveAmount", "tax_exclusive", "BT-109"),
        ("TaxInclusiveAmount", "tax_inclusive", "BT-112"), ("AllowanceTotalAmount", "allowance_total", "BT-107"),
        ("ChargeTotalAmount", "charge_total", "BT-108"), ("PrepaidAmount", "prepaid", "BT-113"),
        ("PayableRoundingAmount", "rounding", "BT-114"), ("PayableAmount", "payable", "BT-115"))
}
_REQUIRED_TOTALS = (("line_total", "BT-106", "cbc:LineExtensionAmount"),
                    ("tax_exclusive", "BT-109", "cbc:TaxExclusiveAmount"),
                    ("tax_inclusive", "BT-112", "cbc:TaxInclusiveAmount"), ("payable", "BT-115", "cbc:PayableAmount"))
_ATTACHMENT = CAC + "Attachment"
_DOCUMENT_DESCRIPTION = CBC + "DocumentDescription"
_DOCUMENT_TYPE_CODE = CBC + "DocumentTypeCode"
_FINANCIAL_INSTITUTION_BRANCH = CAC + "FinancialInstitutionBranch"
_NAME = CBC + "Name"
_NOTE = CBC + "Note"
_PAYEE_FINANCIAL_ACCOUNT = CAC + "PayeeFinancialAccount"
_PAYMENT_DUE_DATE = CBC + "PaymentDueDate"
_PAYMENT_ID = CBC + "PaymentID"
_PAYMENT_MEANS_CODE = CBC + "PaymentMeansCode"
_PERCENT = CBC + "Percent"
_SALES_ORDER_ID = CBC + "SalesOrderID"
_TAXABLE_AMOUNT = CBC + "TaxableAmount"
_TAX_CATEGORY = CAC + "TaxCategory"
_TAX_EXEMPTION_REASON = CBC + "TaxExemptionReason"
_TAX_EXEMPTION_REASON_CODE = CBC + "TaxExemptionReasonCode"
_URI = CBC + "URI"
_EMBEDDED = CBC + "EmbeddedDocumentBinaryObject"
_EXTERNAL = CAC + "ExternalReference"
_TAX_AMOUNT = CBC + "TaxAmount"
_TAX_SUBTOTAL = CAC + "TaxSubtotal"
_ISSUE_DATE = CBC + "IssueDate"


def _b64(value: str) -> bytes:
    compact = "".join(value.split())
    if len(compact) % 4 in (2, 3) and not compact.endswith("="):
        compact += "=" * (-len(compact) % 4)  # some senders drop the padding; the content is still intact
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise Problem("UBL_BAD_VALUE", "BT-125", "cac:Attachment/cbc:EmbeddedDocumentBinaryObject",
                      "is not valid base64") from None


class DocumentReader:
    """Collects the document-level business terms while the root's children are visited once, in order."""

    def __init__(self, kind: DocumentKind) -> None:
        self.kind = kind
        self.fields: dict = {}
        self.refs: dict = {}
        self.notes: list = []
        self.preceding: list = []
        self.means: list = []
        self.means_due = None
        self.acs: list = []
        self.attachments: list = []
        self.tax_totals: list = []
        self.supplier = self.customer = self.totals = None

    # Each handler gets the element; its return value is ignored. Relative paths in Problems get the element's
    # own name (and index) prefixed by the walker.
    def scalar(name: str, reader=text_of, bt: str | None = None):
        if reader is text_of:
            def handle(self, el):
                self.fields[name] = text_of(el)
        else:
            def handle(self, el):
                self.fields[name] = reader(el, bt, "")
        return handle

    def ref(name: str):
        def handle(self, el):
            self.refs[name] = text_of(el)
        return handle

    def id_ref(name: str):
        def handle(self, el):
            self.refs.setdefault(name, child_text(el, ID))
        return handle

    def note(self, el):
        t = text_of(el)
        if t:
            self.notes.append(t)

    def invoice_period(self, el):
        if "invoice_period" not in self.fields:
            self.fields["invoice_period"] = read_period(el)

    def order_reference(self, el):
        self.refs["order_reference"] = child_text(el, ID)
        self.refs["sales_order_id"] = child_text(el, _SALES_ORDER_ID)

    def billing_reference(self, el):
        for s in el:
            if isinstance(s.tag, str) and s.tag.endswith("DocumentReference"):
                pid = child_text(s, ID)
                if pid is None:
                    raise missing("BT-25", "cac:InvoiceDocumentReference/cbc:ID")
                issued = None
                for d in s:
                    if d.tag == _ISSUE_DATE:
                        issued = date_of(d, "BT-26", "cac:InvoiceDocumentReference/cbc:IssueDate")
                self.preceding.append(PrecedingInvoice(pid, issued))
                return

    def originator(self, el):
        self.fields["originator_document_reference"] = child_text(el, ID)

    def additional_document(self, el):
        """An AdditionalDocumentReference is an invoiced object (type 130), a project (50) or an attachment."""
        ref_id = scheme = type_code = description = filename = mime = content = uri = None
        for c in el:
            tag = c.tag
            if tag == ID:
                ref_id, scheme = text_of(c), c.get("schemeID")
            elif tag == _DOCUMENT_TYPE_CODE:
                type_code = text_of(c)
            elif tag == _DOCUMENT_DESCRIPTION:
                description = text_of(c) if description is None else description
            elif tag == _ATTACHMENT:
                for s in c:
                    if s.tag == _EMBEDDED:
                        mime, filename = s.get("mimeCode"), s.get("filename")
                        content = _b64(s.text or "")
                    elif s.tag == _EXTERNAL:
                        uri = child_text(s, _URI)
        if ref_id is None:
            raise missing("BT-122", "cbc:ID")
        if type_code == INVOICED_OBJECT_TYPE:
            self.refs.setdefault("invoiced_object", Identifier(ref_id, scheme))
        elif type_code == PROJECT_TYPE:
            self.refs.setdefault("project", ref_id)
        else:
            self.attachments.append(Attachment(ref_id, description, filename, mime, content, uri))

    def supplier_party(self, el):
        self.supplier = read_party(el, "BG-4")

    def customer_party(self, el):
        self.customer = read_party(el, "BG-7")

    def payment_means(self, el):
        code = name = pid = iban = account_name = bic = None
        for c in el:
            tag = c.tag
            if tag == _PAYMENT_MEANS_CODE:
                code, name = text_of(c), c.get("name")
            elif tag == _PAYMENT_ID:
                pid = pid or text_of(c)
            elif tag == _PAYMENT_DUE_DATE:
                due = date_of(c, "BT-9", "cbc:PaymentDueDate")
                self.means_due = self.means_due or due
            elif tag == _PAYEE_FINANCIAL_ACCOUNT:
                for s in c:
                    stag = s.tag
                    if stag == ID:
                        iban = text_of(s)
                    elif stag == _NAME:
                        account_name = text_of(s)
                    elif stag == _FINANCIAL_INSTITUTION_BRANCH:
                        bic = child_text(s, ID)
        if code is None:
            raise missing("BT-81", "cbc:PaymentMeansCode")
        self.means.append(PaymentMeans(code, name, pid, iban, account_name, bic))

    def payment_terms(self, el):
        terms = [t for t in (text_of(s) for s in el if s.tag == _NOTE) if t]
        if terms and "payment_terms" not in self.fields:
            self.fields["payment_terms"] = "\n".join(terms)

    def allowance_charge(self, el):
        self.acs.append(read_allowance_charge(el))

    def tax_total(self, el):
        self.tax_totals.append(el)  # read at the end, when the currencies are known

    def monetary_total(self, el):
        values = {}
        for c in el:
            spec = _TOTALS.get(c.tag)
            if spec is not None:
                values[spec[0]] = decimal_of(c, spec[1], spec[2])
        for field, bt, path in _REQUIRED_TOTALS:
            if field not in values:
                raise missing(bt, path)
        self.totals = MonetaryTotals(**values)

    HANDLERS: ClassVar[dict] = {
        CBC + "ID": scalar("invoice_number"),
        CBC + "IssueDate": scalar("issue_date", date_of, "BT-2"),
        CBC + "DueDate": scalar("due_date", date_of, "BT-9"),
        CBC + "TaxPointDate": scalar("tax_point_date", date_of, "BT-7"),
        CBC + "InvoiceTypeCode": scalar("type_code"),
        CBC + "CreditNoteTypeCode": scalar("type_code"),
        CBC + "DocumentCurrencyCode": scalar("currency"),
        CBC + "TaxCurrencyCode": scalar("tax_currency"),
        CBC + "CustomizationID": scalar("customization_id"),
        CBC + "ProfileID": scalar("profile_id"),
        CBC + "Note": note,
        CBC + "BuyerReference": ref("buyer_reference"),
        CBC + "AccountingCost": ref("accounting_reference"),
        CAC + "InvoicePeriod": invoice_period,
        CAC + "OrderReference": order_reference,
        CAC + "BillingReference": billing_reference,
        CAC + "ContractDocumentReference": id_ref("contract"),
        CAC + "DespatchDocumentReference": id_ref("despatch"),
        CAC + "ReceiptDocumentReference": id_ref("receipt"),
        CAC + "ProjectReference": id_ref("project"),
        CAC + "OriginatorDocumentReference": originator,
        CAC + "AdditionalDocumentReference": additional_document,
        CAC + "AccountingSupplierParty": supplier_party,
        CAC + "AccountingCustomerParty": customer_party,
        CAC + "PaymentMeans": payment_means,
        CAC + "PaymentTerms": payment_terms,
        CAC + "AllowanceCharge": allowance_charge,
        CAC + "TaxTotal": tax_total,
        CAC + "LegalMonetaryTotal": monetary_total,
    }
    del scalar, ref, id_ref


def read_tax_totals(elements: list, currency: str, top: str):
    """BT-110 is the TaxTotal in the document currency (the one with the breakdown when there are two);
    BT-111 the one in the tax currency."""
    found = []
    for i, el in enumerate(elements, 1):
        path = f"{top}/cac:TaxTotal[{i}]"
        amount_el = None
        has_breakdown = False
        for s in el:
            if s.tag == _TAX_AMOUNT and amount_el is None:
                amount_el = s
            elif s.tag == _TAX_SUBTOTAL:
                has_breakdown = True
        if amount_el is None:
            raise missing("BT-110", path + "/cbc:TaxAmount")
        found.append((el, amount_el, amount_el.get("currencyID"), has_breakdown, path))
    if not found:
        raise missing("BT-110", f"{top}/cac:TaxTotal/cbc:TaxAmount")
    # A TaxTotal in another currency than BT-5 breaks PEPPOL-R051 but is still the only one there is.
    candidates = [t for t in found if t[2] in (None, currency)] or found
    main = next((t for t in candidates if t[3]), candidates[0])
    el, amount_el, _, _, path = main
    tax_total = decimal_of(amount_el, "BT-110", path + "/cbc:TaxAmount")
    tax_total_tc = None
    for other in found:
        if other is not main:
            tax_total_tc = decimal_of(other[1], "BT-111", other[4] + "/cbc:TaxAmount")
            break
    subtotals = []
    for s in el:
        if s.tag == _TAX_SUBTOTAL:
            try:
                subtotals.append(_tax_subtotal(s))
            except Problem as p:
                raise p.under(f"{path}/cac:TaxSubtotal[{len(subtotals) + 1}]") from None
    return tax_total, tax_total_tc, tuple(subtotals)


def _tax_subtotal(el) -> TaxSubtotal:
    taxable = tax = cat = rate = reason = reason_code = None
    for c in el:
        tag = c.tag
        if tag == _TAXABLE_AMOUNT:
            taxable = decimal_of(c, "BT-116", "cbc:TaxableAmount")
        elif tag == _TAX_AMOUNT:
            tax = decimal_of(c, "BT-117", "cbc:TaxAmount")
        elif tag == _TAX_CATEGORY:
            for s in c:
                stag = s.tag
                if stag == ID:
                    cat = text_of(s)
                elif stag == _PERCENT:
                    rate = decimal_of(s, "BT-119", "cac:TaxCategory/cbc:Percent")
                elif stag == _TAX_EXEMPTION_REASON_CODE:
                    reason_code = text_of(s)
                elif stag == _TAX_EXEMPTION_REASON:
                    reason = text_of(s) if reason is None else reason
    if taxable is None:
        raise missing("BT-116", "cbc:TaxableAmount")
    if tax is None:
        raise missing("BT-117", "cbc:TaxAmount")
    if cat is None:
        raise missing("BT-118", "cac:TaxCategory/cbc:ID")
    return TaxSubtotal(taxable, tax, cat, rate, reason, reason_code)
