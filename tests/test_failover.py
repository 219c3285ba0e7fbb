"""Endpoint failover, differential: the official KafkaClient (huaweicloudsdkcore 3.1.219) and
dmskafka's, built alike, against the same servers on 127.0.0.1.

What the official client does (huaweicloudsdkcore/client.py `do_http_request`, sync only):
HostUnreachableException and SslHandShakeException move to the next endpoint; the index of
the endpoint in use is kept on the client for later calls; when the last endpoint fails the
index goes back to 0 and, if an earlier endpoint failed too, a ConnectionException joins the
failures' str() with "; ". Every other error is raised at once. Its timeout applies to each
attempt (each endpoint, each urllib3 retry). Its async client does not fail over at all.

The unresolvable names are under the reserved `.invalid` TLD (RFC 6761) and start with a
hyphen: glibc refuses such a name itself ("Name or service not known", the message the official
SDK needs to see a HostUnreachableException) without asking a DNS server. A plain `a.invalid`
does go to the configured nameserver, which under load answers late (past the connect timeout)
or with "Temporary failure in name resolution". Everything else listens on 127.0.0.1. No assertion
depends on how fast this machine is: the servers count connections and requests, and the
only time measurements are lower bounds that follow from the configured timeouts."""

import json
import socket
import ssl
import threading
import time

import pytest
import trustme
from huaweicloudsdkcore.auth.credentials import BasicCredentials as OfficialCredentials
from huaweicloudsdkcore.exceptions import exceptions as official_exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig as OfficialHttpConfig
from huaweicloudsdkkafka import v2 as official
from servers import OK_BODY, RawServer, closed_port, read_request

import dmskafka
from dmskafka import exceptions as our_exceptions

AK, SK, PROJECT = "AKFAILOVER", "sk-failover-not-real", "fa11fa11fa11fa11fa11fa11fa11fa11"
INSTANCE = "inst-failover"
SDKS = ["official", "ours"]
UNRESOLVABLE = ("http://-a.invalid", "http://-b.invalid")  # http: rustls refuses such a TLS name
FAILURE = "a failure is the exception, a success the status code"

EXCEPTIONS = {"official": official_exceptions, "ours": our_exceptions}


def client(sdk, endpoints, timeout=(2, 2), retry_times=0, ssl_ca_cert=None, kind="KafkaClient"):
    if sdk == "official":
        module, credentials, config = official, OfficialCredentials, OfficialHttpConfig.get_default_config()
    else:
        module, credentials, config = dmskafka, dmskafka.BasicCredentials, dmskafka.HttpConfig.get_default_config()
    config.timeout = timeout
    config.retry_times = retry_times
    if ssl_ca_cert is not None:
        config.ssl_ca_cert = ssl_ca_cert
    return (
        getattr(module, kind)
        .new_builder()
        .with_credentials(credentials(AK, SK, PROJECT))
        .with_http_config(config)
        .with_endpoints(list(endpoints))
        .build()
    )


def call(sdk, c):
    """One show_instance (a GET: the official's urllib3 retries apply to it, as to any GET)."""
    module = official if sdk == "official" else dmskafka
    try:
        return c.show_instance(module.ShowInstanceRequest(instance_id=INSTANCE)).status_code
    except Exception as e:
        return e


def parts(exc):
    return exc.error_msg.split("; ")


# -- TLS servers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    """A private CA: its certificates are untrusted unless `ssl_ca_cert` names its file."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    path = str(tmp_path_factory.mktemp("failover-ca") / "ca.pem")
    authority.cert_pem.write_to_path(path)
    return context, path


def ok_response(body=None):
    data = json.dumps(body or OK_BODY).encode()
    head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
    return (head % len(data)).encode(), data


def serve_tls(context, conn):
    """One TLS request answered 200, then the connection closed (no reuse across calls)."""
    with context.wrap_socket(conn, server_side=True) as tls:
        read_request(tls)
        head, data = ok_response()
        tls.sendall(head + data)


def hold_until_closed(conn):
    """Accepts the TCP connection and says nothing (no TLS ServerHello) until the client hangs up."""
    conn.settimeout(30)
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


class Counter:
    """Connection numbers for a RawServer behaviour, in accept order, from 1."""

    def __init__(self):
        self._lock = threading.Lock()
        self.n = 0

    def next(self):
        with self._lock:
            self.n += 1
            return self.n


def https(server):
    return server.endpoint.replace("http://", "https://")


# -- 1. every endpoint fails DNS -----------------------------------------------------------


