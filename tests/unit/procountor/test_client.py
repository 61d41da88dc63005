"""ProcountorClient against an in-memory fake Procountor (httpx.MockTransport): auth, retries, classification,
secrecy, paging and rate limiting."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import httpx
import pytest
from structlog.testing import capture_logs

from adapters.procountor.client import ProcountorClient
from adapters.procountor.rate_limit import RateLimiter, RateLimiterRegistry, shared_rate_limiter
from domain.connection import ProcountorCredentials
from domain.errors import FailureClass, ProcountorError

from .fake_procountor import API_KEY, CLIENT_ID, CLIENT_SECRET, FakeProcountor

CREDENTIALS = ProcountorCredentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, api_key=API_KEY)


class CountingLimiter:
    def __init__(self) -> None:
        self.acquired = 0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            self.acquired += 1


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake() -> FakeProcountor:
    return FakeProcountor()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_client(fake: FakeProcountor, sleeps: list[float] | None = None, **kwargs) -> ProcountorClient:
    options = dict(rate_limiter=CountingLimiter(), transport=fake.transport(), max_attempts=4, max_backoff=0.5,
                   backoff_base=0.01, sleep=(sleeps.append if sleeps is not None else lambda s: None))
    options.update(kwargs)
    return ProcountorClient("http://procountor.test/api", CREDENTIALS, **options)


def assert_no_secret(text: str, tokens: set[str] = frozenset()) -> None:
    for secret in (CLIENT_SECRET, API_KEY, *tokens):
        assert secret not in text


# -- authentication --------------------------------------------------------------------------------------------


def test_token_is_requested_with_a_form_body_and_cached(fake: FakeProcountor) -> None:
    client = make_client(fake)
    client.get_company()
    client.get_company()
    assert len(fake.token_requests) == 1
    assert fake.token_requests[0] == {"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                      "client_secret": CLIENT_SECRET, "api_key": API_KEY}
    token_call = fake.calls("POST", "/oauth/token")[0]
    assert token_call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert token_call.url.query == b""  # credentials in the query string are refused since API 23.09


def test_token_is_renewed_after_it_expires(fake: FakeProcountor) -> None:
    clock = FakeClock()
    client = make_client(fake, clock=clock)
    client.get_company()
    clock.now += 3600 - 60 - 1
    client.get_company()
    assert len(fake.token_requests) == 1
    clock.now += 2  # within the 60 s safety margin: fetch a new one before Procountor rejects it
    client.get_company()
    assert len(fake.token_requests) == 2


def test_a_401_renews_the_token_once_and_resends(fake: FakeProcountor) -> None:
    client = make_client(fake)
    client.get_company()
    fake.expire_all_tokens()
    assert client.get_company()["name"] == "Demo Oy"
    assert len(fake.token_requests) == 2


def test_a_second_401_is_a_connection_error(fake: FakeProcountor) -> None:
    client = make_client(fake)
    fake.script("GET", "/company", 401, 401)
    with pytest.raises(ProcountorError) as caught:
        client.get_company()
    assert caught.value.code == "PROCOUNTOR_AUTH"
    assert caught.value.failure_class is FailureClass.CONNECTION
    assert caught.value.http_status == 401
    assert len(fake.token_requests) == 2
    assert len(fake.calls("GET", "/company")) == 2


def test_a_post_refused_with_401_is_resent_with_a_new_token(fake: FakeProcountor) -> None:
    client = make_client(fake)
    fake.script("POST", "/invoices", 401)
    saved = client.post_invoice({"type": "SALES_INVOICE", "originalInvoiceNumber": "A-1"})
    assert saved["id"] == 1000
    assert len(fake.calls("POST", "/invoices")) == 2


@pytest.mark.parametrize("status,body", [
    (400, {"error": "invalid_grant", "error_description": "api key revoked"}),
    (401, {"errors": [{"status": 401, "message": "Unauthorized"}]}),
])
def test_refused_credentials_are_a_connection_error(fake: FakeProcountor, status: int, body: dict) -> None:
    fake.token_status = (status, body)
    client = make_client(fake)
    with pytest.raises(ProcountorError) as caught:
        client.verify()
    assert caught.value.code == "PROCOUNTOR_AUTH"
    assert caught.value.failure_class is FailureClass.CONNECTION
    assert caught.value.http_status == status
    assert len(fake.token_requests) == 1  # a refusal is not retried


def test_concurrent_threads_share_one_token_fetch() -> None:
    fake = FakeProcountor(token_delay=0.05)
    client = make_client(fake)
    barrier = threading.Barrier(16)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            client.get_company()
        except BaseException as exc:  # noqa: BLE001 - pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(fake.token_requests) == 1
    assert len(fake.calls("GET", "/company")) == 16


def test_concurrent_401s_cause_one_renewal(fake: FakeProcountor) -> None:
    client = make_client(fake)
    client.get_company()
    fake.expire_all_tokens()
    barrier = threading.Barrier(12)

    def work() -> None:
        barrier.wait()
        client.get_company()

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fake.token_requests) == 2


def test_verify_fetches_a_fresh_token_and_returns_the_company(fake: FakeProcountor) -> None:
    client = make_client(fake)
    client.get_company()
    assert client.verify()["id"] == 1234
    assert len(fake.token_requests) == 2


# -- retries ---------------------------------------------------------------------------------------------------


def test_5xx_on_get_is_retried_with_capped_backoff(fake: FakeProcountor, sleeps: list[float]) -> None:
    client = make_client(fake, sleeps)
    fake.script("GET", "/company", 503, 502)
    assert client.get_company()["id"] == 1234
    assert len(fake.calls("GET", "/company")) == 3
    assert len(sleeps) == 2 and all(0 <= s <= 0.5 for s in sleeps)


def test_5xx_beyond_retries_is_unavailable(fake: FakeProcountor, sleeps: list[float]) -> None:
    client = make_client(fake, sleeps)
    fake.script("GET", "/company", *[httpx.Response(500, text="<html><title>500 Internal Server Error</title>")] * 4)
    with pytest.raises(ProcountorError) as caught:
        client.get_company()
    assert caught.value.code == "PROCOUNTOR_UNAVAILABLE"
    assert caught.value.failure_class is FailureClass.TRANSIENT
    assert caught.value.http_status == 500
    assert "500 Internal Server Error" in caught.value.message
    assert len(fake.calls("GET", "/company")) == 4


def test_429_honours_retry_after_capped_at_max_backoff(fake: FakeProcountor, sleeps: list[float]) -> None:
    client = make_client(fake, sleeps, max_backoff=5)
    fake.script("GET", "/company", httpx.Response(429, headers={"Retry-After": "2"}),
                httpx.Response(429, headers={"Retry-After": "120"}))
    assert client.get_company()["id"] == 1234
    assert sleeps[0] >= 2
    assert sleeps[1] == 5


def test_429_beyond_retries_is_rate_limited(fake: FakeProcountor, sleeps: list[float]) -> None:
    client = make_client(fake, sleeps)
    fake.script("GET", "/company", *[httpx.Response(429)] * 4)
    with pytest.raises(ProcountorError) as caught:
        client.get_company()
    assert (caught.value.code, caught.value.failure_class, caught.value.http_status) == (
        "PROCOUNTOR_RATE_LIMITED", FailureClass.TRANSIENT, 429)


def test_a_throttled_post_invoice_is_resent(fake: FakeProcountor, sleeps: list[float]) -> None:
    client = make_client(fake, sleeps)
    fake.script("POST", "/invoices", httpx.Response(429, headers={"Retry-After": "0"}))
    assert client.post_invoice({"type": "SALES_INVOICE"})["id"] == 1000
    assert len(fake.calls("POST", "/invoices")) == 2


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError])
def test_read_failures_on_get_are_retried(fake: FakeProcountor, failure: type) -> None:
    client = make_client(fake)
    fake.script("GET", "/company", failure)
    assert client.get_company()["id"] == 1234


def test_network_failure_beyond_retries_is_a_network_error(fake: FakeProcountor) -> None:
    client = make_client(fake)
    fake.script("GET", "/company", *[httpx.ConnectError] * 4)
    with pytest.raises(ProcountorError) as caught:
        client.get_company()
    assert (caught.value.code, caught.value.failure_class, caught.value.http_status) == (
        "PROCOUNTOR_NETWORK", FailureClass.TRANSIENT, None)


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.WriteTimeout])
def test_post_invoice_is_not_resent_after_the_request_may_have_arrived(fake: FakeProcountor, failure: type) -> None:
    client = make_client(fake)
    fake.script("POST", "/invoices", failure)
    with pytest.raises(ProcountorError) as caught:
        client.post_invoice({"type": "SALES_INVOICE"})
    assert caught.value.code == "OUTCOME_UNKNOWN"
    assert caught.value.failure_class is FailureClass.TRANSIENT
    assert len(fake.calls("POST", "/invoices")) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_post_invoice_5xx_is_outcome_unknown(fake: FakeProcountor, status: int) -> None:
    client = make_client(fake)
    fake.script("POST", "/invoices", status)
    with pytest.raises(ProcountorError) as caught:
        client.post_invoice({"type": "SALES_INVOICE"})
    assert (caught.value.code, caught.value.http_status) == ("OUTCOME_UNKNOWN", status)
    assert len(fake.calls("POST", "/invoices")) == 1


@pytest.mark.parametrize("call", [
    lambda c: c.create_product({"type": "SALES", "name": "X"}),
    lambda c: c.upload_attachment({"referenceType": "INVOICE", "referenceId": 1, "sendWithInvoice": False},
                                  "a.pdf", b"%PDF", "application/pdf"),
])
def test_other_creating_posts_are_not_resent_either(fake: FakeProcountor, call) -> None:
    client = make_client(fake)
    fake.script("POST", "/products", httpx.ReadTimeout)
    fake.script("POST", "/attachments", httpx.ReadTimeout)
    with pytest.raises(ProcountorError) as caught:
        call(client)
    assert caught.value.code == "OUTCOME_UNKNOWN"
    assert len(fake.calls("POST", "/products")) + len(fake.calls("POST", "/attachments")) == 1


def test_post_invoice_is_resent_after_a_connect_error(fake: FakeProcountor) -> None:
    client = make_client(fake)
    fake.script("POST", "/invoices", httpx.ConnectError, httpx.ConnectTimeout)
    assert client.post_invoice({"type": "SALES_INVOICE"})["id"] == 1000
    assert len(fake.calls("POST", "/invoices")) == 3
    assert len(fake.invoices) == 1


def test_token_request_is_retried_on_5xx(fake: FakeProcountor) -> None:
    client = make_client(fake)
    fake.script("POST", "/oauth/token", 503)
    assert client.get_company()["id"] == 1234


# -- classification --------------------------------------------------------------------------------------------


def test_validation_errors_become_field_errors(fake: FakeProcountor) -> None:
    client = make_client(fake)
    fake.script("POST", "/invoices", httpx.Response(400, json={"errors": [
        {"status": 400, "field": "invoiceRows[3].vatStatus", "message": "ERROR_VATSTATUS_VATPERC"},
        {"status": 400, "message": "DUE_DATE_BEFORE_BILL_DATE"},
        {"status": 400, "field": "deliveryAddress.country", "message": "Value of the 'deliveryAddress.country' "
                                                                        "cannot be blank"},
    ]}))
    with pytest.raises(ProcountorError) as caught:
        client.post_invoice({"type": "SALES_INVOICE"})
    error = caught.value
    assert (error.code, error.failure_class, error.http_status) == ("PROCOUNTOR_VALIDATION", FailureClass.PERMANENT,
                                                                    400)
    assert [(f.field, f.message, f.rule) for f in error.field_errors] == [
        ("invoiceRows[3].vatStatus", "ERROR_VATSTATUS_VATPERC", "ERROR_VATSTATUS_VATPERC"),
        ("", "DUE_DATE_BEFORE_BILL_DATE", "DUE_DATE_BEFORE_BILL_DATE"),
        ("deliveryAddress.country", "Value of the 'deliveryAddress.country' cannot be blank", None),
    ]
    assert "invoiceRows[3].vatStatus: ERROR_VATSTATUS_VATPERC" in error.message
    assert len(fake.calls("POST", "/invoices")) == 1


@pytest.mark.parametrize("status,code,failure_class", [
    (422, "PROCOUNTOR_VALIDATION", FailureClass.PERMANENT),
    (403, "PROCOUNTOR_FORBIDDEN", FailureClass.CONNECTION),
    (404, "PROCOUNTOR_NOT_FOUND", FailureClass.PERMANENT),
    (409, "PROCOUNTOR_CONFLICT", FailureClass.PERMANENT),
    (418, "PROCOUNTOR_REJECTED", FailureClass.PERMANENT),
])
def test_error_statuses_are_classified(fake: FakeProcountor, status: int, code: str,
                                       failure_class: FailureClass) -> None:
    client = make_client(fake)
    fake.script("GET", "/invoices/5", status)
    with pytest.raises(ProcountorError) as caught:
        client.get_invoice(5)
    assert (caught.value.code, caught.value.failure_class, caught.value.http_status) == (code, failure_class, status)
    assert len(fake.calls("GET", "/invoices/5")) == 1


def test_unreadable_success_of_a_post_is_outcome_unknown(fake: FakeProcountor) -> None:
    client = make_client(fake)
    fake.script("POST", "/invoices", httpx.Response(200, text="<html>ok</html>"))
    with pytest.raises(ProcountorError) as caught:
        client.post_invoice({"type": "SALES_INVOICE"})
    assert caught.value.code == "OUTCOME_UNKNOWN"


def test_errors_pickle_for_the_dead_letter_path(fake: FakeProcountor) -> None:
    import pickle

    client = make_client(fake)
    fake.script("GET", "/company", 404)
    with pytest.raises(ProcountorError) as caught:
        client.get_company()
    assert pickle.loads(pickle.dumps(caught.value)).code == "PROCOUNTOR_NOT_FOUND"


# -- secrecy ---------------------------------------------------------------------------------------------------


def test_secrets_never_reach_exceptions_or_logs(fake: FakeProcountor) -> None:
    client = make_client(fake)
    client.get_company()
    token = next(iter(fake.valid_tokens))
    echo = f"client_secret={CLIENT_SECRET} api_key={API_KEY} Authorization: Bearer {token} raw {token}"
    fake.script("POST", "/invoices", httpx.Response(400, json={"errors": [{"status": 400, "field": echo,
                                                                           "message": echo}]}))
    fake.script("GET", "/company", *[httpx.Response(503, text=echo)] * 4)
    fake.script("GET", "/invoices/1", httpx.Response(403, text=echo))
    with capture_logs() as logs:
        caught = []
        for call in (lambda: client.post_invoice({"type": "SALES_INVOICE"}), client.get_company,
                     lambda: client.get_invoice(1)):
            with pytest.raises(ProcountorError) as info:
                call()
            caught.append(info.value)
        fake.token_status = (401, {"message": echo})
        fake.expire_all_tokens()
        client._session.tokens.invalidate()
        with pytest.raises(ProcountorError) as info:
            client.get_company()
        caught.append(info.value)
    assert [e.code for e in caught] == ["PROCOUNTOR_VALIDATION", "PROCOUNTOR_UNAVAILABLE", "PROCOUNTOR_FORBIDDEN",
                                        "PROCOUNTOR_AUTH"]
    for error in caught:
        assert_no_secret(str(error) + repr(error) + repr(error.field_errors), {token})
    assert logs and all(entry["log_level"] == "debug" for entry in logs)
    assert_no_secret(repr(logs), {token})
    assert_no_secret(repr(client) + str(client.credentials) + repr(client.credentials) + repr(client._session)
                     + repr(client._session.tokens), {token})


def test_one_debug_event_per_attempt(fake: FakeProcountor) -> None:
    client = make_client(fake)
    fake.script("GET", "/invoices/7", 503)
    fake.script("GET", "/invoices/7", httpx.Response(200, json={"id": 7}))
    with capture_logs() as logs:
        client.get_invoice(7)
    requests = [e for e in logs if e["event"] == "procountor_request"]
    assert [(e["method"], e["path"], e["status"], e["attempt"]) for e in requests] == [
        ("POST", "/oauth/token", 200, 1), ("GET", "/invoices/{invoiceId}", 503, 1),
        ("GET", "/invoices/{invoiceId}", 200, 2)]
    assert all(isinstance(e["duration_ms"], float) for e in requests)
    assert all(set(e) <= {"event", "log_level", "method", "path", "status", "attempt", "duration_ms", "error"}
               for e in requests)


def test_on_request_hook_sees_every_attempt(fake: FakeProcountor) -> None:
    seen: list[tuple[str, str, int]] = []
    client = make_client(fake, on_request=lambda m, p, s: seen.append((m, p, s)))
    fake.script("GET", "/company", httpx.ConnectError)
    client.get_company()
    assert seen == [("POST", "/oauth/token", 200), ("GET", "/company", 0), ("GET", "/company", 200)]


# -- endpoints -------------------------------------------------------------------------------------------------


def test_search_products_follows_paging_and_filters_exactly(fake: FakeProcountor) -> None:
    fake.products = [{"id": i, "code": "AB-1" if i % 2 else "AB-12", "name": f"p{i}"} for i in range(1, 451)]
    client = make_client(fake)
    found = client.search_products("AB-1")
    assert len(found) == 225 and {p["code"] for p in found} == {"AB-1"}
    pages = fake.calls("GET", "/products")
    assert [r.url.params.get("previousId") for r in pages] == [None, "200", "400"]
    assert all(r.url.params["orderById"] == "ASC" and r.url.params["size"] == "200" for r in pages)
    assert pages[0].url.params["type"] == "SALES"
    assert len(client.search_products("AB-1", exact=False)) == 450


def test_search_invoices_encodes_filters(fake: FakeProcountor) -> None:
    client = make_client(fake)
    client.search_invoices(types=["SALES_INVOICE", "PURCHASE_INVOICE"], status=("UNFINISHED",),
                           start_date=date(2024, 9, 1), endDate=date(2024, 9, 30), is_offer=False)
    params = fake.calls("GET", "/invoices")[0].url.params
    assert params["types"] == "SALES_INVOICE,PURCHASE_INVOICE"
    assert (params["startDate"], params["endDate"], params["isOffer"]) == ("2024-09-01", "2024-09-30", "false")
    with pytest.raises(ValueError):
        client.search_invoices(original_number="X")  # typo: not a spec parameter


def test_find_invoices_by_original_number_compares_exactly(fake: FakeProcountor) -> None:
    fake.invoices = [{"id": 1, "originalInvoiceNumber": "INV-1"}, {"id": 2, "originalInvoiceNumber": "INV-10"},
                     {"id": 3, "originalInvoiceNumber": "inv-1"}, {"id": 4, "originalInvoiceNumber": "INV-1",
                                                                   "status": "INVALIDATED"}]
    client = make_client(fake)
    found = client.find_invoices_by_original_number("INV-1", start_date=date(2024, 1, 1), end_date=date(2024, 1, 31))
    assert [i["id"] for i in found] == [1, 4]
    params = fake.calls("GET", "/invoices")[0].url.params
    assert params["originalInvoiceNumber"] == "INV-1" and params["types"] == "SALES_INVOICE"
    assert (params["startDate"], params["endDate"]) == ("2024-01-01", "2024-01-31")


def test_post_invoice_sends_decimals_exactly_and_reads_them_back(fake: FakeProcountor) -> None:
    client = make_client(fake)
    saved = client.post_invoice({"type": "SALES_INVOICE", "date": date(2024, 9, 1),
                                 "invoiceRows": [{"unitPrice": Decimal("12.3400"), "vatPercent": Decimal("25.5")}]})
    sent = fake.calls("POST", "/invoices")[0]
    assert sent.headers["content-type"] == "application/json"
    assert b'"unitPrice": 12.3400' in sent.content and b'"date": "2024-09-01"' in sent.content
    assert saved["invoiceRows"][0]["vatPercent"] == Decimal("25.5")


def test_upload_attachment_sends_meta_and_file_parts(fake: FakeProcountor) -> None:
    client = make_client(fake)
    client.upload_attachment({"referenceType": "INVOICE", "referenceId": 1000, "sendWithInvoice": False},
                             "invoice.pdf", b"%PDF-1.7 bytes", "application/pdf")
    request = fake.calls("POST", "/attachments")[0]
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.content
    assert b'name="meta"\r\nContent-Type: application/json\r\n\r\n{"name": "invoice.pdf", "mimeType": ' \
           b'"application/pdf", "referenceType": "INVOICE", "referenceId": 1000, "sendWithInvoice": false}' in body
    assert b'name="file"; filename="invoice.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7 bytes' in body


def test_too_large_attachment_is_refused_before_sending(fake: FakeProcountor) -> None:
    client = make_client(fake)
    with pytest.raises(ProcountorError) as caught:
        client.upload_attachment({"referenceType": "INVOICE", "referenceId": 1, "sendWithInvoice": False},
                                 "big.pdf", b"x" * 10_000_001, "application/pdf")
    assert caught.value.failure_class is FailureClass.PERMANENT
    assert fake.calls("POST", "/attachments") == []


def test_get_attachment_reads_multipart_mixed(fake: FakeProcountor) -> None:
    body = (b"--b1\r\nContent-Type: application/json\r\n\r\n{\"id\": 9, \"name\": \"a.txt\"}\r\n"
            b"--b1\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"a.txt\"\r\n\r\nhello"
            b"\r\n--b1--\r\n")
    fake.script("GET", "/attachments/9", httpx.Response(200, content=body,
                                                        headers={"Content-Type": "multipart/mixed; boundary=b1"}))
    fake.script("GET", "/attachments/10", httpx.Response(200, json={"id": 10, "name": "b.pdf"}))
    client = make_client(fake)
    assert client.get_attachment(9) == {"id": 9, "name": "a.txt", "content": b"hello"}
    assert client.get_attachment(10) == {"id": 10, "name": "b.pdf"}


def test_every_attempt_including_token_requests_takes_a_rate_limit_slot(fake: FakeProcountor) -> None:
    limiter = CountingLimiter()
    client = make_client(fake, rate_limiter=limiter)
    fake.script("GET", "/company", 503)
    client.get_company()
    assert limiter.acquired == len(fake.requests) == 3


# -- rate limiter ----------------------------------------------------------------------------------------------


def max_in_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


@pytest.mark.parametrize("burst", [1, 5])
def test_rate_limiter_keeps_requests_within_the_window(burst: int) -> None:
    clock = FakeClock()
    limiter = RateLimiter(20, burst=burst, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(100):
        limiter.acquire()
        times.append(round(clock.now, 9))  # float steps of 0.05 drift by ulps
    assert max_in_window(times, 1.0) <= 20 + burst - 1
    assert times[-1] == pytest.approx((100 - burst) / 20)


def test_rate_limiter_paces_real_threads() -> None:
    limiter = RateLimiter(200)
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: [limiter.acquire() for _ in range(10)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - started >= 39 / 200 - 0.01


def test_rate_limiters_are_shared_per_client_id() -> None:
    registry = RateLimiterRegistry(60)
    assert registry.for_client("a") is registry.for_client("a")
    assert registry.for_client("a") is not registry.for_client("b")
    assert registry.for_client("a").requests_per_second == 60
    assert shared_rate_limiter("x") is shared_rate_limiter("x")
