# Included by compiled_walk.pyx: the value primitives of the compiled walk. Reading a node's text, attributes,
# decimals, dates and booleans with lxml's semantics (``.text``, ``.get``), and filling the domain's frozen slots
# dataclasses without their __init__.

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
    cdef list filled = []
    cdef Py_ssize_t i, found = 0
    for i in range(len(names)):
        value = values.get(names[i], MISSING)
        if value is MISSING:
            value = defaults[i]
            if value is MISSING:
                return cls(**values)
        else:
            found += 1
        filled.append(value)
    if found != len(values):
        return cls(**values)
    return build(cls, names, tuple(filled))


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
