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


cdef tuple field_names(cls):
    """The slot names a value object is filled in, in field order (checked once, here, against the dataclass)."""
    assert "__slots__" in cls.__dict__ and not hasattr(cls, "__post_init__"), cls
    return tuple(f.name for f in fields(cls))


# A frozen dataclass's __init__ sets each field through object.__setattr__ from Python bytecode (~0.1 µs a field,
# ~1 µs an address); filling the slots from here costs a fraction of that and gives an equal object.
cdef tuple IDENTIFIER = field_names(Identifier)
cdef tuple ADDRESS = field_names(Address)
cdef tuple CONTACT = field_names(Contact)
cdef tuple PARTY = field_names(Party)
cdef tuple PERIOD = field_names(Period)
cdef tuple ALLOWANCE_CHARGE = field_names(AllowanceCharge)
cdef tuple PAYMENT_MEANS = field_names(PaymentMeans)
cdef tuple TAX_SUBTOTAL = field_names(TaxSubtotal)
cdef tuple MONETARY_TOTALS = field_names(MonetaryTotals)


cdef object build(cls, tuple names, tuple values):
    if len(values) != len(names):
        raise TypeError(f"{cls.__name__} takes {len(names)} values, got {len(values)}")
    obj = new_object(cls)
    cdef Py_ssize_t i
    for i in range(len(names)):
        PyObject_GenericSetAttr(obj, names[i], values[i])
    return obj


cdef object MISSING = object()
cdef dict PLANS = {}  # dataclass -> (field names, defaults with MISSING where the field is required)


cdef tuple plan_for(cls):
    plan = PLANS.get(cls)
    if plan is None:
        names = field_names(cls)
        defaults = []
        for f in fields(cls):
            assert f.default_factory is MISSING_FACTORY, f"{cls.__name__}.{f.name} has a default factory"
            defaults.append(MISSING if f.default is MISSING_FACTORY else f.default)
        plan = PLANS[cls] = (names, tuple(defaults))
    return plan


def make_value(cls, dict values):
    """``cls(**values)`` for a frozen slots dataclass, with its slots filled from here: an equal object for a
    fraction of the cost (an Invoice's __init__ alone is ~5 µs). Anything __init__ would refuse (an unknown or
    missing field) goes to __init__, so it raises the same TypeError."""
    names, defaults = plan_for(cls)
    obj = new_object(cls)
    cdef Py_ssize_t i, found = 0
    for i in range(len(names)):
        name = names[i]
        value = values.get(name, MISSING)
        if value is MISSING:
            value = defaults[i]
            if value is MISSING:
                return cls(**values)
        else:
            found += 1
        PyObject_GenericSetAttr(obj, name, value)
    if found != len(values):
        return cls(**values)
    return obj


class Unsure(Exception):
    """This walk cannot vouch for the result; the Python walk decides (and names the problem)."""


cdef inline int ns_of(tree.xmlNode* n) noexcept:
    if n.ns is NULL or n.ns.href is NULL:
        return OTHER
    cdef const char* href = <const char*>n.ns.href
    if strcmp(href, CBC_URI) == 0:
        return CBC
    if strcmp(href, CAC_URI) == 0:
        return CAC
    return OTHER


cdef inline bint is_(tree.xmlNode* n, const char* local) noexcept:
    return strcmp(<const char*>n.name, local) == 0


cdef inline bint is_text(tree.xmlNode* n) noexcept:
    return n.type == tree.XML_TEXT_NODE or n.type == tree.XML_CDATA_SECTION_NODE


cdef inline str decode(const char* s):
    if s is NULL:
        return ""
    return s[:strlen(s)].decode("utf-8")


