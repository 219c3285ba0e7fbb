"""Every HttpConfig option has its official effect, watched on the wire, at the TLS handshake
or in the pool, or is refused at build() with a ValidationException naming it. The official
SDK runs against the same servers where it can show what the effect must be."""

import base64
import enum
import json
import math
import re
import socket
import ssl
import threading
import time

import pytest
import trustme
from huaweicloudsdkcore.auth.credentials import BasicCredentials as OfficialCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig as OfficialHttpConfig
from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm as OfficialSigningAlgorithm
from huaweicloudsdkkafka.v2 import CreateConnectorRequest as OfficialCreateConnectorRequest
from huaweicloudsdkkafka.v2 import KafkaClient as OfficialKafkaClient
from huaweicloudsdkkafka.v2 import ShowInstanceRequest as OfficialShowInstanceRequest
from official_signing import assert_official_accepts_recorded
from servers import OK_BODY, GatedServer, RawServer, Recorder, read_request

from dmskafka import (
    BasicCredentials,
    CallTimeoutException,
    CreateConnectorReq,
    CreateConnectorRequest,
    HttpConfig,
    KafkaAsyncClient,
    KafkaClient,
    SdkException,
    ShowInstanceRequest,
    ValidationException,
)
from dmskafka.http_config import SigningAlgorithm

AK, SK, PROJECT = "AKOPTIONS", "sk-options-not-real", "0b7105e50b7105e50b7105e50b7105e5"


def build(endpoints, kind=KafkaClient, **options):
    config = HttpConfig.get_default_config()
    for name, value in options.items():
        setattr(config, name, value)
    return (
        kind.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoints(list(endpoints))
        .with_http_config(config)
        .build()
    )


def official_client(endpoint, **options):
    config = OfficialHttpConfig.get_default_config()
    for name, value in options.items():
        setattr(config, name, value)
    return (
        OfficialKafkaClient.new_builder()
        .with_credentials(OfficialCredentials(AK, SK, PROJECT))
        .with_endpoint(endpoint)
        .with_http_config(config)
        .build()
    )


def create(instance_id="inst-1"):
    return CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(node_cnt=2))


def call(client, request):
    """create_connector, sync or (waited on) async."""
    if isinstance(client, KafkaAsyncClient):
        return client.create_connector_async(request).result()
    return client.create_connector(request)


def signed_headers(headers):
    auth = {k.lower(): v for k, v in headers.items()}["authorization"]
    return re.search(r"SignedHeaders=([^,]+)", auth).group(1)


# -- timeout -------------------------------------------------------------------------------

BAD_TIMEOUTS = [
    -1,
    0,
    (0, 5),
    (5, -2),
    "10",
    None,
    True,
    (1,),
    (1, 2, 3),
    (1, None),
    math.nan,
    math.inf,
    1e20,
    (1, 1e20),
    10**400,
    {"connect": 1},
]


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS, ids=repr)
@pytest.mark.parametrize("kind", [KafkaClient, KafkaAsyncClient])
def test_an_unusable_timeout_is_refused_at_build_naming_timeout(timeout, kind):
    with Recorder() as server:
        with pytest.raises(ValidationException) as raised:
            build([server.endpoint], kind, timeout=timeout)
        assert raised.value.field == "timeout" and "timeout" in str(raised.value)
        assert server.requests == []


@pytest.mark.parametrize("timeout", [(60, 120), 5, 0.25, [3, 7.5], 86400])
def test_usable_timeouts_build_and_call(timeout):
    with Recorder() as server:
        assert build([server.endpoint], timeout=timeout).create_connector(create()).job_id == OK_BODY["job_id"]


