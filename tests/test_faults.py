"""The fault matrix (docs/reliability.md): every way a call can fail on the network or at the
server, each with its exception class and fields, raised within its timeout plus one second.

The emulator fakes what a server does; a raw socket server (tests/servers.py) fakes what only a
broken network or server does. Everything listens on 127.0.0.1."""

import asyncio
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time

import pytest
import trustme
from servers import OK_BODY, RawServer, Recorder, closed_port, read_request

from dmskafka import (
    BasicCredentials,
    CreateConnectorReq,
    CreateConnectorRequest,
    HttpConfig,
    KafkaAsyncClient,
    KafkaClient,
    exceptions,
)

AK, SK, PROJECT = "AKFAULTS", "sk-faults-not-real", "fa017fa017fa017fa017fa017fa017fa"
CONNECT, READ = 0.3, 0.3
# The documented bound of one call: the connect timeout plus the read timeout (the call
# deadline), plus the one second of slack the issue allows.
BUDGET = CONNECT + READ + 1
RST = b"\x01\x00\x00\x00\x00\x00\x00\x00"  # SO_LINGER on, 0 s: close() sends a reset


def config(**kwargs):
    c = HttpConfig.get_default_config()
    c.timeout = (CONNECT, READ)
    for k, v in kwargs.items():
        setattr(c, k, v)
    return c


def build(kind, endpoint, credentials=None, **kwargs):
    return (
        kind.new_builder()
        .with_credentials(credentials or BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([endpoint])
        .with_http_config(config(**kwargs))
        .build()
    )


def enable(mode, endpoint, instance_id="inst-1", credentials=None, **kwargs):
    """One create_connector call, sync or async; returns (response or exception, seconds)."""
    request = CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(node_cnt=2))
    started = time.monotonic()
    try:
        if mode == "sync":
            outcome = build(KafkaClient, endpoint, credentials, **kwargs).create_connector(request)
        else:
            client = build(KafkaAsyncClient, endpoint, credentials, **kwargs)

            async def main():
                return await client.create_connector_async(request)

            outcome = asyncio.run(main())
    except exceptions.SdkException as e:
        outcome = e
    return outcome, time.monotonic() - started


# -- raw servers: what only a broken network or server does ------------------------------


def respond(conn, head, body=b""):
    conn.sendall(head.encode() + b"\r\n\r\n" + body)


def reset_before_headers(conn):
    read_request(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)


def reset_after_headers(conn):
    read_request(conn)
    respond(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100", b'{"job_id"')
    time.sleep(0.05)  # let the headers arrive first, so the reset hits the body
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)


