"""The mapping's shortcuts give exactly what the general code gives: the natural-row test against the search, the
sign shortcut, ``plain_number`` and ``procountor_row_totals`` against the plain Decimal formulas, and the text
fast path against ``to_cp1252``. Random inputs from fixed seeds, edge values listed."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from adapters.procountor.row_arithmetic import (
    CENT,
    _search_row,
    exact_row,
    natural_row,
    plain_number,
    procountor_row_totals,
    row_amount,
)
from adapters.procountor.text_policy import TextPolicy, to_cp1252

EDGE = ["0", "-0", "0.00", "-0.00", "1", "-1", "1.0", "12.50", "0.5", "1E+1", "85.5000", "0.0723", "1.234567",
        "1.2345678", "-3.3333333", "1000000", "0.000001", "1.005", "99.995", "-0.01", "123456789012345678901234.5",
        "12345678901234567890123456.78", "1E-7", "5E+3"]


def outcome(call, *args):
    try:
        return repr(call(*args))
    except Exception as exc:  # noqa: BLE001 - the exception type is part of what must agree
        return type(exc).__name__


def reference_plain_number(value: Decimal) -> Decimal:
    value = value.normalize()
    if value.as_tuple().exponent > -2:
        value = value.quantize(CENT)
    return value


def reference_row_amount(q, p, d=Decimal(0), invoice_discount=Decimal(0)) -> Decimal:
    return (q * p * (1 - d / 100) * (1 - invoice_discount / 100)).quantize(CENT, rounding=ROUND_HALF_UP)


def random_decimal(rng: random.Random, digits: int = 8, places: int = 6) -> Decimal:
    return Decimal(rng.randint(-10 ** rng.randint(0, digits), 10 ** rng.randint(0, digits))).scaleb(
        -rng.randint(0, places))


def test_plain_number_matches_the_exponent_rule():
    rng = random.Random(1)
    values = [Decimal(v) for v in EDGE + ["NaN", "Infinity"]]
    values += [Decimal(rng.randint(-10 ** 30, 10 ** 30)).scaleb(rng.randint(-35, 5)) for _ in range(3000)]
    for value in values:
        assert outcome(plain_number, value) == outcome(reference_plain_number, value), value


def test_row_amount_matches_the_formula():
    rng = random.Random(2)
    for _ in range(3000):
        q, p, d, i = (random_decimal(rng) for _ in range(4))
        d = d if rng.random() < 0.5 else Decimal(0)
        i = i if rng.random() < 0.3 else Decimal(0)
        assert repr(row_amount(q, p, d, i)) == repr(reference_row_amount(q, p, d, i))


def cents_of(q: Decimal, p: Decimal) -> Decimal:
    try:
        return (q * p).quantize(CENT)
    except ArithmeticError:
        return Decimal(1)


def general_numbers(sign, q, p, t) -> tuple:
    row = exact_row(sign * q, p, sign * t)
    return row.quantity, row.unit_price, row.discount_percent, row.strategy


def shortcut_numbers(sign, q, p, t) -> tuple:  # what RowMapper does
    return (natural_row(q, p, t) if sign == 1 else None) or general_numbers(sign, q, p, t)


def test_natural_row_is_what_the_search_finds():
    rng = random.Random(3)
    cases = [(Decimal(q), Decimal(p), Decimal(t)) for q in EDGE for p in EDGE[:12] for t in EDGE[::4]]
    for _ in range(4000):
        q, p = random_decimal(rng, 26, 3), random_decimal(rng, 8, 3)
        cases.append((q, p, cents_of(q, p) + rng.choice([0, 0, 0, CENT])))
    for q, p, t in cases:
        fast = outcome(natural_row, q, p, t)
        if fast != "None":
            assert fast == outcome(_search_row, q, p, t), (q, p, t)


@pytest.mark.parametrize("sign", [Decimal(1), Decimal(-1)])
def test_a_plus_sign_may_be_left_out_of_the_natural_row(sign):
    rng = random.Random(4)
    for _ in range(4000):
        q, p = random_decimal(rng, 32, 3), random_decimal(rng, 30, 3)
        if rng.random() < 0.3 and "." in str(q):
            q = Decimal(str(q) + "0" * rng.randint(0, 12))  # more digits than the context holds
        t = cents_of(q, p) if rng.random() < 0.9 else Decimal("7.77")
        general = outcome(general_numbers, sign, q, p, t)
        shortcut = outcome(shortcut_numbers, sign, q, p, t)
        assert shortcut == general, (q, p, t)


def reference_totals(body):
    includes_vat = bool((body.get("extraInfo") or {}).get("unitPricesIncludeVat"))
    invoice_discount = Decimal(str(body.get("discountPercent") or 0))
    groups = {}
    for row in body["invoiceRows"]:
        amount = reference_row_amount(Decimal(str(row["quantity"])), Decimal(str(row["unitPrice"])),
                                      Decimal(str(row.get("discountPercent") or 0)), invoice_discount)
        rate = Decimal(str(row["vatPercent"])).normalize()
        groups[rate] = groups.get(rate, Decimal("0.00")) + amount
    net = vat = Decimal("0.00")
    for rate, amount in groups.items():
        if includes_vat:
            group_vat = (amount * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
            net, vat = net + amount - group_vat, vat + group_vat
        else:
            net, vat = net + amount, vat + (amount * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return net, vat, net + vat


def test_row_totals_match_the_formula_for_any_number_type():
    rng = random.Random(5)
    rates = [Decimal(24), Decimal("24.0"), Decimal("25.5"), Decimal("25.50"), Decimal("-0"), Decimal(0), 0, 14, "10",
             10.0]
    for _ in range(3000):
        rows = []
        for _ in range(rng.randint(1, 5)):
            value = random_decimal(rng, 5, 4)
            row = {"quantity": rng.choice([value, int(value), float(value), str(value)]),
                   "unitPrice": rng.choice([random_decimal(rng, 6, 4), 3, "2.50"]), "vatPercent": rng.choice(rates)}
            if rng.random() < 0.5:
                row["discountPercent"] = rng.choice([Decimal(0), Decimal("0.0000"), Decimal("12.5"), 0, None, "2.5"])
            rows.append(row)
        body = {"invoiceRows": rows, "discountPercent": rng.choice([Decimal(0), 0, Decimal(5), None]),
                "extraInfo": {"unitPricesIncludeVat": rng.random() < 0.3}}
        assert repr(procountor_row_totals(body)) == repr(reference_totals(body))


TEXTS = ["abc", " abc ", "Sähkö", "Ŕőł Łódź", "ﬁne", "emoji 😀", "€ — “q”", "tab\tx", "ß", "\u200bzero", "ｆｕｌｌ",
         "x" * 600, "ä" * 600, "a" * 40, "a" * 41, "", "   "]


@pytest.mark.parametrize("limit", [None, 1, 10, 40, 512])
def test_clean_keeps_a_fitting_windows_1252_text_as_is_and_changes_the_rest(limit):
    for value in TEXTS:
        policy = TextPolicy()
        cleaned = policy.clean(value, "f", limit)
        text = value.strip()
        if not text:
            assert cleaned is None and not policy.warnings
        elif to_cp1252(text) == (text, []) and (limit is None or len(text) <= limit):
            assert cleaned == text and not policy.warnings
        else:
            assert policy.warnings and cleaned != text
