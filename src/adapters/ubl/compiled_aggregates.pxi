# Included by compiled_walk.pyx: the UBL aggregates below the document (identifier, period, tax category,
# allowance/charge, address, contact, party, invoice line), each read as its Python twin in elements /
# party_reader / line_reader reads it, raising Unsure where that one would raise a Problem.

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