@pytest.mark.parametrize("kind", [KafkaClient, KafkaAsyncClient])
def test_the_read_timeout_bounds_the_wait_for_the_answer_whatever_the_connect_timeout(kind):
    # Connected at once, then no answer: the 0.5 s read timeout ends the call, not the 30 s
    # connect timeout (before, the wait was connect + 0.2 s). The bound 30 is the point.
    with GatedServer() as server:
        client = build([server.endpoint], kind, timeout=(30, 0.5))
        started = time.monotonic()
        with pytest.raises(CallTimeoutException) as raised:
            call(client, create())
        elapsed = time.monotonic() - started
        assert raised.value.outcome_unknown is True
        # Within 0.3 s of the read timeout, plus the fault matrix's second of slack for a loaded
        # machine; before, the wait was the 30 s connect timeout.
        assert 0.5 <= elapsed < 0.5 + 0.3 + 1, elapsed
        assert len(server.requests) == 1


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A private CA, a server certificate for 127.0.0.1 and a client certificate, as files."""
    folder = tmp_path_factory.mktemp("pki")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1")
    client = ca.issue_cert("dmskafka-test-client")
    files = {
        "ca": folder / "ca.pem",
        "cert": folder / "client.pem",
        "key": folder / "client.key",
        "both": folder / "client-and-key.pem",
    }
    ca.cert_pem.write_to_path(str(files["ca"]))
    client.cert_chain_pems[0].write_to_path(str(files["cert"]))
    client.private_key_pem.write_to_path(str(files["key"]))
    files["both"].write_bytes(client.cert_chain_pems[0].bytes() + client.private_key_pem.bytes())
    return ca, server, {k: str(v) for k, v in files.items()}


def tls_server(ca, server_cert, require_client_cert, handshake_delay=0.0):
    """An HTTPS server on 127.0.0.1; records the client certificate's subject of each request."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    if require_client_cert:
        ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
    seen = []

    def serve(conn):
        time.sleep(handshake_delay)
        try:
            tls = context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            seen.append(("refused", type(e).__name__))
            return
        with tls:
            if not read_request(tls):
                return
            peer = tls.getpeercert()
            # trustme names a leaf in its subjectAltName only.
            seen.append(("request", [name for _, name in peer.get("subjectAltName", ())] if peer else None))
            data = json.dumps(OK_BODY).encode()
            tls.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(data), data)
            )

    raw = RawServer(serve)
    raw.endpoint = raw.endpoint.replace("http://", "https://")
    return raw, seen


def test_the_read_timeout_starts_once_connected(pki):
    # The TLS handshake takes 1 s (connecting), the answer comes at once: a 0.5 s read timeout
    # is not spent by the connect.
    ca, server_cert, files = pki
    raw, seen = tls_server(ca, server_cert, require_client_cert=False, handshake_delay=1.0)
    with raw:
        client = build([raw.endpoint], timeout=(10, 0.5), ssl_ca_cert=files["ca"])
        assert client.create_connector(create()).job_id == OK_BODY["job_id"]


# -- cert_file / key_file: mutual TLS -----------------------------------------------------


@pytest.mark.parametrize("kind", [KafkaClient, KafkaAsyncClient])
@pytest.mark.parametrize("pair", ["cert+key", "cert holding the key"])
def test_a_client_certificate_is_presented_and_accepted(pki, kind, pair):
    ca, server_cert, files = pki
    options = {"ssl_ca_cert": files["ca"]}
    options.update(
        {"cert_file": files["cert"], "key_file": files["key"]} if pair == "cert+key" else {"cert_file": files["both"]}
    )
    raw, seen = tls_server(ca, server_cert, require_client_cert=True)
    with raw:
        response = call(build([raw.endpoint], kind, **options), create())
        assert response.job_id == OK_BODY["job_id"]
    assert seen == [("request", ["dmskafka-test-client"])]


def test_without_the_client_certificate_the_server_refuses_as_it_refuses_the_official(pki):
    ca, server_cert, files = pki
    raw, seen = tls_server(ca, server_cert, require_client_cert=True)
    with raw:
        with pytest.raises(SdkException):
            build([raw.endpoint], ssl_ca_cert=files["ca"], timeout=(5, 5)).create_connector(create())
        with pytest.raises(Exception):  # noqa: B017 (the official raises requests' own SSLError)
            official_client(raw.endpoint, ssl_ca_cert=files["ca"], timeout=(5, 5)).create_connector(
                OfficialCreateConnectorRequest(instance_id="inst-1")
            )
        # And the official SDK with the certificate is accepted, as dmskafka is.
        official_client(
            raw.endpoint, ssl_ca_cert=files["ca"], cert_file=files["cert"], key_file=files["key"]
        ).create_connector(OfficialCreateConnectorRequest(instance_id="inst-1"))
    assert [kind for kind, _ in seen] == ["refused", "refused", "request"]


