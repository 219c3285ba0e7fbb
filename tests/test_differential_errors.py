"""Error responses through the official SDK and through dmskafka: the same response, served
twice by one local server, must give exceptions of the same class whose attributes have the
same values *and types* (an int code stays an int, a list message a list, dict keys in the
same order) and the same ``str()``. The expected values are the official SDK's, never written
here: each case below is only a response."""

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials as OfficialCredentials
from huaweicloudsdkcore.exceptions import exceptions as official_exceptions
from huaweicloudsdkkafka import v2 as official
from servers import Recorder

import dmskafka

AK, SK, PROJECT = "AKDIFFTEST", "sk-diff-secret-not-real", "a1b2c3d4e5f60718293a4b5c6d7e8f90"
INSTANCE = "0b9c4a52-2f64-4d0e-8e1c-6f7a8b9c0d1e"
ATTRIBUTES = ("status_code", "request_id", "error_code", "error_msg", "encoded_auth_msg")
# POST (create_connector): the official client's urllib3 retries a GET on 429, not a POST.
STATUSES = (400, 404, 429, 500, 503)

JSON = {"Content-Type": "application/json", "X-Request-Id": "rid-1"}

# (id, body bytes, headers): a dict is added to the server's defaults (None leaves one out),
# a list of pairs is sent exactly as given.
CASES = [
    # The documented shapes, with strings.
    ("snake-strings", b'{"error_code": "DMS.00404022", "error_msg": "The instance does not exist."}', JSON),
    ("camel-strings", b'{"errorCode": "DMS.1", "errorMsg": "busy"}', JSON),
    ("code-message", b'{"code": "APIG.0301", "message": "bad token"}', JSON),
    ("nested-apig", b'{"error": {"code": "DMS.00404022", "message": "The instance does not exist."}}', JSON),
    # Values that are not strings.
    ("ints", b'{"error_code": 123, "error_msg": 456}', JSON),
    ("floats", b'{"code": 0.1, "message": 1.7976931348623157e308}', JSON),
    ("exponent-and-negative", b'{"code": -7, "message": 1e3}', JSON),
    ("int-limits", b'{"code": 18446744073709551615, "message": -9223372036854775808}', JSON),
    ("float-exact", b'{"code": 2.2250738585072011e-308, "message": 0.30000000000000004441}', JSON),
    ("float-integral", b'{"errorCode": 1.0, "errorMsg": 5e-324}', JSON),
    ("lists", b'{"error_code": ["a", 1, 1.0], "error_msg": ["x"]}', JSON),
    ("dicts", b'{"errorCode": {"b": 1, "a": [true, null]}, "errorMsg": {"z": {}, "y": 0}}', JSON),
    ("booleans", b'{"error_code": true, "error_msg": true}', JSON),
    ("unicode", '{"error_code": "DMS.1", "error_msg": "实例不存在 ✓ \\u00e9\\ud83d\\ude00"}'.encode(), JSON),
    # Falsy values: the official handler replaces them with the status / the body text.
    ("null-and-empty", b'{"error_code": null, "error_msg": ""}', JSON),
    ("zeros", b'{"error_code": 0, "error_msg": 0.0}', JSON),
    ("negative-zero", b'{"code": -0.0, "message": -0}', JSON),
    ("empty-containers", b'{"error_code": [], "error_msg": {}}', JSON),
    ("false-and-null", b'{"code": false, "message": null}', JSON),
    ("falsy-string-zero-is-truthy", b'{"code": "0", "message": " "}', JSON),
    # Unusual keys.
    ("wrong-case-keys", b'{"Error_Code": "X", "ERROR_MSG": "y"}', JSON),
    ("key-with-space", b'{"error_code ": "X", "error_msg": "y"}', JSON),
    ("escaped-key", b'{"\\u0065rror_code": "ESC", "error_msg": "m"}', JSON),
    ("unicode-key", '{"错误": {"code": "C", "message": "消息"}}'.encode(), JSON),
    ("empty-key", b'{"": {"code": "E", "message": "m"}}', JSON),
    ("half-pair-snake", b'{"error_code": "X", "message": "m"}', JSON),
    ("half-pair-mixed", b'{"code": "C", "errorMsg": "m"}', JSON),
    ("pair-priority", b'{"code": "C", "message": "m", "errorCode": "E2", "errorMsg": "e2", "error_code": "E"}', JSON),
    ("snake-beats-code", b'{"code": "C", "message": "m", "error_code": "E", "error_msg": "e"}', JSON),
    # Nested objects: every value at any depth, a later match overwriting an earlier one.
    (
        "nested-last-wins",
        b'{"a": {"code": "A", "message": "ma"}, "b": {"c": {"errorCode": 5, "errorMsg": ["deep"]}}}',
        JSON,
    ),
    ("nested-order-not-sorted", b'{"b": {"code": "B", "message": "mb"}, "a": {"code": "A", "message": "ma"}}', JSON),
    ("nested-in-list-not-searched", b'{"errors": [{"code": "L", "message": "in a list"}]}', JSON),
    ("nested-deep", b'{"a": {"b": {"c": {"d": {"e": {"error_code": "DEEP", "error_msg": {"k": [1]}}}}}}}', JSON),
    ("nested-falsy", b'{"x": {"code": 0, "message": null}}', JSON),
    # Repeated keys: the first place, the last value.
    ("duplicate-key", b'{"error_code": "A", "error_msg": "m", "error_code": 2}', JSON),
    (
        "duplicate-nested-key",
        b'{"x": {"code": "X", "message": "mx"}, "y": {"code": "Y", "message": "my"}, '
        b'"x": {"code": "X2", "message": "mx2"}}',
        JSON,
    ),
    ("duplicate-key-in-value", b'{"error_code": "D", "error_msg": {"b": 1, "a": 2, "b": 3}}', JSON),
    # Bodies that are not a JSON object.
    ("text", b"Bad Gateway", {**JSON, "Content-Type": "text/plain"}),
    ("html", b"<html><body><h1>503 Service Unavailable</h1></body></html>", {**JSON, "Content-Type": "text/html"}),
    ("empty-body", b"", JSON),
    ("truncated-json", b'{"error_code": "X",', JSON),
    ("json-string", b'"just a string"', JSON),
    ("json-empty-string", b'""', JSON),
    ("json-number", b"42", JSON),
    ("json-zero", b"0", JSON),
    ("json-list", b'[{"code": "C", "message": "m"}]', JSON),
    ("json-null", b"null", JSON),
    ("json-true", b"true", JSON),
    ("json-empty-object", b"{}", JSON),
    # encoded_authorization_message, of several types and places.
    ("encoded-string", b'{"error_code": "IAM.1", "error_msg": "denied", "encoded_authorization_message": "enc"}', JSON),
    ("encoded-int-alone", b'{"encoded_authorization_message": 123}', JSON),
    ("encoded-list", b'{"code": "C", "message": "m", "encoded_authorization_message": ["e", 1]}', JSON),
    ("encoded-dict", b'{"code": "C", "message": "m", "encoded_authorization_message": {"b": 2, "a": 1}}', JSON),
    ("encoded-null", b'{"code": "C", "message": "m", "encoded_authorization_message": null}', JSON),
    ("encoded-empty", b'{"code": "C", "message": "m", "encoded_authorization_message": ""}', JSON),
    ("encoded-false", b'{"code": "C", "message": "m", "encoded_authorization_message": false}', JSON),
    ("encoded-float", b'{"encoded_authorization_message": 2.5}', JSON),
    ("encoded-nested", b'{"outer": {"encoded_authorization_message": "inner", "code": "C", "message": "m"}}', JSON),
    (
        "encoded-top-then-nested",
        b'{"encoded_authorization_message": "top", "x": {"encoded_authorization_message": 2}}',
        JSON,
    ),
    (
        "encoded-top-pair-stops",
        b'{"encoded_authorization_message": "top", "code": "C", "message": "m", '
        b'"x": {"encoded_authorization_message": 2}}',
        JSON,
    ),
    # The request id header.
    ("no-request-id", b'{"code": "C", "message": "m"}', {**JSON, "X-Request-Id": None}),
    (
        "lower-case-request-id",
        b'{"code": "C", "message": "m"}',
        {**JSON, "X-Request-Id": None, "x-request-id": "rid-lower"},
    ),
    ("empty-request-id", b'{"code": "C", "message": "m"}', {**JSON, "X-Request-Id": ""}),
    ("latin1-request-id", b'{"code": "C", "message": "m"}', {**JSON, "X-Request-Id": "rid-\xe9"}),
    (
        "repeated-request-id",
        b'{"code": "C", "message": "m"}',
        [("Content-Type", "application/json"), ("X-Request-Id", "rid-a"), ("x-request-id", "rid-b")],
    ),
]


