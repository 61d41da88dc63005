"""The error-log HTTP API for the platform's UI, mounted on the worker's ops port.

    GET  /api/errors?tenant=&code=&status=        the log (newest failure first)
    GET  /api/errors/{tenant}/{invoice_id}[?document=true]   one record, optionally with its original document
    POST /api/errors/reprocess  {"ids": [...], "reason": "...", "dry_run": false, "force": false}   -> 202
    POST /api/errors/ignore     {"ids": [...], "reason": "..."}                                     -> 200
    GET  /errors                                  the operators' page

Every /api call needs ``Authorization: Bearer <token>``; a token is bound to a tenant (see ``tokens``). Another
tenant's record is answered 404, as if it did not exist. Ids are validated, and looked up, before anything is done:
one bad id gets 400 and one unknown id 404 for the whole request, so a request acts on all its ids or on none.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from adapters.errorlog.page import page_route
from adapters.errorlog.records import entry_to_json
from adapters.errorlog.tokens import ApiTokens
from application.error_log_actions import ActionResult, ErrorLogActions, ErrorNotFound, Outcome
from domain.error_log import ErrorStatus, InvalidErrorId, OriginalEvent, Scope, parse_error_id

MAX_BODY_BYTES = 256 * 1024
MAX_IDS = 1000
DocumentOf = Callable[[OriginalEvent | None], bytes | None]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def _error_response(error: ApiError) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="procountor-connector"'} if error.status == 401 else None
    return JSONResponse({"error": error.code, "message": error.message, **error.extra}, status_code=error.status,
                        headers=headers)


def error_log_routes(actions: ErrorLogActions, tokens: ApiTokens,
                     document_of: DocumentOf = lambda _original: None) -> list[BaseRoute]:
    def scope_of(request: Request) -> Scope:
        header = request.headers.get("authorization", "")
        scheme, _, presented = header.partition(" ")
        scope = tokens.scope_for(presented.strip()) if scheme.lower() == "bearer" else None
        if scope is None:
            raise ApiError(401, "unauthorized", "a valid bearer token is needed")
        return scope

    def endpoint(handler):
        async def wrapped(request: Request) -> Response:
            try:
                return await handler(request, scope_of(request))
            except ApiError as error:
                return _error_response(error)
        return wrapped

    async def list_errors(request: Request, scope: Scope) -> Response:
        params = request.query_params
        unknown = set(params) - {"tenant", "code", "status"}
        if unknown:
            raise ApiError(400, "bad_request", f"unknown query parameters: {sorted(unknown)}")
        tenant = params.get("tenant") or None
        if tenant and not scope.allows(tenant):
            raise ApiError(403, "forbidden", "this token may not read another tenant's errors")
        try:
            status = ErrorStatus(params["status"].upper()) if params.get("status") else None
        except ValueError:
            raise ApiError(400, "bad_request", f"status is one of {[s.value for s in ErrorStatus]}") from None
        entries = await run_in_threadpool(actions.list, scope, tenant=tenant, code=params.get("code") or None,
                                          status=status)
        return JSONResponse({"errors": [entry_to_json(e) for e in entries], "count": len(entries)})

    async def show_error(request: Request, scope: Scope) -> Response:
        error_id = f"{request.path_params['tenant']}/{request.path_params['invoice_id']}"
        with_document = request.query_params.get("document", "").lower() in ("1", "true", "yes")
        entry = await run_in_threadpool(_lookup, scope, error_id)
        data = entry_to_json(entry)
        if with_document:
            document = await run_in_threadpool(lambda: document_of(actions.originals.fetch(entry)))
            data["document"] = document.decode("utf-8", "replace") if document is not None else None
        return JSONResponse(data)

    def _lookup(scope: Scope, error_id: str):
        try:
            return actions.show(scope, error_id)
        except InvalidErrorId as exc:
            raise ApiError(400, "invalid_id", str(exc), id=error_id) from None
        except ErrorNotFound:
            raise ApiError(404, "not_found", "no such record in the error log", id=error_id) from None

    async def reprocess(request: Request, scope: Scope) -> Response:
        body = await _body(request, required=("ids",), optional=("reason", "dry_run", "force"))
        ids = _ids(body)
        dry_run, force = _flag(body, "dry_run"), _flag(body, "force")
        reason = _text(body, "reason")

        def act() -> list[ActionResult]:
            for error_id in ids:
                _lookup(scope, error_id)
            return actions.reprocess(scope, ids, reason=reason, dry_run=dry_run, force=force)

        results = await run_in_threadpool(act)
        if results and all(r.outcome is Outcome.ALREADY_REPROCESSING for r in results):
            raise ApiError(409, "already_reprocessing", "a reprocess of these records has no outcome yet",
                           results=_results_json(results))
        status = 200 if dry_run else (202 if any(r.outcome is Outcome.REPROCESSING for r in results) else 409)
        return JSONResponse({"results": _results_json(results)}, status_code=status)

    async def ignore(request: Request, scope: Scope) -> Response:
        body = await _body(request, required=("ids", "reason"), optional=("dry_run",))
        ids = _ids(body)
        reason = _text(body, "reason")
        if not reason:
            raise ApiError(400, "reason_required", "ignoring needs a reason (it goes to the audit trail)")
        dry_run = _flag(body, "dry_run")

        def act() -> list[ActionResult]:
            for error_id in ids:
                _lookup(scope, error_id)
            return actions.ignore(scope, ids, reason=reason, dry_run=dry_run)

        return JSONResponse({"results": _results_json(await run_in_threadpool(act))})

    return [
        Mount("/api/errors", routes=[
            Route("/", endpoint(list_errors), methods=["GET"]),
            Route("/reprocess", endpoint(reprocess), methods=["POST"]),
            Route("/ignore", endpoint(ignore), methods=["POST"]),
            Route("/{tenant}/{invoice_id:path}", endpoint(show_error), methods=["GET"]),
        ]),
        Route("/api/errors", endpoint(list_errors), methods=["GET"]),
        page_route(),
    ]


async def _body(request: Request, required: tuple[str, ...], optional: tuple[str, ...]) -> dict:
    if "application/json" not in request.headers.get("content-type", ""):
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "bad_json", "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body is a JSON object")
    missing = [name for name in required if name not in body]
    unknown = sorted(set(body) - set(required) - set(optional))
    if missing or unknown:
        raise ApiError(400, "bad_request", f"missing fields {missing}, unknown fields {unknown}")
    return body


def _ids(body: dict) -> list[str]:
    ids = body["ids"]
    if not isinstance(ids, list) or not ids or len(ids) > MAX_IDS or not all(isinstance(i, str) for i in ids):
        raise ApiError(400, "bad_request", f"ids is a list of 1 to {MAX_IDS} 'tenant/invoice_id' strings")
    for error_id in ids:
        try:
            parse_error_id(error_id)
        except InvalidErrorId as exc:
            raise ApiError(400, "invalid_id", str(exc), id=error_id) from None
    return list(dict.fromkeys(ids))


def _flag(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ApiError(400, "bad_request", f"{name} is true or false")
    return value


def _text(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or len(value) > 1000):
        raise ApiError(400, "bad_request", f"{name} is a string of at most 1000 characters")
    return value.strip() if value else None


def _results_json(results: list[ActionResult]) -> list[dict]:
    return [{"id": r.key, "outcome": r.outcome.value, "ok": r.ok, "detail": r.detail} for r in results]