@pytest.mark.parametrize(
    "options, field",
    [
        ({"key_file": "client.key"}, "key_file"),
        ({"cert_file": "/nonexistent/client.pem"}, "cert_file"),
    ],
)
def test_unusable_client_certificate_options_are_refused_at_build(options, field):
    with Recorder() as server:
        with pytest.raises(ValidationException) as raised:
            build([server.endpoint], **options)
        assert raised.value.field == field


def test_a_key_that_does_not_match_the_certificate_is_refused_at_build(pki, tmp_path):
    _, _, files = pki
    other_key = tmp_path / "other.key"
    trustme.CA().issue_cert("someone-else").private_key_pem.write_to_path(str(other_key))
    with Recorder() as server:
        with pytest.raises(ValidationException) as raised:
            build([server.endpoint], cert_file=files["cert"], key_file=str(other_key))
        assert raised.value.field == "key_file"


# -- signing_algorithm ---------------------------------------------------------------------


ALGORITHMS = [m.name for m in OfficialSigningAlgorithm]
SCHEMES = {
    "HMAC_SHA256": "SDK-HMAC-SHA256",
    "HMAC_SM3": "SDK-HMAC-SM3",
    "ECDSA_P256_SHA256": "SDK-ECDSA-P256-SHA256",
    "SM2_SM3": "SDK-SM2-SM3",
}


@pytest.mark.parametrize("name", ALGORITHMS)
def test_every_algorithm_signs_as_the_official_client(name, dmskafka_emulator):
    """Ours (our enum or the official one) and the official client with the same algorithm:
    the emulator, which verifies each algorithm from the request as received, accepts both."""
    emu = dmskafka_emulator
    instance = emu.add_instance()
    for algorithm in (SigningAlgorithm[name], OfficialSigningAlgorithm[name]):
        config = HttpConfig(signing_algorithm=algorithm)
        client = (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
            .with_endpoints([emu.endpoint])
            .with_http_config(config)
            .build()
        )
        assert client.show_instance(ShowInstanceRequest(instance_id=instance)).instance_id == instance
        assert emu.requests()[-1]["headers"]["authorization"].startswith(SCHEMES[name] + " ")
        # What the emulator accepted, the official signer's own code accepts too.
        assert_official_accepts_recorded(emu.requests()[-1], emu.ak, emu.sk, name)
    official = OfficialHttpConfig.get_default_config()
    official.signing_algorithm = OfficialSigningAlgorithm[name]
    theirs = (
        OfficialKafkaClient.new_builder()
        .with_credentials(OfficialCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoint(emu.endpoint)
        .with_http_config(official)
        .build()
    )
    assert theirs.show_instance(OfficialShowInstanceRequest(instance_id=instance)).instance_id == instance
    assert emu.requests()[-1]["headers"]["authorization"].startswith(SCHEMES[name] + " ")
    assert [r["status"] for r in emu.requests()] == [200] * 3


@pytest.mark.parametrize(
    "value", ["HMAC_SM3", None, 2, enum.Enum("Other", "HMAC_SHA1").HMAC_SHA1], ids=["str", "None", "int", "other-enum"]
)
def test_an_unknown_algorithm_is_refused_at_build_naming_the_option(value):
    with Recorder() as server:
        with pytest.raises(ValidationException) as raised:
            build([server.endpoint], signing_algorithm=value)
        assert raised.value.field == "signing_algorithm"
        assert "must be a SigningAlgorithm (HMAC_SHA256, HMAC_SM3, ECDSA_P256_SHA256, SM2_SM3)" in str(raised.value)
        assert server.requests == []


# -- ignore_content_type_for_get_request ---------------------------------------------------


@pytest.mark.parametrize("ignore", [False, True])
def test_ignore_content_type_for_get_request_as_the_official_client(ignore):
    with Recorder() as ours_server, Recorder() as official_server:
        client = build([ours_server.endpoint], ignore_content_type_for_get_request=ignore)
        client.show_instance(ShowInstanceRequest(instance_id="inst-1"))
        client.create_connector(create())
        official = official_client(official_server.endpoint, ignore_content_type_for_get_request=ignore)
        official.show_instance(OfficialShowInstanceRequest(instance_id="inst-1"))
        official.create_connector(OfficialCreateConnectorRequest(instance_id="inst-1"))

        for ours, theirs in zip(ours_server.requests, official_server.requests):
            assert ours["method"] == theirs["method"]
            has_type = [("Content-Type" in r["headers"]) for r in (ours, theirs)]
            assert has_type[0] == has_type[1], ours["method"]
            assert ("content-type" in signed_headers(ours["headers"]).split(";")) == has_type[0]
    get = ours_server.requests[0]
    assert ("Content-Type" not in get["headers"]) is ignore


# -- pool_connections, pool_maxsize --------------------------------------------------------


def test_no_pool_at_all_is_refused_at_build():
    with Recorder() as a, Recorder() as b:
        with pytest.raises(ValidationException) as raised:
            build([a.endpoint, b.endpoint], pool_connections=0)
        assert raised.value.field == "pool_connections"


def test_one_pool_keeps_the_connections_of_the_endpoint_in_use():
    # With two endpoints and one pool, the endpoint in use keeps its connection, as requests
    # keeps its most recently used pool: five calls, one connection.
    with GatedServer(gated=False) as server:
        client = build([server.endpoint, "http://-unused.invalid"], pool_connections=1)
        for _ in range(5):
            client.create_connector(create())
        assert len(server.requests) == 5 and server.connections == 1


# -- options the official class accepts without an effect ----------------------------------


def test_an_unknown_attribute_is_kept_and_ignored_as_by_the_official_class():
    ours, theirs = HttpConfig(), OfficialHttpConfig()
    ours.not_an_option = theirs.not_an_option = 42
    assert ours.not_an_option == theirs.not_an_option == 42
    with Recorder() as server:
        build_with = KafkaClient.new_builder().with_credentials(BasicCredentials(AK, SK, PROJECT))
        client = build_with.with_endpoints([server.endpoint]).with_http_config(ours).build()
        assert client.create_connector(create()).job_id == OK_BODY["job_id"]


# -- added headers -------------------------------------------------------------------------


def raw_capture():
    """A server that answers 200 and keeps each request's raw head."""
    heads = []

    def serve(conn):
        request = read_request(conn)
        heads.append(request.partition(b"\r\n\r\n")[0].decode())
        data = json.dumps(OK_BODY).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(data), data))

    return RawServer(serve), heads


