"""Hostile and broken input: every case is refused with a stable code, fast, and without leaking content."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

import pytest

from adapters.ubl.parser import UblInvoiceParser
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from domain.errors import DocumentError

SECRET = "TOP-SECRET-4f9a1c-do-not-leak"


@pytest.fixture(scope="module")
def parser() -> UblInvoiceParser:
    return UblInvoiceParser()


@pytest.fixture(scope="module")
def valid() -> bytes:
    return render_ubl(sample_invoice("HOSTILE-1", 3))


@contextmanager
def under_one_second():
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"took {elapsed:.3f} s"


def refused(parser: UblInvoiceParser, data: bytes) -> DocumentError:
    with under_one_second(), pytest.raises(DocumentError) as caught:
        parser.parse(data)
    return caught.value


def _everything_said(error: DocumentError) -> str:
    return " ".join([str(error), error.message, repr(error)] + [f.message for f in error.field_errors])


def test_xxe_local_file_is_refused_without_leaking(parser, tmp_path, valid):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET)
    doctype = f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "{secret_file.as_uri()}">]>'.encode()
    body = valid.replace(b"<cbc:Note>Kiitos tilauksestanne!</cbc:Note>", b"<cbc:Note>&xxe;</cbc:Note>")
    data = body.replace(b"?>", b"?>" + doctype, 1)
    error = refused(parser, data)
    assert error.code == "UBL_DTD_FORBIDDEN"
    assert SECRET not in _everything_said(error)


def test_xxe_in_utf16_is_refused(parser, tmp_path, valid):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET)
    text = valid.decode("utf-8").replace("encoding='UTF-8'", "encoding='UTF-16'")
    text = text.replace("?>", f'?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "{secret_file.as_uri()}">]>', 1)
    error = refused(parser, text.encode("utf-16"))
    assert error.code == "UBL_DTD_FORBIDDEN"
    assert SECRET not in _everything_said(error)


def test_billion_laughs(parser):
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    data = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><Invoice>&lol9;</Invoice>'.encode()
    assert refused(parser, data).code == "UBL_DTD_FORBIDDEN"


def test_external_dtd(parser):
    data = b'<?xml version="1.0"?><!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd"><Invoice/>'
    assert refused(parser, data).code == "UBL_DTD_FORBIDDEN"


def test_doctype_after_comment_is_still_found(parser):
    data = b'<?xml version="1.0"?><!-- hello --><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    assert refused(parser, data).code == "UBL_DTD_FORBIDDEN"


def test_fifty_megabytes_is_too_large(parser, valid):
    data = valid + b" " * (50 * 1024 * 1024)
    assert refused(parser, data).code == "UBL_TOO_LARGE"


def test_size_limit_is_configurable(valid):
    assert refused(UblInvoiceParser(max_bytes=1000), valid).code == "UBL_TOO_LARGE"


def test_ten_thousand_deep_nesting(parser):
    data = b"<Invoice>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</Invoice>"
    assert refused(parser, data).code == "UBL_TOO_DEEP"


def test_default_depth_limit_is_libxml2s_own(parser, valid):
    # The default relies on libxml2's own nesting limit (256 without huge_tree), which costs nothing.
    for depth in (300, 255):  # the Note is at depth 2, so 255 levels below it make 257
        deep = b"<cbc:Note>" + b"<x>" * depth + b"</x>" * depth + b"</cbc:Note>"
        data = valid.replace(b"<cbc:Note>Kiitos tilauksestanne!</cbc:Note>", deep)
        assert refused(parser, data).code == "UBL_TOO_DEEP"


def test_depth_limit_below_libxml2s_own(valid):
    deep = b"<cbc:Note>" + b"<x>" * 100 + b"</x>" * 100 + b"</cbc:Note>"
    data = valid.replace(b"<cbc:Note>Kiitos tilauksestanne!</cbc:Note>", deep)
    assert refused(UblInvoiceParser(max_depth=64), data).code == "UBL_TOO_DEEP"
    assert refused(UblInvoiceParser(max_depth=5), valid).code == "UBL_TOO_DEEP"


def test_random_binary(parser):
    data = os.urandom(4096)
    # ~0.4% of random blocks hold a "<!D"/"<!E"-like sequence that the DTD pre-scan refuses first: also a refusal
    assert refused(parser, data).code in {"UBL_NOT_XML", "UBL_MALFORMED", "UBL_ENCODING", "UBL_DTD_FORBIDDEN"}
    assert refused(parser, b"\x89PNG\r\n\x1a\n" + os.urandom(100)).code == "UBL_NOT_XML"


def test_empty(parser):
    assert refused(parser, b"").code == "UBL_EMPTY"
    assert refused(parser, b"  \n\t ").code == "UBL_EMPTY"


@pytest.mark.parametrize("cut", [0.25, 0.5, 0.99])
def test_truncated(parser, valid, cut):
    assert refused(parser, valid[: int(len(valid) * cut)]).code == "UBL_MALFORMED"


def test_wrong_encoding(parser, valid):
    data = valid.replace(b"Kiitos", b"Kiitos \xff\xfe")
    assert refused(parser, data).code == "UBL_ENCODING"
    assert refused(parser, b'<?xml version="1.0" encoding="no-such-charset"?><Invoice/>').code == "UBL_ENCODING"


def test_wrong_root(parser):
    data = b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>'
    assert refused(parser, data).code == "UBL_WRONG_ROOT"
    assert refused(parser, b"<Invoice><ID>1</ID></Invoice>").code == "UBL_WRONG_ROOT"  # no UBL namespace


def test_utf16_twin_parses_equal(parser, valid):
    text = valid.decode("utf-8").replace("encoding='UTF-8'", "encoding='UTF-16'")
    for encoded in (text.encode("utf-16"), text.encode("utf-16-le"), b"\xef\xbb\xbf" + valid):
        with under_one_second():
            assert parser.parse(encoded) == parser.parse(valid)


def test_utf16_without_declaration(parser, valid):
    body = valid.decode("utf-8").split("?>", 1)[1]
    with under_one_second():
        assert parser.parse(body.encode("utf-16")) == parser.parse(valid)