def close_mid_body(conn):
    read_request(conn)
    respond(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100", b'{"job_id"')


def trickle_headers(conn):
    """One byte of the head every 50 ms: each read succeeds, the whole never arrives in time."""
    read_request(conn)
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"p" * 400:
        conn.sendall(bytes([byte]))
        time.sleep(0.05)


def body_over_default_cap(conn):
    read_request(conn)
    respond(conn, "HTTP/1.1 200 OK\r\nX-Request-Id: rid-big\r\nContent-Length: %d" % (9 * 2**20))
    conn.sendall(b"x" * 2**20)  # the client refuses on the length alone; what arrives is not read


def error_body_over_cap(conn):
    read_request(conn)
    body = json.dumps({"error_code": "E", "error_msg": "m" * 5000}).encode()
    respond(conn, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: %d" % len(body), body)


# -- the matrix --------------------------------------------------------------------------

# id -> (how, expected class, expected fields). `how` is ("raw", behave), ("emulator",
# fault kwargs), ("refused",) or ("dns",). Classes are exact: a subclass would be a different row.
UNKNOWN = {"outcome_unknown": True}
KNOWN = {"outcome_unknown": False}
MATRIX = {
    "refused": (("refused",), exceptions.ConnectionException, KNOWN),
    "dns-failure": (("dns",), exceptions.HostUnreachableException, KNOWN),
    "reset-before-headers": (("raw", reset_before_headers), exceptions.ConnectionException, UNKNOWN),
    "reset-after-headers": (("raw", reset_after_headers), exceptions.ConnectionException, UNKNOWN),
    "closed-mid-body": (("raw", close_mid_body), exceptions.ConnectionException, UNKNOWN),
    "truncated-body": (("emulator", {"truncate_body": True}), exceptions.ConnectionException, UNKNOWN),
    "dropped-after-request": (("emulator", {"drop_connection": True}), exceptions.ConnectionException, UNKNOWN),
    "headers-trickled": (("raw", trickle_headers), exceptions.CallTimeoutException, UNKNOWN),
    "latency-beyond-read-timeout": (("emulator", {"latency": 5}), exceptions.CallTimeoutException, UNKNOWN),
    "body-trickled": (("emulator", {"trickle": 5}), exceptions.CallTimeoutException, UNKNOWN),
    "non-json-200": (
        ("emulator", {"body": "<html>maintenance</html>"}),
        exceptions.ServerResponseException,
        {"status_code": 200, "error_code": "SDK.InvalidResponse", "error_msg": re.compile("could not be read")},
    ),
    "200-without-ids": (
        ("emulator", {"body": '{"job_id": "only-this"}'}),
        exceptions.ServerResponseException,
        {"status_code": 200, "error_code": "SDK.InvalidResponse", "error_msg": re.compile("could not be read")},
    ),
    "5xx-with-body": (
        ("emulator", {"status": 500, "body": '{"error_code": "DMS.00500000", "error_msg": "boom"}'}),
        exceptions.ServerResponseException,
        {"status_code": 500, "error_code": "DMS.00500000", "error_msg": "boom"},
    ),
    "5xx-without-body": (
        ("emulator", {"status": 503, "body": ""}),
        exceptions.ServerResponseException,
        {"status_code": 503, "error_code": "503", "error_msg": ""},
    ),
    "429": (
        ("emulator", {"status": 429}),
        exceptions.ClientRequestException,
        {"status_code": 429, "error_code": "APIG.0308"},
    ),
    "body-over-default-cap": (
        ("raw", body_over_default_cap),
        exceptions.ServerResponseException,
        {
            "status_code": 200,
            "request_id": "rid-big",
            "error_code": "SDK.InvalidResponse",
            "error_msg": re.compile("larger than 8388608 bytes"),
        },
    ),
    "body-over-configured-cap": (
        ("emulator", {"body": json.dumps({"job_id": "j" * 600, "connector_id": "c" * 600})}),
        exceptions.ServerResponseException,
        {"status_code": 200, "error_code": "SDK.InvalidResponse", "error_msg": re.compile("larger than 1024 bytes")},
    ),
    "error-body-over-configured-cap": (
        ("raw", error_body_over_cap),
        exceptions.ServerResponseException,
        {"status_code": 503, "error_code": "503", "error_msg": re.compile("larger than 1024 bytes")},
    ),
}
SMALL_CAP = {"body-over-configured-cap", "error-body-over-configured-cap"}


def check_fields(exc, fields):
    for name, want in fields.items():
        got = getattr(exc, name)
        if isinstance(want, re.Pattern):
            assert want.search(got), "%s=%r" % (name, got)
        else:
            assert got == want, "%s=%r, want %r" % (name, got, want)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("case", sorted(MATRIX))
def test_fault_matrix(dmskafka_emulator, case, mode):
    (kind, *arg), klass, fields = MATRIX[case]
    kwargs = {"max_response_bytes": 1024} if case in SMALL_CAP else {}
    if kind == "refused":
        outcome, elapsed = enable(mode, "http://127.0.0.1:%d" % closed_port(), **kwargs)
    elif kind == "dns":
        # glibc rejects a leading '-' without asking any DNS server: no packet leaves the machine.
        outcome, elapsed = enable(mode, "http://-unresolvable-:8080", **kwargs)
    elif kind == "raw":
        with RawServer(arg[0]) as server:
            outcome, elapsed = enable(mode, server.endpoint, **kwargs)
    else:
        emu = dmskafka_emulator
        emu.inject_fault("create_connector", **arg[0])
        credentials = BasicCredentials(emu.ak, emu.sk, emu.project_id)
        outcome, elapsed = enable(mode, emu.endpoint, emu.add_instance(), credentials, **kwargs)
    assert type(outcome) is klass, repr(outcome)
    check_fields(outcome, fields)
    assert elapsed <= BUDGET, "%s took %.2f s" % (case, elapsed)
    if fields.get("outcome_unknown"):
        assert "show_instance" in outcome.error_msg and "wait_for_job" in outcome.error_msg


def test_docs_list_every_matrix_case():
    """docs/reliability.md's table is the matrix: a case added here must be documented."""
    path = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "reliability.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    missing = [case for case in MATRIX if "`%s`" % case not in text]
    assert missing == []


# -- connect timeout: a listener whose accept backlog is full ---------------------------


@pytest.fixture(scope="module")
def full_backlog():
    """A port that accepts no more connections: listen(0), never accept, one connection
    queued. Linux then drops further SYNs, so a connect hangs until its timeout, as a
    black-holed host does, without leaving loopback."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    queued = [socket.create_connection(("127.0.0.1", port), timeout=1)]
    probe = socket.socket()
    probe.settimeout(0.2)
    try:
        probe.connect(("127.0.0.1", port))
        pytest.skip("this kernel accepts past a full backlog; no connect timeout on loopback")
    except socket.timeout:
        pass
    finally:
        probe.close()
    yield "http://127.0.0.1:%d" % port
    for s in queued:
        s.close()
    listener.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    "timeout",
    # The second is the case that used to fail: a read timeout no longer than the connect
    # timeout ran out first and turned "nothing was sent" into "outcome unknown".
    [(0.3, 2.0), (0.5, 0.3)],
)
def test_connect_timeout_is_told_apart_from_a_read_timeout(full_backlog, mode, timeout):
    outcome, elapsed = enable(mode, full_backlog, timeout=timeout)
    assert type(outcome) is exceptions.RequestTimeoutException, repr(outcome)
    assert outcome.outcome_unknown is False
    assert "not sent" in outcome.error_msg
    assert timeout[0] - 0.05 <= elapsed <= timeout[0] + 1


def test_connect_timeouts_are_retried_because_nothing_was_sent(full_backlog):
    outcome, elapsed = enable("sync", full_backlog, timeout=(0.3, 0.3), retry_times=2)
    assert type(outcome) is exceptions.RequestTimeoutException
    assert 3 * 0.3 - 0.05 <= elapsed <= 3 * 0.3 + 1, "three attempts of 0.3 s"


# -- TLS ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 with a certificate from a private CA (trustme)."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = str(tmp_path_factory.mktemp("tls") / "ca.pem")
    ca.cert_pem.write_to_path(ca_file)

    def serve(conn):
        with context.wrap_socket(conn, server_side=True) as tls:
            read_request(tls)
            data = json.dumps(OK_BODY).encode()
            respond(tls, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d" % len(data), data)

    with RawServer(serve) as server:
        yield server.endpoint.replace("http://", "https://"), ca_file


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_tls_to_an_untrusted_certificate_is_a_handshake_failure(tls_server, mode):
    endpoint, _ = tls_server
    outcome, elapsed = enable(mode, endpoint)
    assert type(outcome) is exceptions.SslHandShakeException, repr(outcome)
    assert outcome.outcome_unknown is False
    assert "UnknownIssuer" in outcome.error_msg
    assert elapsed <= BUDGET


@pytest.mark.parametrize("trust", ["ignore_ssl_verification", "ssl_ca_cert"])
def test_tls_succeeds_once_the_certificate_is_trusted(tls_server, trust):
    endpoint, ca_file = tls_server
    kwargs = {"ignore_ssl_verification": True} if trust == "ignore_ssl_verification" else {"ssl_ca_cert": ca_file}
    outcome, _ = enable("sync", endpoint, **kwargs)
    assert outcome.job_id == OK_BODY["job_id"], repr(outcome)


# -- redirects ---------------------------------------------------------------------------


@pytest.mark.parametrize("follow", [False, True])
def test_redirect_is_followed_only_when_allowed(follow):
    with Recorder() as rec:
        rec.reply(307, b"", {"Location": rec.endpoint + "/moved"})
        outcome, elapsed = enable("sync", rec.endpoint, allow_redirects=follow)
        paths = [r["path"] for r in rec.requests]
    if follow:
        assert outcome.job_id == OK_BODY["job_id"], repr(outcome)
        assert paths[1] == "/moved"
    else:
        assert type(outcome) is exceptions.ServiceResponseException
        assert (outcome.status_code, outcome.error_code) == (307, "307")
        assert len(paths) == 1
    assert elapsed <= BUDGET


# -- the size cap: memory stays bounded --------------------------------------------------

STREAM_200MB = r"""
import socket, sys, threading, time
sys.path.insert(0, sys.argv[1])
from servers import RawServer, read_request
from dmskafka import BasicCredentials, CreateConnectorRequest, KafkaClient, exceptions

framing = sys.argv[2]

def stream(conn):
    read_request(conn)
    head = {"chunked": b"Transfer-Encoding: chunked", "close": b"Connection: close"}[framing]
    conn.sendall(b"HTTP/1.1 200 OK\r\n" + head + b"\r\n\r\n")
    piece = b"x" * 65536
    frame = b"%x\r\n%s\r\n" % (len(piece), piece) if framing == "chunked" else piece
    for _ in range(200 * 16):  # 200 MiB
        conn.sendall(frame)

def hwm_kib():
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith("VmHWM")).split()[1])

