"""Read-only company data: ``/company``, ``/vats/default``, ``/bankaccounts``, ``/coa``, ``/businesspartners``,
``/currencies``, ``/currencies/company``, ``/currencies/exchangerate``, ``/fiscalyears``, ``/ledgerreceipts/{ids}``,
``/sessioninfo`` and the public ``/status`` (API-NOTES §2.4–2.6)."""

from __future__ import annotations

import zlib
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from starlette.requests import Request
from starlette.responses import Response

from adapters.procountor.emulator.enums import CURRENCIES
from adapters.procountor.emulator.http import ApiError, json_response, page_params, parse_ids, search_result
from adapters.procountor.emulator.products import company_of

API_VERSION = "26.04"
RATE_TYPES = frozenset({"PROCOUNTOR_ACCOUNTING_EXCHANGE_RATE", "ACCOUNT_CURRENCY_AVERAGE_RATE",
                        "ACCOUNT_CURRENCY_BUYING_RATE", "ACCOUNT_CURRENCY_SELLING_RATE", "CASH_BUYING_RATE",
                        "CASH_CURRENCY_SALE_EXCHANGE_RATE"})
# Units of currency per 1 EUR; other currencies get a stable pseudo-rate derived from their code.
UNITS_PER_EUR = {"EUR": Decimal(1), "USD": Decimal("1.085"), "SEK": Decimal("11.45"), "NOK": Decimal("11.70"),
                 "DKK": Decimal("7.46"), "GBP": Decimal("0.855"), "CHF": Decimal("0.96"), "JPY": Decimal("162.5"),
                 "PLN": Decimal("4.30")}
OFFERED_CURRENCIES = ("EUR", "USD", "SEK", "NOK", "DKK", "GBP", "CHF", "JPY", "PLN")


def units_per_eur(code: str) -> Decimal:
    return UNITS_PER_EUR.get(code) or Decimal(zlib.crc32(code.encode()) % 5000 + 50) / 100


async def status(request: Request) -> Response:
    return json_response({"name": "Procountor API (emulator)", "version": API_VERSION, "status": "OK",
                          "procountorVersion": API_VERSION})


async def company_info(request: Request) -> Response:
    c = company_of(request)
    return json_response({
        "id": c.company_id, "name": c.config.name, "country": c.country, "productVersion": "BACKOFFICE",
        "operationType": "DEMONSTRATION", "companyCurrency": c.currency,
        "businessIdentifier": {"brnType": "FI" if c.country == "FINLAND" else "YHD", "code": c.config.business_id},
        "companyAddress": {"street": "Emulaattorinkatu 1", "zip": "00100", "city": "Helsinki", "country": c.country},
        "billingAddress": {"street": "Emulaattorinkatu 1", "zip": "00100", "city": "Helsinki", "country": c.country},
        "currencyRateSearchDensity": "DAILY_EXCHANGE_RATE", "mva": False, "inTradeRegister": True})


async def session_info(request: Request) -> Response:
    c = company_of(request)
    return json_response({"companyId": c.company_id, "name": c.config.name, "country": c.country,
                          "productVersion": "BACKOFFICE", "userId": 1, "userName": "API User"})


async def vats_default(request: Request) -> Response:
    c = company_of(request)
    percents = sorted(c.vat_percents, reverse=True)
    return json_response({
        "vatInformation": [{"country": c.country.capitalize(),
                            "percentages": [{"vatPercent": p, "sales": True, "purchase": True} for p in percents]}],
        "vatStatuses": [{"vatStatus": s["vatStatus"], "description": s.get("description", ""),
                         "sales": bool(s.get("sales")), "purchase": bool(s.get("purchase"))}
                        for s in c.vat_statuses.values()]})


async def bank_accounts(request: Request) -> Response:
    size, page = page_params(request)
    accounts = company_of(request).bank_accounts
    return json_response(search_result(accounts[page * size:(page + 1) * size], size, page, len(accounts)))


async def chart_of_accounts(request: Request) -> Response:
    return json_response({"ledgerAccounts": [{"ledgerAccountCode": code, "name": name, "active": True}
                                             for code, name in company_of(request).accounts.items()]})


async def business_partners(request: Request) -> Response:
    size, page = page_params(request)
    q = request.query_params
    name, identifier = request.headers.get("name"), request.headers.get("identifier")
    found = [p for p in company_of(request).partners.values()
             if (q.get("type") is None or p["type"] == q["type"])
             and (q.get("customerNumber") is None or p["invoicingInfo"]["customerNumber"] == q["customerNumber"])
             and (name is None or name.lower() in p["name"].lower())
             and (identifier is None or p["invoicingInfo"]["identifier"] == identifier)]
    return json_response(search_result(found[page * size:(page + 1) * size], size, page, len(found)))


async def business_partner(request: Request) -> Response:
    ids = parse_ids(request.path_params["ids"])
    partners = company_of(request).partners
    found = [partners[i] for i in ids if i in partners]
    if not found:
        raise ApiError(404, "Business partner not found.")
    return json_response(found[0] if len(ids) == 1 else found)


async def currencies(request: Request) -> Response:
    return json_response({"currencies": list(OFFERED_CURRENCIES)})


async def company_currency(request: Request) -> Response:
    return json_response({"companyCurrency": company_of(request).currency})


async def exchange_rate(request: Request) -> Response:
    q = request.query_params
    for name in ("baseCurrency", "currency", "day", "rateType"):
        if not q.get(name):
            raise ApiError(400, f"Value of the '{name}' cannot be blank", field=name)
    if q["rateType"] not in RATE_TYPES:
        raise ApiError(400, f"INVALID_ENUM_VALUE: '{q['rateType']}' is not an allowed value", field="rateType")
    for name in ("baseCurrency", "currency"):
        if q[name] not in CURRENCIES:
            raise ApiError(404, "Exchange rate was not found for provided currency.", field=name)
    try:
        day = date.fromisoformat(q["day"])
    except ValueError as exc:
        raise ApiError(400, "INVALID_DATE: the format is YYYY-MM-DD", field="day") from exc
    rate = (units_per_eur(q["currency"]) / units_per_eur(q["baseCurrency"])).quantize(
        Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return json_response({"queryDay": day.isoformat(), "currency": q["currency"], "day": day.isoformat(),
                          "rate": rate})


async def fiscal_years(request: Request) -> Response:
    c = company_of(request)
    today = date.today()
    years = []
    for year in range(today.year - 2, today.year + 2):
        is_open = c.closed_before is None or date(year, 12, 31) >= c.closed_before
        periods = [{"id": year * 100 + m, "startDate": date(year, m, 1).isoformat(),
                    "endDate": (date(year + (m == 12), m % 12 + 1, 1).toordinal() - 1),
                    "status": "OPEN" if c.closed_before is None or date(year + (m == 12), m % 12 + 1, 1) >
                    c.closed_before else "CLOSED"} for m in range(1, 13)]
        for period in periods:
            period["endDate"] = date.fromordinal(period["endDate"]).isoformat()
        years.append({"id": year, "startDate": f"{year}-01-01", "endDate": f"{year}-12-31", "isOpen": is_open,
                      "trackingPeriods": periods})
    return json_response({"fiscalYears": years})


async def ledger_receipts(request: Request) -> Response:
    ids = parse_ids(request.path_params["ids"])
    company = company_of(request)
    with request.app.state.emulator.lock:
        found = [company.ledger_receipts[i] for i in ids if i in company.ledger_receipts]
    if not found:
        raise ApiError(404, "Ledger receipt not found.")
    return json_response(found[0] if len(ids) == 1 else found)
