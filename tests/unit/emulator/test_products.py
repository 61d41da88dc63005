from __future__ import annotations

PRODUCT = {"type": "SALES", "name": "Widget XL", "code": "WID-10", "unit": "PIECE", "price": 20, "vat": 25.5,
           "discount": 0, "active": True, "currency": "EUR", "defaultAccount": "3020", "vatStatus": 1}


def codes(response):
    assert response.status_code == 200, response.text
    return [p["code"] for p in response.json()["results"]]


def test_code_is_a_substring_match_like_the_real_api(client, auth):
    assert client.post("/api/products", json=PRODUCT, headers=auth).status_code == 200
    assert codes(client.get("/api/products", params={"code": "WID-1"}, headers=auth)) == ["WID-1", "WID-10"]
    assert codes(client.get("/api/products", params={"code": "ID-10"}, headers=auth)) == ["WID-10"]
    assert codes(client.get("/api/products", params={"name": "widget"}, headers=auth)) == ["WID-1", "WID-10"]


def test_type_filter_defaults_to_sales_and_purchase(client, auth):
    client.post("/api/products", json={**PRODUCT, "type": "PURCHASE", "code": "BUY-1"}, headers=auth)
    client.post("/api/products", json={**PRODUCT, "type": "TRAVEL", "code": "TRV-1"}, headers=auth)
    assert "TRV-1" not in codes(client.get("/api/products", headers=auth))
    assert codes(client.get("/api/products", params={"type": "TRAVEL"}, headers=auth)) == ["TRV-1"]
    assert codes(client.get("/api/products", params={"type": "PURCHASE"}, headers=auth)) == ["BUY-1"]
    assert client.get("/api/products", params={"type": "X"}, headers=auth).status_code == 400


def test_paging_with_previous_id_and_size(client, auth):
    for i in range(5):
        client.post("/api/products", json={**PRODUCT, "code": f"P-{i}"}, headers=auth)
    first = client.get("/api/products", params={"size": 3, "orderById": "ASC"}, headers=auth).json()
    assert first["meta"]["resultCount"] == 3 and first["meta"]["pageSize"] == 3
    last_id = first["results"][-1]["id"]
    rest = client.get("/api/products", params={"size": 3, "previousId": last_id}, headers=auth).json()
    assert [p["id"] for p in rest["results"]] == sorted(p["id"] for p in rest["results"])
    assert all(p["id"] > last_id for p in rest["results"]) and rest["meta"]["resultCount"] == 3
    assert client.get("/api/products", params={"size": 201}, headers=auth).status_code == 400


def test_get_by_id_and_batch(client, auth):
    created = client.post("/api/products", json=PRODUCT, headers=auth).json()
    assert client.get(f"/api/products/{created['id']}", headers=auth).json() == created
    batch = client.get(f"/api/products/{created['id']},2001,999999", headers=auth).json()
    assert isinstance(batch, list) and [p["id"] for p in batch] == [2001, created["id"]]
    assert client.get("/api/products/999999", headers=auth).status_code == 404


def test_product_validation(client, auth):
    response = client.post("/api/products", json={**PRODUCT, "name": "n" * 101, "unit": "EA", "vat": 24,
                                                   "defaultAccount": "9999", "currency": "ABC"}, headers=auth)
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "unit", "vat", "defaultAccount", "currency"} <= fields
