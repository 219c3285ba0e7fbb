"""Hostile input never crashes: wrong types, huge strings, control characters, lone
surrogates and garbage responses end in ValidationException / TypeError / ValueError or the
right service exception; internal panics end in SdkException, sync and async, and the
interpreter goes on. Property tests check the validation rules against independent
predicates, and error-body parsing against the official handler."""

import asyncio
import json
import os
import re
import subprocess
import sys
import unicodedata

import pytest
import requests
from huaweicloudsdkcore.exceptions.exception_handler import DefaultExceptionHandler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from servers import RawServer, closed_port, read_request
from test_differential_errors import typed

from dmskafka import (
    BasicCredentials,
    CreateConnectorReq,
    CreateConnectorRequest,
    HttpConfig,
    KafkaAsyncClient,
    KafkaClient,
    ShowInstanceRequest,
    _core,
    exceptions,
)

AK, SK, PROJECT = "AKHOSTILE", "sk-hostile-not-real", "0b57113e0b57113e0b57113e0b57113e"
HERE = os.path.dirname(os.path.abspath(__file__))


def client_for(endpoint, credentials=None, **settings_):
    config = HttpConfig.get_default_config()
    config.timeout = (0.5, 0.5)
    for k, v in settings_.items():
        setattr(config, k, v)
    return (
        KafkaClient.new_builder()
        .with_credentials(credentials or BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([endpoint])
        .with_http_config(config)
        .build()
    )


def enable(client, instance_id="inst-1", body=None, headers=None):
    return client.create_connector(CreateConnectorRequest(instance_id=instance_id, body=body), headers)


@pytest.fixture(scope="module")
def refused():
    """A client whose calls are refused at once: reaching the network means validation passed."""
    return client_for("http://127.0.0.1:%d" % closed_port())


def verdict(call):
    """'valid' if the call got as far as the network, else the exception raised before it."""
    try:
        call()
    except exceptions.ConnectionException:
        return "valid"
    except (exceptions.ValidationException, TypeError) as e:
        return e
    raise AssertionError("a refused endpoint answered")


# -- panics never cross the FFI boundary -------------------------------------------------


def test_a_sync_panic_is_an_sdk_exception_and_the_runtime_goes_on(recorder):
    for _ in range(3):
        with pytest.raises(exceptions.SdkException) as info:
            _core._test_panic("sync")
        assert type(info.value) is exceptions.SdkException
        assert "internal error in dmskafka" in info.value.error_msg
        assert "test panic (sync)" in info.value.error_msg
        assert enable(client_for(recorder.endpoint)).job_id


def test_an_async_panic_is_an_sdk_exception_and_the_loop_goes_on(recorder):
    client = (
        KafkaAsyncClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([recorder.endpoint])
        .build()
    )

    async def main():
        for _ in range(3):
            with pytest.raises(exceptions.SdkException) as info:
                await _core._test_panic("async")
            assert type(info.value) is exceptions.SdkException
            assert "test panic (async)" in info.value.error_msg
            assert (await client.create_connector_async(CreateConnectorRequest(instance_id="i1"))).job_id

    asyncio.run(main())


PANIC_THEN_WORK = r"""
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from servers import Recorder
from dmskafka import _core, BasicCredentials, CreateConnectorRequest, KafkaClient, exceptions

for where in ("sync", "async"):
    try:
        if where == "sync":
            _core._test_panic("sync")
        else:
            async def main():
                await _core._test_panic("async")
            asyncio.run(main())
    except exceptions.SdkException as e:
        print("caught", where, type(e).__name__)
with Recorder() as rec:
    client = (KafkaClient.new_builder().with_credentials(BasicCredentials("AK", "SK", "proj"))
              .with_endpoints([rec.endpoint]).build())
    print("alive", client.create_connector(CreateConnectorRequest(instance_id="i1")).status_code)
"""


def test_panics_leave_the_process_alive_and_exiting_cleanly():
    out = subprocess.run([sys.executable, "-c", PANIC_THEN_WORK, HERE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])
    assert out.stdout.split("\n")[:3] == ["caught sync SdkException", "caught async SdkException", "alive 200"]
    assert "test panic (async)" in out.stderr  # Rust's panic hook reported it; nothing aborted


EXIT_RIGHT_AFTER_ASYNC = r"""
import asyncio, sys
from dmskafka import _core, exceptions

async def main():
    try:
        await _core._test_panic("async")
    except exceptions.SdkException:
        pass

asyncio.run(main())
"""


def test_exiting_right_after_an_async_call_never_crashes():
    # Async results reach asyncio through src/python/asyncio_bridge.rs: no runtime thread ever
    # takes the GIL, so none can be caught by the interpreter finalizing.
    # Stops at the first crash; with the race present one comes within a few runs.
    for _ in range(20):
        out = subprocess.run([sys.executable, "-c", EXIT_RIGHT_AFTER_ASYNC], capture_output=True, timeout=60)
        assert out.returncode == 0, out.returncode


# -- wrong types, huge strings, control characters, lone surrogates -----------------------


@pytest.mark.parametrize(
    "body, kind",
    [
        ('{"node_cnt": 5}', "a str"),  # a JSON text, not a body: it used to be sent as {}
        (5, "an int"),
        ([("node_cnt", 5)], "a list"),
    ],
)
def test_a_body_of_the_wrong_type_is_refused_not_sent_as_empty(recorder, body, kind):
    with pytest.raises(exceptions.ValidationException) as info:
        enable(client_for(recorder.endpoint), body=body)
    assert (info.value.field, info.value.rule) == ("body", "must be a CreateConnectorReq or a dict; got " + kind)
    assert recorder.requests == []


@pytest.mark.parametrize(
    "setting, value, error, words",
    [
        ("retry_times", -1, ValueError, "HttpConfig.retry_times must be an integer from 0"),
        ("max_response_bytes", -1, ValueError, "HttpConfig.max_response_bytes must be an integer from 0"),
        ("pool_maxsize", 10**30, ValueError, "HttpConfig.pool_maxsize"),
        ("max_response_bytes", None, TypeError, "not None"),
        ("retry_times", "3", TypeError, "str"),
    ],
)
def test_http_config_values_out_of_range_name_the_setting(setting, value, error, words):
    with pytest.raises(error, match=re.escape(words)):
        client_for("http://127.0.0.1:1", **{setting: value})


def test_wrong_types_in_headers_and_credentials_are_type_errors():
    with pytest.raises(TypeError, match="headers"):
        enable(client_for("http://127.0.0.1:1"), headers=[("X-A", 5)])
    with pytest.raises(TypeError, match="security_token"):
        client_for("http://127.0.0.1:1", BasicCredentials(AK, SK, PROJECT).with_security_token(5))


HUGE = 10 * 2**20


@pytest.mark.parametrize("instance_id", ["a" * HUGE, "{" + "a" * HUGE + "}"])
def test_a_10_mb_instance_id_is_refused_with_a_short_message(recorder, instance_id):
    with pytest.raises(exceptions.ValidationException) as info:
        enable(client_for(recorder.endpoint), instance_id)
    assert info.value.rule == "must be at most 64 characters"
    assert recorder.requests == []


def test_huge_values_get_the_servers_answer_or_a_typed_connection_error(dmskafka_emulator):
    """The server refuses a huge header (431) or body (413) before reading it all and closes;
    closing with unread data sends a reset, which may reach the client before the answer. Either
    way the caller gets a typed exception and nothing is enabled."""
    emu = dmskafka_emulator
    client = client_for(emu.endpoint, BasicCredentials(emu.ak, emu.sk, emu.project_id))
    iid = emu.add_instance()
    for kwargs, status in [
        ({"headers": [("X-Big", "a" * HUGE)]}, 431),
        ({"body": CreateConnectorReq(spec_code="a" * HUGE)}, 413),
    ]:
        with pytest.raises((exceptions.ClientRequestException, exceptions.ConnectionException)) as info:
            enable(client, iid, **kwargs)
        if isinstance(info.value, exceptions.ClientRequestException):
            assert info.value.status_code == status
        else:
            assert info.value.outcome_unknown is True
    with pytest.raises(exceptions.ValidationException, match="at most 18446744073709551615"):
        enable(client, iid, body=CreateConnectorReq(node_cnt="9" * HUGE))
    assert emu.show_instance(iid)["tasks"] == []


@pytest.mark.parametrize(
    "where, field",
    [
        ("instance_id", "instance_id"),
        ("specification", "specification"),
        ("spec_code", "spec_code"),
        ("user_agent", "user_agent"),
    ],
)
def test_lone_surrogates_in_validated_text_are_validation_errors(recorder, where, field):
    bad = "x\ud800y"
    with pytest.raises(exceptions.ValidationException) as info:
        if where == "instance_id":
            enable(client_for(recorder.endpoint), bad)
        elif where == "user_agent":
            client_for(recorder.endpoint, user_agent=bad)
        else:
            enable(client_for(recorder.endpoint), body=CreateConnectorReq(**{where: bad}))
    assert info.value.field == field
    assert recorder.requests == []


@pytest.mark.parametrize(
    "where", ["ak", "sk", "project_id", "security_token", "header name", "header value", "endpoint"]
)
def test_lone_surrogates_elsewhere_are_validation_errors_and_nothing_is_sent(recorder, where):
    """Credentials, added headers and endpoints are converted strictly as the client is built
    or the call starts: the field is named, the value (maybe a secret) is not."""
    bad = "x\ud800y"
    credentials = BasicCredentials(AK, SK, PROJECT)
    with pytest.raises(exceptions.ValidationException) as info:
        if where in ("ak", "sk", "project_id", "security_token"):
            setattr(credentials, where, bad)
            client_for(recorder.endpoint, credentials)
        elif where == "endpoint":
            client_for("http://" + bad)
        else:
            name, value = (bad, "v") if where == "header name" else ("X-A", bad)
            enable(client_for(recorder.endpoint), headers=[(name, value)])
    assert info.value.field == where
    assert "not valid Unicode" in info.value.rule
    assert bad not in str(info.value)
    assert recorder.requests == []


@pytest.mark.parametrize(
    "credentials, headers, words",
    [
        (BasicCredentials(5, SK, PROJECT), None, "ak must be a str, not int"),
        (BasicCredentials(AK, b"sk", PROJECT), None, "sk must be a str, not bytes"),
        (BasicCredentials(AK, SK, 7.5), None, "project_id must be a str, not float"),
        (None, "X-A: v", "headers must be (name, value) pairs of str; got a str"),
        (None, [("X-A",)], "headers must be (name, value) pairs of str; got a tuple"),
        (None, [(b"X-A", "v")], "headers must be (name, value) pairs of str; got a bytes"),
        (None, 5, "headers must be (name, value) pairs of str; got an int"),
    ],
)
def test_wrong_types_name_the_argument(recorder, credentials, headers, words):
    with pytest.raises(TypeError, match=re.escape(words)):
        enable(client_for(recorder.endpoint, credentials), headers=headers)
    assert recorder.requests == []


def test_headers_may_be_any_iterable_of_pairs(dmskafka_emulator):
    emu = dmskafka_emulator
    client = (
        KafkaClient.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([emu.endpoint])
        .build()
    )
    enable(client, emu.add_instance(), headers={"X-A": "1", "X-B": "2"}.items())
    assert {"x-a": "1", "x-b": "2"}.items() <= emu.requests()[-1]["headers"].items()


@pytest.mark.parametrize("name", ["X A", "X:A", "", "X\u00e9"])
def test_an_invalid_header_name_is_refused_before_sending(recorder, name):
    """It used to reach reqwest, fail at send time and read as 'outcome unknown'."""
    with pytest.raises(exceptions.ValidationException) as info:
        enable(client_for(recorder.endpoint), headers=[(name, "v")])
    assert info.value.field == "header name"
    assert recorder.requests == []


# -- garbage in responses ----------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000
CREATE_GARBAGE = {
    "deeply-nested": DEEP,
    "nested-under-a-field": '{"job_id": "j", "connector_id": "c", "x": %s}' % ("[" * 5000 + "]" * 5000),
    "huge-number": '{"job_id": 1e999999, "connector_id": "c"}',
    "escaped-lone-surrogate": '{"job_id": "\\ud800", "connector_id": "c"}',
    "ids-not-strings": '{"job_id": {"id": "j"}, "connector_id": ["c"]}',
}


@pytest.mark.parametrize("case", sorted(CREATE_GARBAGE))
def test_garbage_200_bodies_are_unreadable_responses(dmskafka_emulator, case):
    emu = dmskafka_emulator
    emu.inject_fault("create_connector", body=CREATE_GARBAGE[case])
    client = client_for(emu.endpoint, BasicCredentials(emu.ak, emu.sk, emu.project_id))
    with pytest.raises(exceptions.ServerResponseException) as info:
        enable(client, emu.add_instance())
    assert (info.value.status_code, info.value.error_code) == (200, "SDK.InvalidResponse")
    assert len(info.value.error_msg) < 1000, "the message quotes a bounded prefix of the body"


def invalid_utf8(status):
    def behave(conn):
        read_request(conn)
        body = b'{"error_code": "E\xff\xfe", "error_msg": "bad \xc3\x28 bytes"}'
        head = "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (status, len(body))
        conn.sendall(head.encode() + body)

    return behave


@pytest.mark.parametrize(
    "status, klass", [(200, exceptions.ServerResponseException), (400, exceptions.ClientRequestException)]
)
def test_invalid_utf8_bodies_are_read_lossily_not_crashed_on(status, klass):
    with RawServer(invalid_utf8(status)) as server:
        with pytest.raises(klass) as info:
            enable(client_for(server.endpoint))
    assert info.value.status_code == status
    assert "\ufffd" in info.value.error_msg


@pytest.mark.parametrize(
    "body",
    [
        '{"status": {"nested": [1, {"a": null}]}, "connector_enable": "maybe", "instance_id": 5}',
        '{"a":' * 120 + "1" + "}" * 120,
        '{"broker_num": 1' + "0" * 400 + "}",
        DEEP,
    ],
    ids=["wrong-types", "nested-120", "number-out-of-range", "nested-100k"],
)
def test_garbage_lifecycle_bodies_give_a_response_or_a_typed_error(dmskafka_emulator, body):
    emu = dmskafka_emulator
    emu.inject_fault("show_instance", body=body)
    client = client_for(emu.endpoint, BasicCredentials(emu.ak, emu.sk, emu.project_id))
    try:
        shown = client.show_instance(ShowInstanceRequest(instance_id=emu.add_instance()))
    except exceptions.ServerResponseException as e:
        assert e.error_code == "SDK.InvalidResponse"
    else:
        assert shown.status_code == 200


def test_a_garbage_task_status_in_the_waiter_is_a_typed_error(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    client = client_for(emu.endpoint, BasicCredentials(emu.ak, emu.sk, emu.project_id))
    job = enable(client, iid).job_id
    emu.inject_fault("show_background_task", body='{"tasks": [{"id": "%s", "status": ["SUCCESS"]}]}' % job)
    with pytest.raises(exceptions.ServerResponseException) as info:
        client.wait_for_job(iid, job, timeout=0.3, poll_interval=0.1)
    assert info.value.error_code == "SDK.InvalidResponse"


# -- property tests: validation against independent predicates ---------------------------

U64_MAX = 2**64 - 1
SPECS = {"100MB", "300MB", "600MB", "1200MB", "100 MB", "300 MB", "600 MB", "1200 MB"}
# Unicode White_Space (PropList.txt), written out: Python's str.isspace() differs (U+001C..1F).
WHITE_SPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200B)
}
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def valid_id(s):
    return re.fullmatch(r"[A-Za-z0-9_-]{1,64}", s) is not None