@pytest.fixture(scope="module")
def server():
    with Recorder() as recorder:
        yield recorder


@pytest.fixture(scope="module")
def clients(server):
    off = (
        official.KafkaClient.new_builder()
        .with_credentials(OfficialCredentials(AK, SK, PROJECT))
        .with_endpoints([server.endpoint])
        .build()
    )
    ours = (
        dmskafka.KafkaClient.new_builder()
        .with_credentials(dmskafka.BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([server.endpoint])
        .build()
    )
    return off, ours


def typed(value):
    """The value with the type of every part spelled out, and dict keys in their order:
    `1 == 1.0 == True` and `{"a": 1, "b": 2} == {"b": 2, "a": 1}` in Python, not here."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def _raised(client, module, exception_class):
    request = module.CreateConnectorRequest(instance_id=INSTANCE, body=module.CreateConnectorReq(node_cnt=2))
    with pytest.raises(exception_class) as caught:
        client.create_connector(request)
    return caught.value


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("body, headers", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_same_exception_attributes_values_and_types(server, clients, status, body, headers):
    off, ours = clients
    sent = len(server.requests)
    server.reply(status, body, headers)
    server.reply(status, body, headers)
    theirs = _raised(off, official, official_exceptions.ServiceResponseException)
    mine = _raised(ours, dmskafka, dmskafka.exceptions.ServiceResponseException)
    assert len(server.requests) == sent + 2, "one request each: no retry took a second response"

    assert type(mine).__name__ == type(theirs).__name__
    assert isinstance(mine, getattr(dmskafka.exceptions, type(theirs).__name__))
    for name in ATTRIBUTES:
        assert typed(getattr(mine, name)) == typed(getattr(theirs, name)), name
    assert str(mine) == str(theirs)


def test_cases_cover_what_they_claim(server, clients):
    """The table reaches the official handler's branches: typed values, fallbacks, every class."""
    off, _ = clients
    seen = set()
    for _, body, headers in CASES:
        for status in (400, 500):
            server.reply(status, body, headers)
            exc = _raised(off, official, official_exceptions.ServiceResponseException)
            seen.add(type(exc).__name__)
            for name in ("error_code", "error_msg", "encoded_auth_msg", "request_id"):
                seen.add((name, type(getattr(exc, name)).__name__))
    assert {"ClientRequestException", "ServerResponseException"} <= seen
    for name in ("error_code", "error_msg"):
        for kind in ("str", "int", "float", "list", "dict", "bool"):
            assert (name, kind) in seen, (name, kind)
    for kind in ("str", "int", "float", "list", "dict", "bool", "NoneType"):
        assert ("encoded_auth_msg", kind) in seen, kind
    assert ("request_id", "NoneType") in seen
