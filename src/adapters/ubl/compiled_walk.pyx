# cython: language_level=3, boundscheck=False, wraparound=False
"""The walk of ``parser`` compiled: libxml2's nodes are read directly instead of through one lxml proxy per element.

Why it exists: issue 3 asks for parse-to-domain at most 2x lxml's own parse. The pure-Python walk spends most of its
time creating an lxml proxy and a Clark-notation tag string for every element it looks at (~3-4 µs per invoice
line, where libxml2 spends ~5 µs parsing it). Here a child's namespace and local name are compared as C strings,
and only the values that end up in the domain model become Python objects.

The contract with ``parser`` keeps one implementation of every error: for a document the Python walk accepts, this
reads exactly what it would; for anything it is not sure of (a missing or unreadable value, an unusual repetition)
it returns ``None`` and the caller runs the Python walk, which then raises the classified error with its path.
Rare aggregates (BillingReference, AdditionalDocumentReference) are handed to the Python readers as lxml elements.
``tests/unit/ubl/test_compiled_walk.py`` checks that both walks agree over the whole corpus and hostile variants.
"""

from libc.string cimport strcmp, strlen
from dataclasses import MISSING as MISSING_FACTORY, fields
from lxml.includes cimport tree
from lxml.includes.etreepublic cimport LXML_VERSION_STRING, _Element, elementFactory, import_lxml__etree

from adapters.ubl import elements as _py
from domain.invoice import AllowanceCharge, InvoiceLine, MonetaryTotals, PaymentMeans, Period, TaxSubtotal
from domain.parties import Address, Contact, Identifier, Party

import_lxml__etree()

# The walk reads lxml's _Element struct, whose layout belongs to the lxml it was compiled against; the parser uses
# it only when the lxml imported at run time is that same version.
BUILT_WITH_LXML = LXML_VERSION_STRING.decode()

cdef extern from "Python.h":
    int PyObject_GenericSetAttr(object o, object name, object value) except -1

cdef bytes _CBC_URI = b"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
cdef bytes _CAC_URI = b"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
cdef const char* CBC_URI = _CBC_URI
cdef const char* CAC_URI = _CAC_URI

cdef enum Ns:
    OTHER = 0
    CBC = 1
    CAC = 2

cdef int MAX_TAX_TOTALS = 8

cdef dict DECIMALS = _py._DECIMALS  # shared with the Python walk; emptied in place, never rebound
cdef dict DATES = _py._DATES
cdef object ONE = _py._ONE
cdef object new_object = object.__new__
cdef object set_attribute = object.__setattr__


include "compiled_values.pxi"
include "compiled_aggregates.pxi"


cdef object read_payment_means(tree.xmlNode* n, doc):
    code = name = pid = iban = account_name = bic = None
    cdef tree.xmlNode* c = n.children
    cdef tree.xmlNode* s
    cdef int k
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE:
            k = ns_of(c)
            if k == CBC:
                if is_(c, "PaymentMeansCode"):
                    code, name = text_of(c), attribute(c, "name")
                elif is_(c, "PaymentID"):
                    pid = pid or text_of(c)
                elif is_(c, "PaymentDueDate"):
                    due = date_value(c)
                    doc.means_due = doc.means_due or due
            elif k == CAC and is_(c, "PayeeFinancialAccount"):
                s = c.children
                while s is not NULL:
                    if s.type == tree.XML_ELEMENT_NODE:
                        k = ns_of(s)
                        if k == CBC and is_(s, "ID"):
                            iban = text_of(s)
                        elif k == CBC and is_(s, "Name"):
                            account_name = text_of(s)
                        elif k == CAC and is_(s, "FinancialInstitutionBranch"):
                            bic = first_text(s, CBC, "ID")
                    s = s.next
        c = c.next
    if code is None:
        raise Unsure()
    return build(PaymentMeans, PAYMENT_MEANS, (code, name, pid, iban, account_name, bic))


cdef object read_payment_terms(tree.xmlNode* n):
    cdef list terms = []
    cdef tree.xmlNode* c = n.children
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE and is_(c, "Note") and ns_of(c) == CBC:
            t = text_of(c)
            if t:
                terms.append(t)
        c = c.next
    return "\n".join(terms) if terms else None


