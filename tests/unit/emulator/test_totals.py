from __future__ import annotations

from decimal import Decimal

from adapters.procountor.emulator import totals
from tests.unit.emulator.samples import make_invoice

D = Decimal


def row(quantity, price, vat, discount=0):
    return {"product": "x", "quantity": D(str(quantity)), "unit": "PIECE", "unitPrice": D(str(price)),
            "discountPercent": D(str(discount)), "vatPercent": D(str(vat))}


def invoice(rows, discount=0, includes_vat=False, currency="EUR", rate=1):
    return {"invoiceRows": rows, "discountPercent": D(str(discount)),
            "extraInfo": {"accountingByRow": False, "unitPricesIncludeVat": includes_vat},
            "paymentInfo": {"currency": currency, "currencyRate": D(str(rate))}}


def test_rows_are_rounded_then_vat_is_computed_per_rate():
    # 3 × 0.333 = 0.999 → 1.00 per row; VAT per rate group: (1.00 + 1.00) × 25.5 % = 0.51
    result = totals.compute(invoice([row(3, "0.333", "25.5"), row(3, "0.333", "25.5"), row(1, 10, 14)]))
    assert [g.vat_percent for g in result.groups] == [D("25.5"), D("14")]
    assert result.groups[0].net == D("2.00") and result.groups[0].vat == D("0.51")
    assert result.groups[1].vat == D("1.40")
    assert (result.net, result.vat, result.gross) == (D("12.00"), D("1.91"), D("13.91"))


def test_row_and_invoice_discounts_multiply():
    # 2 × 50 × 0.9 × 0.95 = 85.50
    result = totals.compute(invoice([row(2, 50, "25.5", discount=10)], discount=5))
    assert result.net == D("85.50") and result.vat == D("21.80")  # 21.8025 → 21.80


def test_half_up_rounding():
    result = totals.compute(invoice([row(1, "0.125", 0), row(1, "10.00", 10)]))
    assert result.row_amounts[0] == D("0.13")
    assert result.vat == D("1.00")


def test_gross_unit_prices():
    # 124.00 gross at 24 %... use 25.5: 125.50 gross → VAT 25.50, net 100.00
    result = totals.compute(invoice([row(1, "125.50", "25.5")], includes_vat=True))
    assert (result.net, result.vat) == (D("100.00"), D("25.50"))
    assert result.row_nets == [D("100.00")]


def test_gross_row_nets_add_up_to_the_group_net():
    result = totals.compute(invoice([row(1, "0.99", "25.5"), row(1, "0.99", "25.5"), row(1, "0.99", "25.5")],
                                    includes_vat=True))
    assert sum(result.row_nets) == result.net
    assert result.net + result.vat == D("2.97")


def test_negative_quantities_make_a_credit():
    result = totals.compute(invoice([row(-2, 10, "25.5")]))
    assert (result.net, result.vat) == (D("-20.00"), D("-5.10"))


def test_foreign_currency_gets_a_second_sum_entry():
    inv = invoice([row(1, 100, "25.5")], currency="SEK", rate="11.45")
    info = totals.sum_info(inv, totals.compute(inv), "EUR")
    assert info[0] == {"currency": "SEK", "inAccountingCurrency": False, "excludingVatTotal": D("100.00"),
                       "vatSumTotal": D("25.50"), "invoiceSumTotal": D("125.50")}
    assert info[1]["currency"] == "EUR" and info[1]["inAccountingCurrency"] is True
    assert info[1]["excludingVatTotal"] == D("8.73") and info[1]["vatSumTotal"] == D("2.23")


def test_post_response_and_read_back_carry_invoice_sum_info(client, auth, post_invoice):
    body = make_invoice(discountPercent=0)
    body["invoiceRows"] = [
        {"product": "Widget", "quantity": 3, "unit": "PIECE", "unitPrice": 12.5, "discountPercent": 0,
         "vatPercent": 25.5},
        {"product": "Kirja", "quantity": "2", "unit": "PIECE", "unitPrice": "19.90", "discountPercent": 10,
         "vatPercent": 14},
    ]
    created = post_invoice(body).json()
    expected = {"currency": "EUR", "inAccountingCurrency": True, "excludingVatTotal": 73.32,
                "vatSumTotal": 14.57, "invoiceSumTotal": 87.89}
    # 37.50 + 35.82 = 73.32; VAT 9.5625 → 9.56 and 5.0148 → 5.01
    assert created["invoiceSumInfo"] == [expected]
    assert created["invoiceRows"][1]["unitPrice"] == 19.9  # numbers sent as strings come back as numbers
    read_back = client.get(f"/api/invoices/{created['id']}", headers=auth).json()
    assert read_back["invoiceSumInfo"] == [expected]
    assert read_back == created
