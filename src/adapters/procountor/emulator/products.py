"""Product register (API-NOTES §2.3): ``GET /products`` (substring ``code``/``name``), ``GET /products/{ids}``,
``POST /products``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from adapters.procountor.emulator.enums import CURRENCIES, UNITS
from adapters.procountor.emulator.http import (
    ApiError,
    errors_response,
    json_response,
    page_params,
    parse_ids,
    read_json,
    search_result,
    timestamp,
)
from adapters.procountor.emulator.state import CompanyState, EmulatorState
from adapters.procountor.emulator.validation import Validator

PRODUCT_TYPES = frozenset({"PURCHASE", "SALES", "TRAVEL"})
LANGUAGES = frozenset({"DANISH", "ENGLISH", "ESTONIAN", "FINNISH", "NORWEGIAN", "SWEDISH"})


def validate_product(body: Any, company: CompanyState) -> list[dict[str, Any]]:
    v = Validator()
    if not isinstance(body, dict):
        v.fail(None, "INVALID_TYPE: a Product object is expected")
        return v.errors
    v.windows_1252(body)
    v.enum(body, "type", "type", PRODUCT_TYPES, required=True)
    v.text(body, "name", "name", required=True, max_length=100)
    v.text(body, "code", "code", max_length=40)
    v.enum(body, "unit", "unit", UNITS)
    v.number(body, "discount", "discount", required=True, minimum=Decimal(0), maximum=Decimal(100))
    v.number(body, "price", "price", required=True)
    vat = v.number(body, "vat", "vat")
    if vat is not None and vat.normalize() not in company.vat_percents:
        v.fail("vat", f"INVALID_VAT_PERCENT: {vat} is not in use in this company")
    v.boolean(body, "active", "active", required=True)
    v.enum(body, "currency", "currency", CURRENCIES, required=True)
    account = v.text(body, "defaultAccount", "defaultAccount")
    if account is not None and account not in company.accounts:
        v.fail("defaultAccount", "LEDGER_ACCOUNT_NOT_FOUND")
    status = v.integer(body, "vatStatus", "vatStatus")
    if status is not None and status not in company.vat_statuses:
        v.fail("vatStatus", f"INVALID_VAT_STATUS: {status} is not enabled in this company")
    v.integer(body, "productGroupId", "productGroupId")
    for i, item in enumerate(body.get("productLocalizations") or []):
        if isinstance(item, dict):
            v.enum(item, "language", f"productLocalizations[{i}].language", LANGUAGES, required=True)
            v.text(item, "productName", f"productLocalizations[{i}].productName", max_length=100)
    return v.errors


def store_product(company: CompanyState, body: dict[str, Any]) -> dict[str, Any]:
    product_id = company.next_id("product")
    product = {k: v for k, v in body.items() if k not in ("id", "version")}
    product.update(id=product_id, version=timestamp())
    for name in ("price", "discount", "vat"):
        if product.get(name) is not None:
            product[name] = Decimal(str(product[name]))
    company.products[product_id] = product
    return product


def seed_products(company: CompanyState) -> None:
    for raw in company.config.products:
        errors = validate_product(raw, company)
        if errors:
            raise ValueError(f"invalid seed product for company {company.key}: {errors}")
        store_product(company, raw)


def company_of(request: Request) -> CompanyState:
    state: EmulatorState = request.app.state.emulator
    return state.companies[request.scope["emulator.company"]]


def _view(product: dict[str, Any], localizations: bool) -> dict[str, Any]:
    return product if localizations else {k: v for k, v in product.items() if k != "productLocalizations"}


def _flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    return None if raw is None else raw.lower() == "true"


async def list_products(request: Request) -> Response:
    q = request.query_params
    size, page = page_params(request)
    kind = q.get("type")
    if kind is not None and kind not in PRODUCT_TYPES:
        raise ApiError(400, f"INVALID_ENUM_VALUE: '{kind}' is not an allowed value", field="type")
    types = {kind} if kind else {"SALES", "PURCHASE"}
    code, name, active = q.get("code"), q.get("name"), _flag(request, "active")
    if code is not None and len(code) > 40:
        raise ApiError(400, "FIELD_TOO_LONG: at most 40 characters are allowed", field="code")
    groups = {int(g) for g in q.get("group", "").split(",") if g.strip().isdigit()}
    descending = q.get("orderById", "ASC").upper() == "DESC"
    previous = int(q.get("previousId") or 0)
    company = company_of(request)
    with request.app.state.emulator.lock:
        matches = [p for p in company.products.values() if p["type"] in types
                   # Real Procountor matches code and name by substring; clients must filter exactly themselves.
                   and (code is None or code.lower() in (p.get("code") or "").lower())
                   and (name is None or name.lower() in p["name"].lower())
                   and (active is None or p["active"] == active)
                   and (not groups or p.get("productGroupId") in groups)]
    matches.sort(key=lambda p: p["id"], reverse=descending)
    if previous:
        matches = [p for p in matches if (p["id"] < previous if descending else p["id"] > previous)]
    localizations = bool(_flag(request, "includeLocalizations"))
    items = [_view(p, localizations) for p in matches[page * size:(page + 1) * size]]
    return json_response(search_result(items, size, page, len(matches)))


async def get_products(request: Request) -> Response:
    ids = parse_ids(request.path_params["ids"])
    company = company_of(request)
    localizations = bool(_flag(request, "includeLocalizations"))
    with request.app.state.emulator.lock:
        found = [_view(company.products[i], localizations) for i in ids if i in company.products]
    if not found:
        raise ApiError(404, "Product not found.")
    return json_response(found[0] if len(ids) == 1 else found)


async def create_product(request: Request) -> Response:
    body = await read_json(request)
    company = company_of(request)
    with request.app.state.emulator.lock:
        errors = validate_product(body, company)
        if errors:
            return errors_response(400, errors)
        product = store_product(company, body)
    return json_response(product)