def test_the_unresolvable_names_fail_locally():
    """The premise of the DNS tests: the names fail at once, with EAI_NONAME."""
    for name in ("-a.invalid", "-b.invalid"):
        with pytest.raises(socket.gaierror) as info:
            socket.getaddrinfo(name, 443)
        assert info.value.errno == socket.EAI_NONAME, info.value


@pytest.mark.parametrize("sdk", SDKS)
def test_every_endpoint_unresolvable_is_one_connection_exception_listing_each(sdk):
    outcome = call(sdk, client(sdk, UNRESOLVABLE))
    assert type(outcome) is EXCEPTIONS[sdk].ConnectionException, repr(outcome)
    first, second = parts(outcome)  # exactly two failures, joined by "; "
    assert "-a.invalid" in first and "-b.invalid" not in first
    assert "-b.invalid" in second and "-a.invalid" not in second
    assert str(outcome) == "ConnectionException - " + outcome.error_msg


@pytest.mark.parametrize("sdk", SDKS)
def test_each_joined_failure_starts_with_its_class_name(sdk):
    outcome = call(sdk, client(sdk, UNRESOLVABLE))
    assert all(p.startswith("HostUnreachableException - ") for p in parts(outcome)), outcome.error_msg


@pytest.mark.parametrize("sdk", SDKS)
def test_single_unresolvable_endpoint_raises_host_unreachable_itself(sdk):
    outcome = call(sdk, client(sdk, UNRESOLVABLE[:1]))
    assert type(outcome) is EXCEPTIONS[sdk].HostUnreachableException, repr(outcome)
    assert "-a.invalid" in outcome.error_msg and "; " not in outcome.error_msg


# -- 2. DNS failure, then a live endpoint ----------------------------------------------------


@pytest.mark.parametrize("sdk", SDKS)
def test_unresolvable_first_endpoint_fails_over_to_the_live_one(sdk, recorder):
    c = client(sdk, [UNRESOLVABLE[0], recorder.endpoint])
    assert [call(sdk, c), call(sdk, c)] == [200, 200], FAILURE
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("sdk", SDKS)
def test_the_endpoint_that_answered_is_tried_first_on_the_next_call(sdk, ca):
    """[-a.invalid, S]: the first call fails over to S, which answers. S then fails its TLS
    handshake (a plain-text reply): the failure of the second call shows what was tried and
    in which order. Neither client tries -a.invalid before S (it is remembered), and after
    every endpoint has failed the index is back at 0: the third call resolves -a.invalid again,
    fails over, and S (answering again) serves it."""
    context, ca_file = ca
    count = Counter()

    def answer_then_fail_then_answer(conn):
        if count.next() == 2:
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        else:
            serve_tls(context, conn)

    with RawServer(answer_then_fail_then_answer) as server:
        c = client(sdk, [UNRESOLVABLE[0], https(server)], ssl_ca_cert=ca_file)
        first, second, third = call(sdk, c), call(sdk, c), call(sdk, c)
    assert first == 200 and third == 200, FAILURE
    assert count.n == 3
    # Only S: neither goes back to an endpoint before the remembered one.
    assert type(second) is EXCEPTIONS[sdk].SslHandShakeException, repr(second)
    assert "a.invalid" not in second.error_msg


def test_remembered_endpoint_failing_raises_as_the_official(ca):
    """S answered and is remembered; when it then fails its TLS handshake, its
    SslHandShakeException alone is raised, as the official client raises it."""
    context, ca_file = ca
    count = Counter()

    def answer_then_fail(conn):
        if count.next() == 1:
            serve_tls(context, conn)
        else:
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    with RawServer(answer_then_fail) as server:
        c = client("ours", [UNRESOLVABLE[0], https(server)], ssl_ca_cert=ca_file)
        assert call("ours", c) == 200, FAILURE
        second = call("ours", c)
    assert type(second) is our_exceptions.SslHandShakeException, repr(second)


# -- 3. refused: no failover -----------------------------------------------------------------


@pytest.mark.parametrize("sdk", SDKS)
def test_refused_first_endpoint_raises_without_trying_the_next(sdk, recorder):
    c = client(sdk, ["http://127.0.0.1:%d" % closed_port(), recorder.endpoint])
    outcome = call(sdk, c)
    # The same class on both sides: the base ConnectionException, not a failover subclass.
    assert type(outcome) is EXCEPTIONS[sdk].ConnectionException, repr(outcome)
    assert "refused" in outcome.error_msg
    assert recorder.requests == []
    if sdk == "ours":
        assert outcome.outcome_unknown is False


# -- 4. TLS failure: failover ----------------------------------------------------------------