def header_lines(head, name):
    return [line for line in head.split("\r\n")[1:] if line.split(":", 1)[0].strip().lower() == name]


@pytest.mark.parametrize("name", ["Content-Type", "content-type", "CONTENT-TYPE"])
def test_an_added_header_replaces_the_sdk_one_and_what_is_signed_is_what_is_sent(name, dmskafka_emulator):
    raw, heads = raw_capture()
    with raw:
        client = build([raw.endpoint])
        client.create_connector_invoker(create()).add_header(name, "text/plain").invoke()
    (head,) = heads
    assert [line.split(":", 1)[1].strip() for line in header_lines(head, "content-type")] == ["text/plain"]
    names = [line.split(":", 1)[0].strip().lower() for line in head.split("\r\n")[1:]]
    assert len(names) == len(set(names)), "a header name was sent twice"
    signed = re.search(r"SignedHeaders=([^,]+)", head).group(1).split(";")
    assert len(signed) == len(set(signed)) and "content-type" in signed
    # As the official signer: a body that is not JSON is not hashed.
    assert [line.split(":", 1)[1].strip() for line in header_lines(head, "x-sdk-content-sha256")] == [
        "UNSIGNED-PAYLOAD"
    ]


@pytest.mark.parametrize("name", ALGORITHMS)
def test_an_added_content_type_is_signed_as_the_official_client_signs_it(name, dmskafka_emulator):
    emu = dmskafka_emulator
    with Recorder() as ours_server, Recorder() as official_server:
        build([ours_server.endpoint], signing_algorithm=SigningAlgorithm[name]).create_connector_invoker(
            create()
        ).add_header("Content-Type", "text/plain").invoke()
        official_client(
            official_server.endpoint, signing_algorithm=OfficialSigningAlgorithm[name]
        ).create_connector_invoker(OfficialCreateConnectorRequest(instance_id="inst-1")).add_header(
            "Content-Type", "text/plain"
        ).invoke()
    (ours,), (theirs,) = ours_server.requests, official_server.requests
    assert signed_headers(ours["headers"]) == signed_headers(theirs["headers"])
    assert ours["headers"]["Content-Type"] == theirs["headers"]["Content-Type"] == "text/plain"
    # The body is not hashed: UNSIGNED-PAYLOAD in the algorithm's header (-Sm3 for the SM3 ones).
    content_header = "X-Sdk-Content-Sm3" if name in ("HMAC_SM3", "SM2_SM3") else "X-Sdk-Content-Sha256"
    assert ours["headers"][content_header] == theirs["headers"][content_header] == "UNSIGNED-PAYLOAD"
    # And the emulator, which verifies signatures as received, accepts such a request.
    client = (
        KafkaClient.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([emu.endpoint])
        .with_http_config(HttpConfig(signing_algorithm=SigningAlgorithm[name]))
        .build()
    )
    client.create_connector_invoker(create(emu.add_instance())).add_header("Content-Type", "text/plain").invoke()
    assert emu.requests()[-1]["headers"][content_header.lower()] == "UNSIGNED-PAYLOAD"
    assert_official_accepts_recorded(emu.requests()[-1], emu.ak, emu.sk, name)