with RawServer(stream) as server:
    client = (KafkaClient.new_builder().with_credentials(BasicCredentials("AK", "SK", "proj"))
              .with_endpoints([server.endpoint]).build())
    before = hwm_kib()
    try:
        client.create_connector(CreateConnectorRequest(instance_id="i1"))
    except exceptions.ServerResponseException as e:
        print("refused", e.status_code, e.error_code)
    print("grew_kib", hwm_kib() - before)
"""


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_a_200_mb_body_is_never_buffered(framing):
    """Run in a child process, so its peak RSS (VmHWM) is this call's alone."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(
        [sys.executable, "-c", STREAM_200MB, here, framing], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "refused 200 SDK.InvalidResponse" in out.stdout
    grew_mib = int(re.search(r"grew_kib (\d+)", out.stdout).group(1)) / 1024
    assert grew_mib < 40, "peak RSS grew %.1f MiB for a refused 200 MiB body" % grew_mib


@pytest.mark.parametrize("size, ok", [(1024, True), (1025, False)])
def test_the_cap_is_inclusive(size, ok):
    body = json.dumps(OK_BODY).encode()
    body += b" " * (size - len(body))
    with Recorder() as rec:
        rec.reply(200, body)
        outcome, _ = enable("sync", rec.endpoint, max_response_bytes=1024)
    if ok:
        assert outcome.job_id == OK_BODY["job_id"]
    else:
        assert type(outcome) is exceptions.ServerResponseException
