"""Field checks that produce Procountor-style field errors (``{"status": 400, "field": "a.b[0].c", "message": ...}``).

Messages: documented Procountor codes where one is known (API-NOTES §4.2), the free-text "cannot be blank" wording
seen in real responses for missing values, and stable upper-case codes of the emulator's own otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.procountor.emulator.http import error_item

INVALID_CHARACTERS = "INVALID_CHARACTERS"  # text outside Windows-1252 (API-NOTES §1.3)


def join(prefix: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{prefix}[{name}]"
    return f"{prefix}.{name}" if prefix else name


class Validator:
    """Collects every error of one payload so that the response lists them all at once, like Procountor does."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def fail(self, field: str | None, message: str) -> None:
        self.errors.append(error_item(400, message, field))

    def blank(self, field: str) -> None:
        self.fail(field, f"Value of the '{field}' cannot be blank")

    # Each getter returns the parsed value, or None after recording why it is unusable.

    def obj(self, data: dict[str, Any], name: str, path: str, required: bool = False) -> dict[str, Any] | None:
        value = data.get(name)
        if value is None:
            if required:
                self.blank(path)
            return None
        if not isinstance(value, dict):
            self.fail(path, "INVALID_TYPE: an object is expected")
            return None
        return value

    def text(self, data: dict[str, Any], name: str, path: str, required: bool = False,
             max_length: int | None = None, min_length: int = 0) -> str | None:
        value = data.get(name)
        if value is None or (required and value == ""):
            if required:
                self.blank(path)
            return None
        if not isinstance(value, str):
            self.fail(path, "INVALID_TYPE: a string is expected")
            return None
        if max_length is not None and len(value) > max_length:
            self.fail(path, f"FIELD_TOO_LONG: at most {max_length} characters are allowed")
        if len(value) < min_length:
            self.fail(path, f"FIELD_TOO_SHORT: at least {min_length} characters are required")
        return value

    def enum(self, data: dict[str, Any], name: str, path: str, allowed: Iterable[str],
             required: bool = False) -> str | None:
        value = data.get(name)
        if value is None:
            if required:
                self.blank(path)
            return None
        if not isinstance(value, str) or value not in allowed:
            self.fail(path, f"INVALID_ENUM_VALUE: '{value}' is not an allowed value")
            return None
        return value

    def number(self, data: dict[str, Any], name: str, path: str, required: bool = False,
               minimum: Decimal | None = None, maximum: Decimal | None = None,
               scale: int | None = None) -> Decimal | None:
        value = data.get(name)
        if value is None:
            if required:
                self.blank(path)
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            self.fail(path, "INVALID_TYPE: a number is expected")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(path, "INVALID_TYPE: a number is expected")
            return None
        if not number.is_finite():
            self.fail(path, "INVALID_TYPE: a number is expected")
            return None
        if minimum is not None and number < minimum:
            self.fail(path, f"VALUE_TOO_SMALL: the minimum is {minimum}")
        if maximum is not None and number > maximum:
            self.fail(path, f"VALUE_TOO_LARGE: the maximum is {maximum}")
        if scale is not None and -number.as_tuple().exponent > scale and number != number.quantize(
                Decimal(1).scaleb(-scale)):
            self.fail(path, f"INVALID_SCALE: at most {scale} decimals are allowed")
        return number

    def integer(self, data: dict[str, Any], name: str, path: str, required: bool = False) -> int | None:
        value = data.get(name)
        if value is None:
            if required:
                self.blank(path)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "INVALID_TYPE: an integer is expected")
            return None
        return value

    def boolean(self, data: dict[str, Any], name: str, path: str, required: bool = False) -> bool | None:
        value = data.get(name)
        if value is None:
            if required:
                self.blank(path)
            return None
        if not isinstance(value, bool):
            self.fail(path, "INVALID_TYPE: a boolean is expected")
            return None
        return value

    def date(self, data: dict[str, Any], name: str, path: str, required: bool = False) -> date | None:
        value = data.get(name)
        if value is None:
            if required:
                self.blank(path)
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.fail(path, "INVALID_DATE: the format is YYYY-MM-DD")
            return None

    def windows_1252(self, value: Any, path: str = "") -> None:
        """Every string anywhere in the payload must be encodable in Windows-1252 (API-NOTES §1.3)."""
        if isinstance(value, str):
            try:
                value.encode("cp1252")
            except UnicodeEncodeError as exc:
                bad = value[exc.start:exc.end]
                self.fail(path or None, f"{INVALID_CHARACTERS}: '{bad}' (U+{ord(bad[0]):04X}) is not allowed; "
                                        "the allowed character set is Windows-1252")
        elif isinstance(value, dict):
            for key, item in value.items():
                self.windows_1252(item, join(path, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.windows_1252(item, join(path, index))