cdef object raw_text(tree.xmlNode* n):
    """lxml's ``.text``: the text and CDATA nodes before the first child element, joined; None when there are none."""
    cdef tree.xmlNode* c = n.children
    if c is NULL or not is_text(c):
        return None
    if c.next is NULL or not is_text(c.next):
        return decode(<const char*>c.content)
    cdef list parts = []
    while c is not NULL and is_text(c):
        parts.append(decode(<const char*>c.content))
        c = c.next
    return "".join(parts)


cdef object text_of(tree.xmlNode* n):
    t = raw_text(n)
    if t is None:
        return None
    return (<str>t).strip() or None


cdef object attribute(tree.xmlNode* n, const char* name):
    """``el.get(name)`` for an attribute without a namespace."""
    cdef tree.xmlAttr* a = n.properties
    cdef tree.xmlNode* v
    while a is not NULL:
        if a.ns is NULL and strcmp(<const char*>a.name, name) == 0:
            v = a.children
            if v is NULL:
                return ""
            if v.next is NULL:
                return decode(<const char*>v.content)
            parts = []
            while v is not NULL:
                parts.append(decode(<const char*>v.content))
                v = v.next
            return "".join(parts)
        a = a.next
    return None


cdef object decimal(tree.xmlNode* n):
    t = raw_text(n)
    d = DECIMALS.get(t)
    if d is not None:
        return d
    return _py.decimal_from_text(t, "", "")  # validates and caches; a Problem sends the document to the Python walk


cdef object date_value(tree.xmlNode* n):
    t = raw_text(n)
    d = DATES.get(t)
    if d is not None:
        return d
    return _py.date_from_text(t, "", "")


cdef object boolean(tree.xmlNode* n):
    t = raw_text(n)
    t = (t or "").strip()
    if t == "true" or t == "1":
        return True
    if t == "false" or t == "0":
        return False
    raise Unsure()


cdef object first_text(tree.xmlNode* n, int ns, const char* local):
    """``child_text``: the stripped text of the first child with this name, or None."""
    cdef tree.xmlNode* c = n.children
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE and is_(c, local) and ns_of(c) == ns:
            return text_of(c)
        c = c.next
    return None


cdef object read_identifier(tree.xmlNode* n):
    cdef tree.xmlNode* c = n.children
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE and is_(c, "ID") and ns_of(c) == CBC:
            v = text_of(c)
            return build(Identifier, IDENTIFIER, (v, attribute(c, "schemeID"))) if v else None
        c = c.next
    return None


cdef object read_period(tree.xmlNode* n):
    start = end = code = None
    cdef tree.xmlNode* c = n.children
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE and ns_of(c) == CBC:
            if is_(c, "StartDate"):
                start = date_value(c)
            elif is_(c, "EndDate"):
                end = date_value(c)
            elif is_(c, "DescriptionCode") and code is None:
                code = text_of(c)
        c = c.next
    return build(Period, PERIOD, (start, end, code))


cdef tuple read_tax_category(tree.xmlNode* n):
    cat = rate = None
    cdef tree.xmlNode* c = n.children
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE and ns_of(c) == CBC:
            if is_(c, "ID"):
                cat = text_of(c)
            elif is_(c, "Percent"):
                rate = decimal(c)
        c = c.next
    return cat, rate


cdef object read_allowance_charge(tree.xmlNode* n):
    is_charge = amount = base = percent = reason = code = cat = rate = None
    cdef tree.xmlNode* c = n.children
    cdef int k
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE:
            k = ns_of(c)
            if k == CBC:
                if is_(c, "ChargeIndicator"):
                    is_charge = boolean(c)
                elif is_(c, "Amount"):
                    amount = decimal(c)
                elif is_(c, "BaseAmount"):
                    base = decimal(c)
                elif is_(c, "MultiplierFactorNumeric"):
                    percent = decimal(c)
                elif is_(c, "AllowanceChargeReason"):
                    if reason is None:
                        reason = text_of(c)
                elif is_(c, "AllowanceChargeReasonCode"):
                    code = text_of(c)
            elif k == CAC and is_(c, "TaxCategory") and cat is None:
                cat, rate = read_tax_category(c)
        c = c.next
    if is_charge is None or amount is None:
        raise Unsure()
    return build(AllowanceCharge, ALLOWANCE_CHARGE, (is_charge, amount, base, percent, reason, code, cat, rate))