cdef object read_monetary_total(tree.xmlNode* n):
    line_total = tax_exclusive = tax_inclusive = payable = allowances = charges = prepaid = rounding = None
    cdef tree.xmlNode* c = n.children
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE and ns_of(c) == CBC:
            if is_(c, "LineExtensionAmount"):
                line_total = decimal(c)
            elif is_(c, "TaxExclusiveAmount"):
                tax_exclusive = decimal(c)
            elif is_(c, "TaxInclusiveAmount"):
                tax_inclusive = decimal(c)
            elif is_(c, "AllowanceTotalAmount"):
                allowances = decimal(c)
            elif is_(c, "ChargeTotalAmount"):
                charges = decimal(c)
            elif is_(c, "PrepaidAmount"):
                prepaid = decimal(c)
            elif is_(c, "PayableRoundingAmount"):
                rounding = decimal(c)
            elif is_(c, "PayableAmount"):
                payable = decimal(c)
        c = c.next
    if line_total is None or tax_exclusive is None or tax_inclusive is None or payable is None:
        raise Unsure()
    return build(MonetaryTotals, MONETARY_TOTALS,
                 (line_total, tax_exclusive, tax_inclusive, payable, allowances, charges, prepaid, rounding))


cdef object read_tax_subtotal(tree.xmlNode* n):
    taxable = tax = cat = rate = reason = reason_code = None
    cdef tree.xmlNode* c = n.children
    cdef tree.xmlNode* s
    cdef int k
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE:
            k = ns_of(c)
            if k == CBC:
                if is_(c, "TaxableAmount"):
                    taxable = decimal(c)
                elif is_(c, "TaxAmount"):
                    tax = decimal(c)
            elif k == CAC and is_(c, "TaxCategory"):
                s = c.children
                while s is not NULL:
                    if s.type == tree.XML_ELEMENT_NODE and ns_of(s) == CBC:
                        if is_(s, "ID"):
                            cat = text_of(s)
                        elif is_(s, "Percent"):
                            rate = decimal(s)
                        elif is_(s, "TaxExemptionReasonCode"):
                            reason_code = text_of(s)
                        elif is_(s, "TaxExemptionReason") and reason is None:
                            reason = text_of(s)
                    s = s.next
        c = c.next
    if taxable is None or tax is None or cat is None:
        raise Unsure()
    return build(TaxSubtotal, TAX_SUBTOTAL, (taxable, tax, cat, rate, reason, reason_code))


cdef tuple read_tax_totals(tree.xmlNode** totals, int count, currency):
    """BT-110 (and BT-111) as ``parser._read_tax_totals`` chooses them."""
    cdef tree.xmlNode* amounts[8]
    cdef bint breakdown[8]
    cdef tree.xmlNode* c
    cdef int i, main = -1
    if count == 0:
        raise Unsure()
    currencies = []
    for i in range(count):
        amounts[i] = NULL
        breakdown[i] = False
        c = totals[i].children
        while c is not NULL:
            if c.type == tree.XML_ELEMENT_NODE:
                if amounts[i] is NULL and is_(c, "TaxAmount") and ns_of(c) == CBC:
                    amounts[i] = c
                elif is_(c, "TaxSubtotal") and ns_of(c) == CAC:
                    breakdown[i] = True
            c = c.next
        if amounts[i] is NULL:
            raise Unsure()
        currencies.append(attribute(amounts[i], "currencyID"))
    # A TaxTotal in another currency than BT-5 breaks PEPPOL-R051 but is still the only one there is.
    candidates = [i for i in range(count) if currencies[i] is None or currencies[i] == currency]
    if not candidates:
        candidates = list(range(count))
    for i in candidates:
        if breakdown[i]:
            main = i
            break
    if main < 0:
        main = candidates[0]
    tax_total = decimal(amounts[main])
    tax_total_tc = None
    for i in range(count):
        if i != main:
            tax_total_tc = decimal(amounts[i])
            break
    subtotals = []
    c = totals[main].children
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE and is_(c, "TaxSubtotal") and ns_of(c) == CAC:
            subtotals.append(read_tax_subtotal(c))
        c = c.next
    return tax_total, tax_total_tc, tuple(subtotals)


