"""Check requests against the reconstructed Procountor OpenAPI document (``../shared/procountor/``).

Reusable by every contract test (client, invoice mapper, emulator):

* ``assert_matches_request_schema(path, method, body)``: JSON-Schema validation of a request body (types, enums,
  required, lengths, formats) **plus** ``assert_known_properties`` — the spec never says
  ``additionalProperties: false``, so plain validation would accept a misspelt field name, which is the main contract
  risk; the walker rejects every property the schema does not declare.
* ``assert_known_properties(schema_name, body)``: only the unknown-property walk, for a named component schema.
* ``assert_query_matches(path, method, params)``: every query parameter is declared for the operation, required ones
  are present, and each value (comma-separated for arrays) fits its schema.
* ``assert_request_matches(request)``: all of the above for a recorded ``httpx.Request``.

OpenAPI 3.0 → JSON Schema 2020-12: ``#/components/schemas/X`` → ``#/$defs/X``; ``nullable: true`` → ``"null"``
added to ``type`` (the reconstruction carries no nullability, see API-NOTES, so ``allow_null=True`` can make every
typed schema nullable); boolean ``exclusiveMinimum/Maximum`` → numeric; ``example``, ``deprecated`` and
``discriminator`` are dropped.
Formats are checked the Procountor way: ``date`` is ``YYYY-MM-DD``, ``date-time`` is ``YYYY-MM-DDTHH:MM:SS`` with no
zone (API-NOTES §1.3), ``int32``/``int64`` are range-checked.
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

import jsonschema

from tests.conftest import SHARED

SPEC_PATH = SHARED / "procountor" / "openapi-reconstructed.json"
_SCHEMA_REF = "#/components/schemas/"
_DROPPED = {"example", "examples", "deprecated", "discriminator", "xml", "externalDocs", "nullable"}

FORMAT_CHECKER = jsonschema.FormatChecker(formats=())


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not YYYY-MM-DD")
    date.fromisoformat(value)
    return True


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_procountor_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?", value):
        raise ValueError("not YYYY-MM-DDTHH:MM:SS without a zone")
    datetime.fromisoformat(value)
    return True


@FORMAT_CHECKER.checks("int32")
def _is_int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@FORMAT_CHECKER.checks("int64")
def _is_int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


@FORMAT_CHECKER.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or "@" in value


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def components() -> dict[str, Any]:
    return load_spec()["components"]["schemas"]


# -- OpenAPI 3.0 → JSON Schema ---------------------------------------------------------------------------------


def to_json_schema(node: Any, *, allow_null: bool = False) -> Any:
    if isinstance(node, list):
        return [to_json_schema(n, allow_null=allow_null) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED:
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith(_SCHEMA_REF):
            out[key] = "#/$defs/" + value[len(_SCHEMA_REF):]
        elif key in ("properties", "$defs", "patternProperties"):
            out[key] = {name: to_json_schema(sub, allow_null=allow_null) for name, sub in value.items()}
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if value and bound in node:
                out[key] = node[bound]
        else:
            out[key] = to_json_schema(value, allow_null=allow_null)
    if "exclusiveMinimum" in out and out.get("minimum") == out["exclusiveMinimum"]:
        out.pop("minimum")
    if "exclusiveMaximum" in out and out.get("maximum") == out["exclusiveMaximum"]:
        out.pop("maximum")
    if node.get("nullable") is True or (allow_null and "type" in out):
        if "type" in out:
            out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def json_schema(schema: Mapping[str, Any], *, allow_null: bool = False) -> dict[str, Any]:
    """A self-contained JSON Schema for an OpenAPI schema object (all components available as ``$defs``)."""
    result = to_json_schema(copy.deepcopy(dict(schema)), allow_null=allow_null)
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    result["$defs"] = to_json_schema(components(), allow_null=allow_null)
    return result


def schema_named(name: str) -> dict[str, Any]:
    if name not in components():
        raise AssertionError(f"no schema {name!r} in the spec")
    return {"$ref": _SCHEMA_REF + name}


# -- operations ------------------------------------------------------------------------------------------------


def find_operation(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The spec's path template and operation for a concrete (``/invoices/12``) or template path."""
    paths = load_spec()["paths"]
    if path in paths and method.lower() in paths[path]:
        return path, paths[path][method.lower()]
    candidates = []
    for template, item in paths.items():
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "/?$"
        if re.match(pattern, path) and method.lower() in item:
            candidates.append((template.count("{"), template, item[method.lower()]))
    if not candidates:
        raise AssertionError(f"{method.upper()} {path} is not an operation of the Procountor spec")
    _, template, operation = min(candidates)  # literal segments win over {params}
    return template, operation


def request_body_schema(path: str, method: str, content_type: str = "application/json") -> dict[str, Any]:
    template, operation = find_operation(method, path)
    body = operation.get("requestBody")
    if not body or content_type not in body.get("content", {}):
        raise AssertionError(f"{method.upper()} {template} takes no {content_type} body")
    return body["content"][content_type]["schema"]


# -- assertions ------------------------------------------------------------------------------------------------


