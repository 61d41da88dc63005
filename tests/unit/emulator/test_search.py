from __future__ import annotations

from tests.unit.emulator.samples import make_invoice


def test_find_by_original_invoice_number(client, auth, post_invoice):
    for number in ("A-1", "A-10", "B-2"):
        post_invoice(originalInvoiceNumber=number)
    found = client.get("/api/invoices", params={"originalInvoiceNumber": "A-1", "types": "SALES_INVOICE"},
                       headers=auth).json()
    assert [r["originalInvoiceNumber"] for r in found["results"]] == ["A-1"]
    basic = found["results"][0]
    assert {"id", "invoiceNumber", "status", "date", "dueDate", "created", "version", "invoiceSumInfo",
            "counterParty"} <= set(basic)


def test_filters_and_paging(client, auth, post_invoice):
    ids = [post_invoice(date=f"2025-03-{day:02d}", originalInvoiceNumber=f"N-{day}").json()["id"]
           for day in (10, 11, 12, 13)]
    window = client.get("/api/invoices", params={"startDate": "2025-03-11", "endDate": "2025-03-12"},
                        headers=auth).json()
    assert sorted(r["id"] for r in window["results"]) == ids[1:3]
    assert client.get("/api/invoices", params={"status": "SENT"}, headers=auth).json()["results"] == []
    assert client.get("/api/invoices", params={"status": "UNFINISHED,SENT"}, headers=auth).json()["meta"][
        "resultCount"] == 4
    assert client.get("/api/invoices", params={"status": "WHATEVER"}, headers=auth).status_code == 400
    default = client.get("/api/invoices", headers=auth).json()
    assert [r["id"] for r in default["results"]] == sorted(ids, reverse=True)
    page = client.get("/api/invoices", params={"orderById": "ASC", "size": 2, "previousId": ids[0]},
                      headers=auth).json()
    assert [r["id"] for r in page["results"]] == ids[1:3]
    assert client.get("/api/invoices", params={"searchTerm": "asiakas"}, headers=auth).json()["meta"][
        "resultCount"] == 4


def test_batch_get_and_not_found(client, auth, post_invoice):
    first, second = post_invoice().json(), post_invoice(body=make_invoice()).json()
    batch = client.get(f"/api/invoices/{second['id']},{first['id']}", headers=auth).json()
    assert [i["id"] for i in batch] == [first["id"], second["id"]]
    assert client.get("/api/invoices/1", headers=auth).status_code == 404
    too_many = ",".join(str(i) for i in range(201))
    assert client.get(f"/api/invoices/{too_many}", headers=auth).status_code == 400


def test_invoices_are_private_to_their_company(client, auth, post_invoice):
    invoice = post_invoice().json()
    client.post("/_emulator/companies", json={"key": "other", "client_id": "o", "client_secret": "o",
                                               "api_key": "o-key"})
    token = client.post("/api/oauth/token", data={"grant_type": "client_credentials", "client_id": "o",
                                                  "client_secret": "o", "api_key": "o-key"}).json()["access_token"]
    other = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/invoices/{invoice['id']}", headers=other).status_code == 404
    assert client.get("/api/invoices", headers=other).json()["results"] == []