def valid_node_cnt(v):
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        return False
    if isinstance(v, str):
        if re.fullmatch(r"[0-9]+", v) is None:
            return False
        v = int(v)
    return 2 <= v <= U64_MAX


def valid_header_value(s):
    return not any(unicodedata.category(c) == "Cc" and c != "\t" for c in s)


def valid_header_name(s):
    return re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", s) is not None


def check(got, valid, field):
    if valid:
        assert got == "valid"
    else:
        assert isinstance(got, exceptions.ValidationException), got
        assert got.field == field


ids = st.one_of(st.text(max_size=70), st.from_regex(r"[A-Za-z0-9_{}.-]{0,70}", fullmatch=True))


@PROPERTY
@given(instance_id=ids)
def test_instance_id_rule(refused, instance_id):
    check(verdict(lambda: enable(refused, instance_id)), valid_id(instance_id), "instance_id")


@PROPERTY
@given(
    node_cnt=st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70),
        st.integers(min_value=0, max_value=20).map(str),
        st.from_regex(r"[0-9 +.-]{0,25}", fullmatch=True),
        st.text(max_size=6),
        st.floats(allow_nan=False),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
    )
)
def test_node_cnt_rule(refused, node_cnt):
    got = verdict(lambda: enable(refused, body=CreateConnectorReq(node_cnt=node_cnt)))
    check(got, valid_node_cnt(node_cnt), "node_cnt")