cdef tuple walk(_Element root, doc):
    cdef dict fields = doc.fields
    cdef dict refs = doc.refs
    cdef list lines = []
    cdef tree.xmlNode* tax_totals[8]
    cdef int tax_count = 0
    cdef tree.xmlNode* c = root._c_node.children
    cdef int k
    while c is not NULL:
        if c.type != tree.XML_ELEMENT_NODE:
            c = c.next
            continue
        k = ns_of(c)
        if k == CAC:
            if is_(c, "InvoiceLine") or is_(c, "CreditNoteLine"):
                lines.append(read_line(c))
            elif is_(c, "AccountingSupplierParty"):
                doc.supplier = read_party(c)
            elif is_(c, "AccountingCustomerParty"):
                doc.customer = read_party(c)
            elif is_(c, "PaymentMeans"):
                doc.means.append(read_payment_means(c, doc))
            elif is_(c, "TaxTotal"):
                if tax_count == MAX_TAX_TOTALS:
                    raise Unsure()
                tax_totals[tax_count] = c
                tax_count += 1
            elif is_(c, "LegalMonetaryTotal"):
                doc.totals = read_monetary_total(c)
            elif is_(c, "InvoicePeriod"):
                if "invoice_period" not in fields:
                    fields["invoice_period"] = read_period(c)
            elif is_(c, "OrderReference"):
                refs["order_reference"] = first_text(c, CBC, "ID")
                refs["sales_order_id"] = first_text(c, CBC, "SalesOrderID")
            elif is_(c, "ContractDocumentReference"):
                refs.setdefault("contract", first_text(c, CBC, "ID"))
            elif is_(c, "DespatchDocumentReference"):
                refs.setdefault("despatch", first_text(c, CBC, "ID"))
            elif is_(c, "ReceiptDocumentReference"):
                refs.setdefault("receipt", first_text(c, CBC, "ID"))
            elif is_(c, "ProjectReference"):
                refs.setdefault("project", first_text(c, CBC, "ID"))
            elif is_(c, "OriginatorDocumentReference"):
                fields["originator_document_reference"] = first_text(c, CBC, "ID")
            elif is_(c, "PaymentTerms"):
                terms = read_payment_terms(c)
                if terms is not None and "payment_terms" not in fields:
                    fields["payment_terms"] = terms
            elif is_(c, "AllowanceCharge"):
                doc.acs.append(read_allowance_charge(c))
            elif is_(c, "AdditionalDocumentReference"):
                doc.additional_document(elementFactory(root._doc, c))
            elif is_(c, "BillingReference"):
                doc.billing_reference(elementFactory(root._doc, c))
        elif k == CBC:
            if is_(c, "ID"):
                fields["invoice_number"] = text_of(c)
            elif is_(c, "IssueDate"):
                fields["issue_date"] = date_value(c)
            elif is_(c, "DueDate"):
                fields["due_date"] = date_value(c)
            elif is_(c, "TaxPointDate"):
                fields["tax_point_date"] = date_value(c)
            elif is_(c, "InvoiceTypeCode") or is_(c, "CreditNoteTypeCode"):
                fields["type_code"] = text_of(c)
            elif is_(c, "DocumentCurrencyCode"):
                fields["currency"] = text_of(c)
            elif is_(c, "TaxCurrencyCode"):
                fields["tax_currency"] = text_of(c)
            elif is_(c, "CustomizationID"):
                fields["customization_id"] = text_of(c)
            elif is_(c, "ProfileID"):
                fields["profile_id"] = text_of(c)
            elif is_(c, "Note"):
                t = text_of(c)
                if t:
                    doc.notes.append(t)
            elif is_(c, "BuyerReference"):
                refs["buyer_reference"] = text_of(c)
            elif is_(c, "AccountingCost"):
                refs["accounting_reference"] = text_of(c)
        c = c.next
    return lines, read_tax_totals(tax_totals, tax_count, fields.get("currency"))


def walk_document(_Element root not None, doc):
    """Fill ``doc`` (a ``parser._Document``) from the root's children and return ``(lines, tax)``, where ``tax`` is
    ``(BT-110, BT-111, subtotals)``; or ``None`` when the Python walk must read the document instead."""
    try:
        return walk(root, doc)
    except (Unsure, _py.Problem):
        return None