def test_pool_maxsize_is_how_many_idle_connections_an_endpoint_keeps():
    # Two bursts of 4 calls that can only all be answered together (4 connections at once);
    # between them, the pool keeps pool_maxsize of those connections for the second burst.
    def connections(pool_maxsize):
        with GatedServer(gated=False, barrier=threading.Barrier(4)) as server:
            client = build([server.endpoint], KafkaAsyncClient, pool_maxsize=pool_maxsize)
            for _ in range(2):
                futures = [client.create_connector_async(create()) for _ in range(4)]
                assert all(f.result().job_id for f in futures)
                time.sleep(1)  # let the answered connections go back to the pool
            return server.connections

    assert connections(10) == 4  # all four kept and reused
    assert connections(1) == 4 + 3  # one kept: three new for the second burst


def connect_proxy():
    """An HTTP proxy on 127.0.0.1 that tunnels CONNECT and records each request's head."""
    heads = []

    def pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def tunnel(conn):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                return
            head += chunk
        heads.append(head.decode())
        method, target = head.split(b" ")[:2]
        if method != b"CONNECT":
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, port = target.decode().rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        back = threading.Thread(target=pipe, args=(upstream, conn), daemon=True)
        back.start()
        pipe(conn, upstream)
        back.join(10)
        upstream.close()

    return RawServer(tunnel), heads


def test_the_proxy_carries_https_calls_with_its_credentials_as_the_official_client(pki):
    ca, server_cert, files = pki
    raw, seen = tls_server(ca, server_cert, require_client_cert=False)
    proxy, heads = connect_proxy()
    with raw, proxy:
        port = proxy.endpoint.rsplit(":", 1)[1]
        options = {
            "ssl_ca_cert": files["ca"],
            "proxy_protocol": "http",
            "proxy_host": "127.0.0.1",
            "proxy_port": port,
            "proxy_user": "alice",
            "proxy_password": "pa ss@word",
        }
        assert build([raw.endpoint], **options).create_connector(create()).job_id == OK_BODY["job_id"]
        official_client(raw.endpoint, **options).create_connector(OfficialCreateConnectorRequest(instance_id="i1"))
    target = raw.endpoint.split("://", 1)[1]
    assert len(heads) == 2 and len(seen) == 2

    def connect_line_and_credentials(head):
        lines = head.split("\r\n")
        auth = [line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("proxy-authorization:")]
        return lines[0].split(" ")[:2], [base64.b64decode(a.split(" ", 1)[1]) for a in auth]

    ours, theirs = map(connect_line_and_credentials, heads)
    assert ours == theirs  # the official's quote_plus'd password included: "pa+ss@word"
    assert ours[0] == ["CONNECT", target] and ours[1][0].startswith(b"alice:")
