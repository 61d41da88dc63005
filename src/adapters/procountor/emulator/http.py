"""JSON in and out the way Procountor does it: decimals stay exact, errors are ``{"errors": [...]}``."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response


class ApiError(Exception):
    """Raised by handlers; rendered as ``{"errors": [{status, field?, message}]}`` with ``status`` as HTTP status."""

    def __init__(self, status: int, message: str, field: str | None = None,
                 errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors if errors is not None else [error_item(status, message, field)]
        self.headers = headers or {}


def error_item(status: int, message: str, field: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"status": status}
    if field is not None:
        item["field"] = field
    item["message"] = message
    return item


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # A JSON number, not a string: Procountor's JSON carries numbers. float() of a short decimal is exact enough
        # for printing (repr gives the shortest round-tripping form), and clients parse with parse_float=Decimal.
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data: Any) -> bytes:
    return json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(data), status_code=status, headers=headers, media_type="application/json")


def errors_response(status: int, errors: list[dict[str, Any]], headers: dict[str, str] | None = None) -> Response:
    return json_response({"errors": errors}, status=status, headers=headers)


def error_response(status: int, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    return errors_response(status, [error_item(status, message, field)], headers)


async def read_json(request: Request) -> Any:
    body = await request.body()
    try:
        return json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"Malformed JSON request body: {exc}") from exc


def timestamp(moment: datetime | None = None) -> str:
    """Procountor datetimes: ``2017-09-27T12:12:42``, seconds, no zone."""
    return (moment or datetime.now()).strftime("%Y-%m-%dT%H:%M:%S")


def parse_ids(raw: str, limit: int = 200) -> list[int]:
    """``/invoices/{ids}`` batch syntax: comma-separated ids, at most 200 (more → 400)."""
    parts = [p for p in raw.split(",") if p.strip()]
    if len(parts) > limit:
        raise ApiError(400, f"Too many ids: at most {limit} are allowed")
    try:
        return sorted({int(p) for p in parts})
    except ValueError as exc:
        raise ApiError(400, f"Invalid id list '{raw}'") from exc


def page_params(request: Request) -> tuple[int, int]:
    """``size`` (default 50, max 200) and ``page`` (default 0)."""
    try:
        size = int(request.query_params.get("size", 50))
        page = int(request.query_params.get("page", 0))
    except ValueError as exc:
        raise ApiError(400, "size and page must be integers") from exc
    if not 1 <= size <= 200:
        raise ApiError(400, "size must be between 1 and 200", field="size")
    if page < 0:
        raise ApiError(400, "page must not be negative", field="page")
    return size, page


def search_result(items: list[dict[str, Any]], size: int, page: int, total: int) -> dict[str, Any]:
    return {"results": items, "meta": {"pageNumber": page, "pageSize": size, "resultCount": len(items),
                                       "totalCount": total}}
