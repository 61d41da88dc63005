from __future__ import annotations

import pytest

from adapters.procountor.emulator import CompanyConfig, EmulatorConfig
from tests.unit.emulator.samples import DEMO_FORM, make_client, make_invoice


def errors_of(response):
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"errors"}
    for error in body["errors"]:
        assert error["status"] == 400 and isinstance(error["message"], str)
    return {e.get("field"): e["message"] for e in body["errors"]}


def test_valid_invoice_is_created_unfinished_with_number_and_receipt(post_invoice):
    response = post_invoice()
    assert response.status_code == 200
    invoice = response.json()
    assert invoice["status"] == "UNFINISHED"
    assert invoice["invoiceNumber"] == 1 and invoice["id"] and invoice["ledgerReceiptId"]
    assert len(invoice["version"]) == 19 and "T" in invoice["version"]
    # "" → a generated reference: base 1000 + invoice number, 7-3-1 check digit
    assert invoice["paymentInfo"]["bankReferenceCode"] == "10016"
    assert post_invoice().json()["invoiceNumber"] == 2


def test_missing_required_fields_are_all_reported(post_invoice):
    body = make_invoice()
    for name in ("date", "invoiceChannel", "extraInfo", "discountPercent"):
        del body[name]
    del body["paymentInfo"]["dueDate"]
    del body["invoiceRows"][0]["unit"]
    fields = errors_of(post_invoice(body))
    assert {"date", "invoiceChannel", "extraInfo", "discountPercent", "paymentInfo.dueDate",
            "invoiceRows[0].unit"} <= set(fields)
    assert fields["date"] == "Value of the 'date' cannot be blank"


def test_language_is_required_for_sales_invoices(post_invoice):
    body = make_invoice()
    del body["language"]
    assert "language" in errors_of(post_invoice(body))


@pytest.mark.parametrize(("change", "field"), [
    ({"type": "CREDIT_NOTE"}, "type"),
    ({"invoiceChannel": "FAX"}, "invoiceChannel"),
    ({"invoiceChannel": "EDIFACT"}, "invoiceChannel"),
    ({"invoiceChannel": "PAPER_INVOICE"}, "invoiceChannel"),
    ({"language": "GERMAN"}, "language"),
    ({"deliveryMethod": "OTHER"}, "deliveryMethod"),
])
def test_enums(post_invoice, change, field):
    assert field in errors_of(post_invoice(**change))


def test_row_and_payment_enums(post_invoice):
    body = make_invoice()
    body["invoiceRows"][0]["unit"] = "C62"
    body["paymentInfo"]["paymentMethod"] = "DIRECT_DEBIT"
    body["paymentInfo"]["bankReferenceCodeType"] = "KID"  # Norwegian, not allowed in a Finnish company
    fields = errors_of(post_invoice(body))
    assert {"invoiceRows[0].unit", "paymentInfo.paymentMethod", "paymentInfo.bankReferenceCodeType"} <= set(fields)


def test_max_lengths(post_invoice):
    body = make_invoice(originalInvoiceNumber="X" * 41, orderReference="R" * 71)
    body["counterParty"]["counterPartyAddress"]["name"] = "N" * 81
    body["invoiceRows"][0]["comment"] = "c" * 513
    fields = errors_of(post_invoice(body))
    assert {"originalInvoiceNumber", "orderReference", "counterParty.counterPartyAddress.name",
            "invoiceRows[0].comment"} <= set(fields)
    assert fields["originalInvoiceNumber"].startswith("FIELD_TOO_LONG")


def test_text_outside_windows_1252_is_rejected_with_the_field(post_invoice):
    body = make_invoice()
    body["invoiceRows"][0]["product"] = "Ŕuusu ೠ"
    fields = errors_of(post_invoice(body))
    assert fields["invoiceRows[0].product"].startswith("INVALID_CHARACTERS")


def test_windows_1252_characters_are_fine(post_invoice):
    body = make_invoice()
    body["invoiceRows"][0]["product"] = "Kahvi – €5 „Åäö“ œ"
    assert post_invoice(body).status_code == 200


def test_vat_percent_must_be_enabled(post_invoice):
    body = make_invoice()
    body["invoiceRows"][0]["vatPercent"] = 24
    assert errors_of(post_invoice(body))["invoiceRows[0].vatPercent"].startswith("INVALID_VAT_PERCENT")


def test_vat_status_must_exist_and_match_the_percent(post_invoice):
    assert "vatStatus" in errors_of(post_invoice(vatStatus=99))
    body = make_invoice()
    body["invoiceRows"][0]["vatStatus"] = 3  # EU sales of goods: 0 % only
    assert errors_of(post_invoice(body))["invoiceRows[0].vatStatus"] == "ERROR_VATSTATUS_VATPERC"