def validation_errors(schema: Mapping[str, Any], instance: Any, *, allow_null: bool = False) -> list[str]:
    validator = jsonschema.Draft202012Validator(json_schema(schema, allow_null=allow_null),
                                                format_checker=FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{_where(e.absolute_path)}: {e.message}" for e in errors]


def unknown_properties(schema: Mapping[str, Any], instance: Any, where: str = "$") -> list[str]:
    """Paths of properties present in ``instance`` but not declared by ``schema`` (walking $ref/allOf/items)."""
    schema = _resolve(schema)
    found: list[str] = []
    branches = schema.get("oneOf") or schema.get("anyOf")
    if branches:
        results = [unknown_properties(b, instance, where) for b in branches]
        return [] if any(not r for r in results) else results[0]
    if isinstance(instance, Mapping):
        properties, additional = _object_shape(schema)
        for key, value in instance.items():
            if key in properties:
                found += unknown_properties(properties[key], value, f"{where}.{key}")
            elif isinstance(additional, Mapping):
                found += unknown_properties(additional, value, f"{where}.{key}")
            elif additional is not True and properties or additional is not True and _declares_object(schema):
                found.append(f"{where}.{key}")
    elif isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            found += unknown_properties(schema["items"], item, f"{where}[{index}]")
    return found


def assert_known_properties(schema_name: str, body: Any) -> None:
    unknown = unknown_properties(schema_named(schema_name), body)
    assert not unknown, f"properties not in the Procountor {schema_name} schema: {unknown}"


def assert_matches_request_schema(path: str, method: str, body: Any, *, content_type: str = "application/json",
                                  allow_null: bool = False) -> None:
    schema = request_body_schema(path, method, content_type)
    problems = validation_errors(schema, body, allow_null=allow_null)
    problems += [f"{p}: not in the schema" for p in unknown_properties(schema, body)]
    assert not problems, f"{method.upper()} {path} body breaks the Procountor contract:\n  " + "\n  ".join(problems)


def assert_query_matches(path: str, method: str, params: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
    template, operation = find_operation(method, path)
    declared = {p["name"]: p for p in operation.get("parameters", []) if p.get("in") == "query"}
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    problems = []
    names = [name for name, _ in pairs]
    for name, raw in pairs:
        if name not in declared:
            problems.append(f"{name}: not a query parameter of {method.upper()} {template}")
            continue
        if names.count(name) > 1:
            problems.append(f"{name}: repeated; Procountor wants comma-separated lists")
        parameter = declared[name]
        value = _query_value(parameter["schema"], raw, explode=parameter.get("explode", True))
        problems += [f"{name}={raw!r} {p}" for p in validation_errors(parameter["schema"], value)]
    for name, parameter in declared.items():
        if parameter.get("required") and name not in names:
            problems.append(f"{name}: required query parameter missing")
    assert not problems, f"{method.upper()} {path} query breaks the Procountor contract:\n  " + "\n  ".join(problems)


def multipart_parts(content_type: str, content: bytes) -> dict[str, tuple[str | None, str, bytes]]:
    """``{part name: (filename, content type, bytes)}`` of a multipart body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + content)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True) or b"")
    return parts


def assert_request_matches(request: Any, *, api_prefix: str = "/api") -> None:
    """Validate a recorded ``httpx.Request``: operation, query parameters and body (JSON, form or multipart)."""
    path = request.url.path.removeprefix(api_prefix)
    method = request.method
    find_operation(method, path)
    assert_query_matches(path, method, list(request.url.params.multi_items()))
    content_type = request.headers.get("content-type", "")
    request.read()  # a streamed (multipart) request not yet sent through a transport
    if not request.content:
        return
    if content_type.startswith("application/json"):
        assert_matches_request_schema(path, method, json.loads(request.content, parse_float=Decimal))
    elif content_type.startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
        assert_matches_request_schema(path, method, form, content_type="application/x-www-form-urlencoded")
    elif content_type.startswith("multipart/form-data"):
        schema = _resolve(request_body_schema(path, method, "multipart/form-data"))
        parts = multipart_parts(content_type, request.content)
        missing = set(schema.get("required", [])) - set(parts)
        extra = set(parts) - set(schema.get("properties", {}))
        assert not missing and not extra, f"multipart parts: missing {missing}, unknown {extra}"
        for name, (_, part_type, payload) in parts.items():
            if part_type == "application/json":
                meta = json.loads(payload, parse_float=Decimal)
                problems = validation_errors(schema["properties"][name], meta)
                problems += unknown_properties(schema["properties"][name], meta, name)
                assert not problems, f"multipart part {name!r} breaks the contract: {problems}"
    else:
        raise AssertionError(f"unexpected request content type {content_type!r}")


# -- helpers ---------------------------------------------------------------------------------------------------


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    seen = 0
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith(_SCHEMA_REF), f"unsupported $ref {ref}"
        schema = components()[ref[len(_SCHEMA_REF):]]
        seen += 1
        assert seen < 50, "circular $ref"
    return schema


def _object_shape(schema: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    properties: dict[str, Any] = dict(schema.get("properties", {}))
    additional = schema.get("additionalProperties")
    for sub in schema.get("allOf", []):
        sub_properties, sub_additional = _object_shape(_resolve(sub))
        properties.update(sub_properties)
        additional = additional if additional is not None else sub_additional
    return properties, additional


def _declares_object(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "object" and "additionalProperties" not in schema and bool(
        schema.get("properties") or schema.get("allOf"))


def _query_value(schema: Mapping[str, Any], raw: str, *, explode: bool) -> Any:
    schema = _resolve(schema)
    if schema.get("type") == "array":
        items = raw.split(",") if not explode else [raw]
        return [_query_value(schema.get("items", {}), item, explode=True) for item in items]
    kind = schema.get("type")
    try:
        if kind == "integer" and re.fullmatch(r"-?\d+", raw):
            return int(raw)
        if kind == "number":
            return Decimal(raw)
        if kind == "boolean" and raw in ("true", "false"):
            return raw == "true"
    except ArithmeticError:
        pass
    return raw  # left as text: validation reports the type mismatch


def _where(path: Iterable[Any]) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