@PROPERTY
@given(
    spec=st.one_of(
        st.sampled_from(sorted(SPECS)), st.from_regex(r"[0126 MBmb]{0,8}", fullmatch=True), st.text(max_size=8)
    )
)
def test_specification_rule(refused, spec):
    check(verdict(lambda: enable(refused, body=CreateConnectorReq(specification=spec))), spec in SPECS, "specification")


@PROPERTY
@given(spec_code=st.one_of(st.text(max_size=6), st.text(alphabet=sorted(WHITE_SPACE) + ["\x1c", "a"], max_size=4)))
def test_spec_code_rule(refused, spec_code):
    got = verdict(lambda: enable(refused, body=CreateConnectorReq(spec_code=spec_code)))
    check(got, any(c not in WHITE_SPACE for c in spec_code), "spec_code")


@PROPERTY
@given(
    name=st.one_of(st.text(max_size=8), st.from_regex(r"[A-Za-z0-9!#$%&'*+.^_`|~ :-]{0,8}", fullmatch=True)),
    value=st.text(max_size=8),
)
def test_added_header_rules(refused, name, value):
    got = verdict(lambda: enable(refused, headers=[(name, value)]))
    if not valid_header_value(name) or not valid_header_value(value):
        # Control characters are caught first, for names and values alike.
        assert isinstance(got, exceptions.ValidationException) and got.field in ("header name", "header value")
    else:
        check(got, valid_header_name(name), "header name")