cdef object read_address(tree.xmlNode* n):
    street = extra = city = zone = sub = country = None
    cdef tree.xmlNode* c = n.children
    cdef int k
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE:
            k = ns_of(c)
            if k == CBC:
                if is_(c, "StreetName"):
                    street = text_of(c)
                elif is_(c, "AdditionalStreetName"):
                    extra = text_of(c)
                elif is_(c, "CityName"):
                    city = text_of(c)
                elif is_(c, "PostalZone"):
                    zone = text_of(c)
                elif is_(c, "CountrySubentity"):
                    sub = text_of(c)
            elif k == CAC and is_(c, "Country"):
                country = first_text(c, CBC, "IdentificationCode")
        c = c.next
    return build(Address, ADDRESS, (street, extra, city, zone, sub, country))


cdef object read_contact(tree.xmlNode* n):
    name = phone = email = None
    cdef tree.xmlNode* c = n.children
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE and ns_of(c) == CBC:
            if is_(c, "Name"):
                name = text_of(c)
            elif is_(c, "Telephone"):
                phone = text_of(c)
            elif is_(c, "ElectronicMail"):
                email = text_of(c)
        c = c.next
    return build(Contact, CONTACT, (name, phone, email))


cdef object read_party(tree.xmlNode* holder):
    cdef tree.xmlNode* n = holder.children
    while n is not NULL:
        if n.type == tree.XML_ELEMENT_NODE and is_(n, "Party") and ns_of(n) == CAC:
            break
        n = n.next
    if n is NULL:
        raise Unsure()
    name = reg_name = company = vat = tax_reg = endpoint = scheme = address = contact = None
    cdef list ids = []
    cdef tree.xmlNode* c = n.children
    cdef tree.xmlNode* s
    cdef int k
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE:
            k = ns_of(c)
            if k == CBC and is_(c, "EndpointID"):
                endpoint, scheme = text_of(c), attribute(c, "schemeID")
            elif k == CAC:
                if is_(c, "PartyIdentification"):
                    ident = read_identifier(c)
                    if ident is not None:
                        ids.append(ident)
                elif is_(c, "PartyName"):
                    if name is None:
                        name = first_text(c, CBC, "Name")
                elif is_(c, "PostalAddress"):
                    address = read_address(c)
                elif is_(c, "PartyTaxScheme"):
                    value = first_text(c, CBC, "CompanyID")
                    tax_scheme = None
                    s = c.children
                    while s is not NULL:
                        if s.type == tree.XML_ELEMENT_NODE and is_(s, "TaxScheme") and ns_of(s) == CAC:
                            tax_scheme = first_text(s, CBC, "ID")
                        s = s.next
                    if tax_scheme is None or tax_scheme.upper() == "VAT":
                        vat = vat or value
                    else:
                        tax_reg = tax_reg or value
                elif is_(c, "PartyLegalEntity"):
                    s = c.children
                    while s is not NULL:
                        if s.type == tree.XML_ELEMENT_NODE and ns_of(s) == CBC:
                            if is_(s, "RegistrationName"):
                                reg_name = reg_name or text_of(s)
                            elif is_(s, "CompanyID") and company is None:
                                v = text_of(s)
                                company = build(Identifier, IDENTIFIER, (v, attribute(s, "schemeID"))) if v else None
                        s = s.next
                elif is_(c, "Contact"):
                    contact = read_contact(c)
        c = c.next
    return build(Party, PARTY, (name, reg_name, tuple(ids), company, vat, tax_reg, endpoint, scheme, address, contact))


