"""Hardened XML parsing for documents from outside: nothing is fetched, expanded or trusted.

A UBL invoice never needs a DTD, so any ``<!DOCTYPE``/``<!ENTITY`` is refused *before* libxml2 sees the bytes (a
scan of the prolog for ASCII-compatible encodings, a whole-document search for the UTF-16/32 spellings). That turns
XXE, external DTDs and entity expansion ("billion laughs") into one cheap ``UBL_DTD_FORBIDDEN`` instead of relying
on parser flags alone; the flags (no entity resolution, no DTD loading, no network, no huge trees) and a post-parse
doctype check stay as a second line. Size and nesting depth are limited too: libxml2 itself refuses elements nested
deeper than 256 levels when ``huge_tree`` is off (``xmlParserMaxDepth``; checked once at import), so the default
limit costs nothing; a lower ``max_depth`` is enforced by an extra XPath pass over the tree (~7 % of the parse
time). Error messages carry positions and libxml2 error names, never the document's text, so nothing a hostile
document pulls in can leak into logs.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from domain.errors import DocumentError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
LIBXML2_MAX_DEPTH = 256  # libxml2's own nesting limit without XML_PARSE_HUGE
DEFAULT_MAX_DEPTH = LIBXML2_MAX_DEPTH

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
INVOICE_ROOT = f"{{{INVOICE_NS}}}Invoice"
CREDIT_NOTE_ROOT = f"{{{CREDIT_NOTE_NS}}}CreditNote"
UBL_ROOTS = frozenset({INVOICE_ROOT, CREDIT_NOTE_ROOT})

_WIDE_FORBIDDEN_MARKUP = tuple(
    marker.encode(codec)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")
_WHITESPACE = b" \t\r\n"
# "<" in UTF-8/ASCII (and UTF-16-LE, where it is "<\x00"), UTF-16-BE and UTF-32-BE, after optional whitespace.
_MARKUP_START = re.compile(rb"[ \t\r\n]*(?:<|\x00<|\x00\x00\x00<)")
_ENCODING_ERRORS = frozenset({"ERR_UNSUPPORTED_ENCODING", "ERR_INVALID_ENCODING", "ERR_UNKNOWN_ENCODING"})
_depth_probes: dict[int, etree.XPath] = {}
_local = threading.local()


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)  # one per thread: an lxml parser must not be shared across threads
    if parser is None:
        parser = _local.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
            remove_comments=True, remove_pis=True,
        )
    return parser


def _libxml2_limits_depth() -> bool:
    """Does this libxml2 refuse a document one level deeper than LIBXML2_MAX_DEPTH (and accept one that deep)?"""
    parser = etree.XMLParser(huge_tree=False, resolve_entities=False, no_network=True, load_dtd=False)
    def nested(depth: int) -> bytes:
        return b"<a>" * depth + b"</a>" * depth
    try:
        etree.fromstring(nested(LIBXML2_MAX_DEPTH), parser)
    except etree.XMLSyntaxError:
        return False
    try:
        etree.fromstring(nested(LIBXML2_MAX_DEPTH + 1), parser)
    except etree.XMLSyntaxError:
        return True
    return False


# A max_depth at or above this needs no XPath probe: libxml2 has refused anything deeper already.
_PROBE_FREE_FROM = LIBXML2_MAX_DEPTH if _libxml2_limits_depth() else float("inf")


def _has_dtd(data: bytes) -> bool:
    """Does the prolog (everything before the root element) declare anything? A DOCTYPE, and the ENTITY
    declarations inside it, can only appear there, so only the prolog is scanned: O(prolog), not O(document).
    UTF-16/32 input (NUL bytes up front) is searched as a whole for the wide spellings instead."""
    head = data[:4]
    if b"\x00" in head or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return any(marker in data for marker in _WIDE_FORBIDDEN_MARKUP)
    find = data.find
    pos = 0
    while True:
        lt = find(b"<", pos)
        if lt < 0:
            return False
        follower = data[lt + 1:lt + 2]
        if follower == b"?":  # XML declaration or processing instruction
            end = find(b"?>", lt + 2)
        elif follower == b"!":
            if data.startswith(b"<!--", lt):
                end = find(b"-->", lt + 4)
            else:
                return True  # <!DOCTYPE, <!ENTITY, or other declaration markup
        else:
            return False  # the root element starts: the prolog is over
        if end < 0:
            return False  # unterminated prolog markup: the parser reports it as malformed
        pos = end + 2


def _depth_probe(max_depth: int) -> etree.XPath:
    # "Is there an element at depth max_depth + 1?" evaluated by libxml2 level by level: the node sets of a normal
    # document die out after ~10 steps, so this costs about one C-level pass over the tree.
    probe = _depth_probes.get(max_depth)
    if probe is None:
        probe = _depth_probes[max_depth] = etree.XPath("boolean(/*" + "/*" * max_depth + ")")
    return probe


def _fail(code: str, message: str) -> DocumentError:
    return DocumentError(code=code, message=message)


def _looks_like_markup(data: bytes) -> bool:
    """Does markup start within the first 4 KB (after a BOM or whitespace), in any of XML's encodings?"""
    return data.startswith(_BOMS) or _MARKUP_START.match(data, 0, 4096) is not None