@pytest.mark.parametrize("sdk", SDKS)
def test_untrusted_certificate_fails_over_and_is_not_tried_again(sdk, ca, recorder):
    context, _ = ca
    with RawServer(lambda conn: serve_tls(context, conn)) as untrusted:
        c = client(sdk, [https(untrusted), recorder.endpoint])
        assert [call(sdk, c), call(sdk, c)] == [200, 200], FAILURE
        assert untrusted.connections == 1  # the second call went straight to the live endpoint
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("sdk", SDKS)
def test_tls_failure_is_retried_by_the_official_only(sdk, ca):
    """retry_times=2: urllib3 repeats the handshake (3 attempts); dmskafka retries only a
    refused connection or a connect timeout (README, Intended differences)."""
    context, _ = ca
    with RawServer(lambda conn: serve_tls(context, conn)) as untrusted:
        outcome = call(sdk, client(sdk, [https(untrusted)], retry_times=2))
        assert type(outcome) is EXCEPTIONS[sdk].SslHandShakeException, repr(outcome)
        assert untrusted.connections == {"official": 3, "ours": 1}[sdk]


# -- 5. the timeout applies to each attempt --------------------------------------------------


@pytest.mark.parametrize("sdk", SDKS)
def test_each_retry_gets_the_whole_timeout(sdk):
    """A server that accepts TCP and never answers the TLS handshake: every attempt runs into
    its own timeout, so retry_times=2 makes 3 connections, each held until the client gives up.
    Together they last at least 3 timeouts, more than connect + read: nothing bounds the call
    as a whole. (Classes differ, as listed in the README: the official reports urllib3's
    ReadTimeoutError as ConnectionException; dmskafka a connect timeout, RequestTimeoutException.)"""
    t = 0.3
    count = Counter()

    def silent(conn):
        count.next()
        hold_until_closed(conn)

    with RawServer(silent) as server:
        started = time.monotonic()
        outcome = call(sdk, client(sdk, [https(server)], timeout=t, retry_times=2))
        elapsed = time.monotonic() - started
    expected = {"official": official_exceptions.ConnectionException, "ours": our_exceptions.RequestTimeoutException}
    assert type(outcome) is expected[sdk], repr(outcome)
    assert count.n == 3
    # Timers do not fire early: three attempts take three timeouts (2 ms for clock rounding).
    assert elapsed >= 3 * t - 0.002 > 2 * t


@pytest.mark.parametrize("sdk", SDKS)
def test_the_attempt_after_a_retry_has_the_full_deadline(sdk, ca):
    """timeout=(1.5, 1.5). Attempt 1 stalls the TLS handshake until the client gives up (at
    least one timeout); attempt 2 is answered, its body trickled over 2 s (a byte per 0.25 s,
    each gap well inside the read timeout). dmskafka bounds an attempt by connect + read = 3 s:
    the call succeeds because that deadline restarts with attempt 2; a deadline for the whole
    call would have left attempt 2 at most 1.5 s. The official has no such bound at all."""
    context, ca_file = ca
    count = Counter()
    trickle_gap, trickle_steps = 0.25, 8

    def stall_then_trickle(conn):
        if count.next() == 1:
            hold_until_closed(conn)
            return
        with context.wrap_socket(conn, server_side=True) as tls:
            read_request(tls)
            head, data = ok_response()
            tls.sendall(head + data[:-trickle_steps])
            for byte in data[-trickle_steps:]:
                time.sleep(trickle_gap)
                tls.sendall(bytes([byte]))

    with RawServer(stall_then_trickle) as server:
        outcome = call(sdk, client(sdk, [https(server)], timeout=(1.5, 1.5), retry_times=1, ssl_ca_cert=ca_file))
    assert outcome == 200, repr(outcome)
    assert count.n == 2
    assert trickle_gap * trickle_steps > 1.5  # longer than what a whole-call deadline leaves


# -- async: only dmskafka fails over ---------------------------------------------------------


@pytest.mark.parametrize("sdk", SDKS)
def test_async_failover_is_dmskafka_only(sdk, recorder):
    c = client(sdk, [UNRESOLVABLE[0], recorder.endpoint], kind="KafkaAsyncClient")
    module = official if sdk == "official" else dmskafka
    try:
        outcome = c.show_instance_async(module.ShowInstanceRequest(instance_id=INSTANCE)).result().status_code
    except Exception as e:
        outcome = e
    if sdk == "official":
        assert type(outcome) is official_exceptions.HostUnreachableException, repr(outcome)
        assert recorder.requests == []
    else:
        assert outcome == 200, repr(outcome)
        assert len(recorder.requests) == 1