cdef object read_line(tree.xmlNode* n):
    """One InvoiceLine / CreditNoteLine, as ``line_reader.read_line`` reads it."""
    lid = note = qty = unit = net = price = cat = None
    name = desc = seller = buyer = std = rate = allowance = gross = period = order_line = cost = None
    base_qty = ONE
    acs = None
    cdef tree.xmlNode* c = n.children
    cdef tree.xmlNode* s
    cdef tree.xmlNode* x
    cdef int k, sk
    cdef int prices = 0
    while c is not NULL:
        if c.type != tree.XML_ELEMENT_NODE:
            c = c.next
            continue
        k = ns_of(c)
        if k == CBC:
            if is_(c, "ID"):
                lid = text_of(c)
            elif is_(c, "InvoicedQuantity") or is_(c, "CreditedQuantity"):
                qty = decimal(c)
                unit = attribute(c, "unitCode")
            elif is_(c, "LineExtensionAmount"):
                net = decimal(c)
            elif is_(c, "Note"):
                t = text_of(c)
                note = t if note is None else f"{note}\n{t or ''}"
            elif is_(c, "AccountingCost"):
                cost = text_of(c)
        elif k == CAC:
            if is_(c, "Item"):
                s = c.children
                while s is not NULL:
                    if s.type == tree.XML_ELEMENT_NODE:
                        sk = ns_of(s)
                        if sk == CBC:
                            if is_(s, "Name"):
                                name = text_of(s)
                            elif is_(s, "Description") and desc is None:
                                desc = text_of(s)
                        elif sk == CAC:
                            if is_(s, "ClassifiedTaxCategory"):
                                if cat is None:
                                    cat, rate = read_tax_category(s)
                            elif is_(s, "SellersItemIdentification"):
                                seller = first_text(s, CBC, "ID")
                            elif is_(s, "BuyersItemIdentification"):
                                buyer = first_text(s, CBC, "ID")
                            elif is_(s, "StandardItemIdentification"):
                                std = read_identifier(s)
                    s = s.next
            elif is_(c, "Price"):
                prices += 1
                if prices > 1:
                    raise Unsure()  # two prices on one line: leave the (odd) precedence rules to the Python walk
                s = c.children
                while s is not NULL:
                    if s.type == tree.XML_ELEMENT_NODE:
                        sk = ns_of(s)
                        if sk == CBC:
                            if is_(s, "PriceAmount"):
                                value = decimal(s)
                                if price is None:
                                    price = value
                            elif is_(s, "BaseQuantity"):
                                base_qty = decimal(s)
                        elif sk == CAC and is_(s, "AllowanceCharge"):
                            x = s.children
                            while x is not NULL:
                                if x.type == tree.XML_ELEMENT_NODE and ns_of(x) == CBC:
                                    if is_(x, "Amount"):
                                        allowance = decimal(x)
                                    elif is_(x, "BaseAmount"):
                                        gross = decimal(x)
                                x = x.next
                    s = s.next
            elif is_(c, "OrderLineReference"):
                order_line = first_text(c, CBC, "LineID")
            elif is_(c, "InvoicePeriod"):
                period = read_period(c)
            elif is_(c, "AllowanceCharge"):
                if acs is None:
                    acs = []
                acs.append(read_allowance_charge(c))
        c = c.next
    if lid is None or qty is None or net is None or price is None or name is None or cat is None:
        raise Unsure()
    line = new_object(InvoiceLine)
    set_attribute(line, "__dict__", {
        "id": lid, "quantity": qty, "unit_code": unit, "net_amount": net, "price": price, "name": name,
        "vat_category": cat, "vat_rate": rate, "base_quantity": base_qty, "price_allowance": allowance,
        "gross_price": gross, "note": note, "description": desc, "seller_item_id": seller, "buyer_item_id": buyer,
        "standard_item_id": std, "allowances_charges": tuple(acs) if acs is not None else (), "period": period,
        "order_line_reference": order_line, "accounting_cost": cost,
    })
    return line


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