def _is_blank(data: bytes) -> bool:
    for bom in _BOMS:
        if data.startswith(bom):
            data = data[len(bom):]
            break
    return not data.strip(_WHITESPACE + b"\x00")


def parse_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH,
              roots: frozenset[str] = UBL_ROOTS) -> etree._Element:
    """Parse untrusted bytes into an element tree or raise :class:`DocumentError` with a ``UBL_*`` code."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    elif not isinstance(data, bytes):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    size = len(data)
    if size > max_bytes:
        raise _fail("UBL_TOO_LARGE", f"document is {size} bytes, the limit is {max_bytes}")
    if size == 0:
        raise _fail("UBL_EMPTY", "document is empty")
    if _has_dtd(data):
        raise _fail("UBL_DTD_FORBIDDEN", "document contains a DOCTYPE or ENTITY declaration; DTDs are refused")
    if not _looks_like_markup(data):
        if _is_blank(data):
            raise _fail("UBL_EMPTY", "document is empty")
        raise _fail("UBL_NOT_XML", "document is not XML (it does not start with markup)")

    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _classify(exc, data) from None
    except (ValueError, LookupError) as exc:  # e.g. an encoding lxml cannot handle at the Python level
        raise _fail("UBL_ENCODING", f"document encoding cannot be read ({type(exc).__name__})") from None

    if root.getroottree().docinfo.doctype:
        raise _fail("UBL_DTD_FORBIDDEN", "document has a DOCTYPE declaration; DTDs are refused")
    if max_depth < _PROBE_FREE_FROM and _depth_probe(max_depth)(root):
        raise _fail("UBL_TOO_DEEP", f"document nests elements deeper than {max_depth} levels")
    tag = root.tag
    if tag not in roots:
        shown = tag if isinstance(tag, str) else "?"
        raise _fail("UBL_WRONG_ROOT", f"root element is {shown[:200]!r}, expected a UBL 2.1 Invoice or CreditNote")
    return root


def _classify(exc: etree.XMLSyntaxError, data: bytes) -> DocumentError:
    last = exc.error_log.last_error if exc.error_log else None
    type_name = last.type_name if last is not None else "ERR_UNKNOWN"
    text = str(exc)
    line, column = (exc.position or (0, 0))
    where = f"line {line}, column {column}"
    if type_name == "ERR_RESOURCE_LIMIT" or "XML_PARSE_HUGE" in text:
        if "depth" in text.lower():
            return _fail("UBL_TOO_DEEP", f"document nests elements too deeply ({where})")
        return _fail("UBL_TOO_LARGE", f"document exceeds a parser limit, e.g. a text node over 10 MB ({where})")
    if type_name in _ENCODING_ERRORS or "encoding" in text.lower():
        return _fail("UBL_ENCODING", f"document bytes do not match its character encoding ({type_name}, {where})")
    if type_name == "ERR_DOCUMENT_EMPTY":
        if _is_blank(data):
            return _fail("UBL_EMPTY", "document is empty")
        return _fail("UBL_NOT_XML", f"document is not XML ({type_name}, {where})")
    if "DOCTYPE" in text or "ENTITY" in text or type_name.startswith("ERR_ENTITY"):
        return _fail("UBL_DTD_FORBIDDEN", "document uses DTD or entity markup; DTDs are refused")
    return _fail("UBL_MALFORMED", f"document is not well-formed XML ({type_name}, {where})")