# -- property test: error bodies read as the official handler reads them ------------------

KEYS = [
    "error_code",
    "error_msg",
    "errorCode",
    "errorMsg",
    "code",
    "message",
    "encoded_authorization_message",
    "error",
    "details",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
    max_leaves=12,
)
BODIES = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6).map(json.dumps),
    VALUES.map(json.dumps),
    st.text(max_size=20),
).map(str.encode) | st.binary(max_size=20)


def official(status, body, request_id):
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.encoding = "utf-8"
    response.headers["X-Request-Id"] = request_id
    try:
        DefaultExceptionHandler().handle_exception(None, response)
    except Exception as e:  # the official exceptions, compared below
        return e
    raise AssertionError("the official handler did not raise")


class Replies:
    """A keep-alive server that sends each queued reply in one write (the Recorder's separate
    writes meet Nagle and delayed ACKs: 40 ms a call)."""

    def __init__(self):
        self.queue = []

    def reply(self, status, body, headers):
        head = "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % (status, len(body))
        head += "".join("%s: %s\r\n" % kv for kv in headers.items())
        self.queue.append(head.encode() + b"\r\n" + body)

    def __call__(self, conn):
        while read_request(conn):
            conn.sendall(self.queue.pop(0))


@pytest.fixture(scope="module")
def echo():
    replies = Replies()
    with RawServer(replies) as server:
        yield replies, client_for(server.endpoint)


@PROPERTY
@given(status=st.sampled_from([400, 401, 404, 429, 500, 503]), body=BODIES)
def test_error_bodies_match_the_official_handler(echo, status, body):
    server, client = echo
    server.reply(status, body, {"X-Request-Id": "rid-prop"})
    with pytest.raises(exceptions.ServiceResponseException) as info:
        enable(client)
    ours, theirs = info.value, official(status, body, "rid-prop")
    assert type(ours).__name__ == type(theirs).__name__
    assert (ours.status_code, ours.request_id) == (theirs.status_code, theirs.request_id)
    # The values as the official handler keeps them: types (and dict key order) included.
    for name in ("error_code", "error_msg", "encoded_auth_msg"):
        assert typed(getattr(ours, name)) == typed(getattr(theirs, name)), name
    assert str(ours) == str(theirs)
