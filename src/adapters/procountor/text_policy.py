"""Text that goes to Procountor: Windows-1252 only, within the field's length limit, and never changed silently.

Procountor accepts UTF-8 but only characters of Windows-1252 (API-NOTES §1.3, §6.9). UBL text is full Unicode, so:

1. NFKC folds compatibility forms (ligatures, full-width letters, superscripts) to plain characters;
2. a character still outside cp1252 is transliterated: its NFKD base letters without combining marks (``Ŕ`` -> ``R``,
   ``ő`` keeps ``o``), then a small table for letters that do not decompose (``ł`` -> ``l``), then ``?``;
3. a text longer than the field allows is cut and ends with ``…`` (a cp1252 character) so a reader sees the cut.

Every change is recorded as a ``MappingWarning`` naming the Procountor field, so the operator can see what the
customer's document said and what Procountor shows.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from dataclasses import dataclass
from encodings.cp1252 import encoding_table

ELLIPSIS = "…"

# Letters and symbols without a useful NFKD decomposition, and invisible characters that are better dropped.
_TRANSLITERATIONS: dict[str, str] = {
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h", "Ħ": "H", "ŋ": "ng", "Ŋ": "NG", "ŧ": "t", "Ŧ": "T",
    "ĸ": "k", "ŀ": "l", "Ŀ": "L", "ə": "e", "Ə": "E", "ß": "ss",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2015": "-", "\u2212": "-", "\u2043": "-",
    "\u2009": " ", "\u200a": " ", "\u2002": " ", "\u2003": " ", "\u202f": " ", "\u2007": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
    "\u2032": "'", "\u2033": '"', "\u2044": "/", "\u2116": "No", "\u2192": "->", "\u2190": "<-",
}
REPLACEMENT = "?"


@dataclass(frozen=True)
class MappingWarning:
    """Something the mapping changed or decided on its own, with the Procountor field it concerns."""

    field: str
    code: str  # TEXT_TRANSLITERATED, TEXT_TRUNCATED, UNIT_FALLBACK, COUNTRY_UNKNOWN, ...
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def is_cp1252(text: str) -> bool:
    if text.isascii():  # cp1252 maps all of ASCII to itself
        return True
    try:  # what ``text.encode("cp1252")`` does, without the codec look-up by name on every call
        codecs.charmap_encode(text, "strict", encoding_table)
    except UnicodeEncodeError:
        return False
    return True


def _transliterate_char(ch: str) -> str:
    if ch in _TRANSLITERATIONS:
        return _TRANSLITERATIONS[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and is_cp1252(base):
        return base
    return REPLACEMENT


def to_cp1252(text: str) -> tuple[str, list[str]]:
    """``(clean text, [changed characters])``; the list is empty when the text was already Windows-1252."""
    if is_cp1252(text):
        return text, []
    folded = unicodedata.normalize("NFKC", text)
    out, changed = [], []
    for ch in folded:
        if is_cp1252(ch):
            out.append(ch)
        else:
            out.append(_transliterate_char(ch))
            changed.append(ch)
    if not changed:  # NFKC alone was enough, e.g. a ligature; still a change the operator should see
        changed = [ch for ch in text if not is_cp1252(ch)]
    return "".join(out), changed


class TextPolicy:
    """Collects the warnings of one mapping run. ``clean`` is the single entrance for every text field."""

    def __init__(self) -> None:
        self.warnings: list[MappingWarning] = []

    def warn(self, field: str, code: str, message: str) -> None:
        self.warnings.append(MappingWarning(field, code, message))

    def clean(self, value: str | None, field: str, max_length: int | None = None) -> str | None:
        """``value`` in Windows-1252 and at most ``max_length`` characters; ``None`` and blank stay ``None``."""
        if value is None:
            return None
        text = value.strip()
        if not text:
            return None
        # Most texts need no change; row_mapping and party_mapping repeat this test inline, before building the
        # field name, so keep the three in step.
        if (max_length is None or len(text) <= max_length) and (text.isascii() or is_cp1252(text)):
            return text
        text, changed = to_cp1252(text)
        if changed:
            shown = "".join(dict.fromkeys(changed))[:20]
            self.warn(field, "TEXT_TRANSLITERATED",
                      f"characters outside Windows-1252 replaced: {shown!r} (original {value[:80]!r})")
        if max_length is not None and len(text) > max_length:
            self.warn(field, "TEXT_TRUNCATED",
                      f"{len(text)} characters cut to Procountor's limit of {max_length} "
                      f"(lost: {text[max_length - 1:][:80]!r})")
            text = text[: max_length - 1].rstrip() + ELLIPSIS
        return text

    def identifier(self, value: str, field: str, max_length: int) -> str:
        """An identifier that must stay unique and stable (``originalInvoiceNumber``, the idempotency key): when too
        long it is shortened to a prefix plus a hash of the whole value instead of being cut, so two long numbers
        that share a prefix never collide. Deterministic, so a look-up computes the same value."""
        text, changed = to_cp1252(value.strip())
        if not changed and len(text) <= max_length:
            return text
        # Transliteration can make two numbers equal and cutting can too: the hash of the original keeps them apart.
        digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]
        short = text[: max_length - 9] + "~" + digest
        why = "has characters outside Windows-1252" if changed else f"is longer than {max_length} characters"
        self.warn(field, "TEXT_SHORTENED", f"{value!r} {why}; stored as {short!r}")
        return short