def test_bank_account_must_be_a_company_iban(post_invoice):
    body = make_invoice()
    body["paymentInfo"]["bankAccount"]["accountNumber"] = "FI49 5000 9420 0287 30"
    assert "paymentInfo.bankAccount.accountNumber" in errors_of(post_invoice(body))
    body["paymentInfo"]["bankAccount"] = {"accountNumber": "FI5740000010000013", "bic": "DABAFIHH"}
    assert set(errors_of(post_invoice(body))) == {"paymentInfo.bankAccount.bic"}


def test_due_date_before_invoice_date(post_invoice):
    body = make_invoice()
    body["paymentInfo"]["dueDate"] = "2025-03-09"
    response = post_invoice(body)
    assert response.status_code == 400
    assert {"status": 400, "message": "DUE_DATE_BEFORE_BILL_DATE"} in response.json()["errors"]


def test_payment_term_at_most_999_days(post_invoice):
    body = make_invoice()
    body["paymentInfo"]["dueDate"] = "2028-01-01"
    assert "paymentInfo.dueDate" in errors_of(post_invoice(body))


def test_counterparty_name_and_channel_requirements(post_invoice):
    body = make_invoice(invoiceChannel="EMAIL")
    del body["counterParty"]["counterPartyAddress"]["name"]
    fields = errors_of(post_invoice(body))
    assert {"counterParty.counterPartyAddress.name", "counterParty.email"} <= set(fields)
    body = make_invoice(invoiceChannel="ELECTRONIC_INVOICE")
    fields = errors_of(post_invoice(body))
    assert {"counterParty.einvoiceAddress.address", "counterParty.einvoiceAddress.operator"} <= set(fields)


def test_electronic_invoice_needs_street_zip_city_in_both_addresses(post_invoice):
    body = make_invoice(invoiceChannel="ELECTRONIC_INVOICE", billingAddress={"name": "Asiakas Oy"})
    body["counterParty"]["einvoiceAddress"] = {"address": "003776543212", "operator": "003721291126"}
    fields = errors_of(post_invoice(body))
    assert {"billingAddress.street", "billingAddress.zip", "billingAddress.city"} == set(fields)


def test_reference_code_check_digit(post_invoice):
    body = make_invoice()
    body["paymentInfo"]["bankReferenceCode"] = "123454"
    assert "paymentInfo.bankReferenceCode" in errors_of(post_invoice(body))
    body["paymentInfo"]["bankReferenceCode"] = "123453"
    assert post_invoice(body).json()["paymentInfo"]["bankReferenceCode"] == "123453"
    body["paymentInfo"].update(bankReferenceCode="RF18539007547034", bankReferenceCodeType="RF")
    assert post_invoice(body).status_code == 200


def test_absent_reference_code_stays_absent(post_invoice):
    body = make_invoice()
    del body["paymentInfo"]["bankReferenceCode"]
    assert "bankReferenceCode" not in post_invoice(body).json()["paymentInfo"]


def test_rows_required_and_scales(post_invoice):
    assert "invoiceRows" in errors_of(post_invoice(invoiceRows=[]))
    body = make_invoice(discountPercent=1.23456)
    body["invoiceRows"][0]["unitPrice"] = 1.23456
    fields = errors_of(post_invoice(body))
    assert {"discountPercent", "invoiceRows[0].unitPrice"} <= set(fields)


def test_currency_rate_must_be_one_for_company_currency(post_invoice):
    body = make_invoice()
    body["paymentInfo"]["currencyRate"] = 1.1
    assert "paymentInfo.currencyRate" in errors_of(post_invoice(body))


def test_closed_fiscal_period():
    company = CompanyConfig.demo()
    company.closed_before = "2025-01-01"
    config = EmulatorConfig(companies=[company], rate_limit_per_second=0)
    with make_client(config) as client:
        token = client.post("/api/oauth/token", data=DEMO_FORM).json()["access_token"]
        response = client.post("/api/invoices", json=make_invoice(date="2024-12-31"),
                               headers={"Authorization": f"Bearer {token}"})
        assert errors_of(response)["date"] == "CLOSED_FISCAL_PERIOD"


def test_malformed_json(client, auth):
    response = client.post("/api/invoices", content=b"{nope", headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["errors"][0]["status"] == 400


def test_read_only_and_unknown_fields_are_not_stored(post_invoice):
    body = make_invoice(invoiceNumber=999, id=5, accountingAccount="3000")
    body["invoiceRows"][0]["lineTotal"] = 37.5
    invoice = post_invoice(body).json()
    assert invoice["invoiceNumber"] == 1 and invoice["id"] != 5
    assert "accountingAccount" not in invoice and "lineTotal" not in invoice["invoiceRows"][0]
