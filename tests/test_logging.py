"""Logging on the `dmskafka` logger and HTTP handlers, as the official SDK's, on the emulator."""

import asyncio
import datetime
import io
import logging
import re
from logging.handlers import RotatingFileHandler

import pytest
from huaweicloudsdkcore.http.http_handler import HttpHandler as OfficialHttpHandler
from servers import closed_port

from dmskafka import (
    BasicCredentials,
    ClientRequestException,
    ConnectionException,
    CreateConnectorReq,
    CreateConnectorRequest,
    DeleteConnectorRequest,
    KafkaAsyncClient,
    KafkaClient,
    ShowBackgroundTaskRequest,
    ShowInstanceRequest,
    ValidationException,
)
from dmskafka.core.http.http_handler import HttpHandler

# The official line: "METHOD URL" STATUS LENGTH ELAPSED REQUEST-ID
LINE = re.compile(r'"(GET|POST) (\S+)" (\d{3}|-) (\d+|-) (\d+:\d\d:\d\d(?:\.\d+)?) (\S+)(?: (\w+): (.*))?$')
TOKEN = "temporary-token-never-logged"


@pytest.fixture(autouse=True)
def dmskafka_logger():
    """with_stream_log / with_file_log configure the shared logger: put it back after each test."""
    logger = logging.getLogger("dmskafka")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield logger
    for handler in logger.handlers:
        if handler not in saved[0]:
            handler.close()
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


@pytest.fixture
def emu(dmskafka_emulator):
    dmskafka_emulator.add_credentials("TEMPAK", "temp-sk", dmskafka_emulator.project_id, TOKEN)
    return dmskafka_emulator


def builder(emu, kind=KafkaClient, token=False):
    credentials = (
        BasicCredentials("TEMPAK", "temp-sk", emu.project_id).with_security_token(TOKEN)
        if token
        else BasicCredentials(emu.ak, emu.sk, emu.project_id)
    )
    return kind.new_builder().with_credentials(credentials).with_endpoints([emu.endpoint])


def create(instance_id, node_cnt=2):
    return CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(node_cnt=node_cnt))


def lines(stream):
    return [line for line in stream.getvalue().splitlines() if line]


def calls(stream):
    return [LINE.search(line) for line in lines(stream) if " INFO " in line]


def test_info_line_per_call_has_method_url_status_length_elapsed_and_request_id(emu):
    stream = io.StringIO()
    client = builder(emu).with_stream_log(stream, logging.INFO).build()
    instance_id = emu.add_instance()

    response = client.create_connector(create(instance_id))

    (line,) = lines(stream)
    assert " dmskafka " in line and " INFO " in line  # the official format's name and level fields
    match = LINE.search(line)
    assert match, line
    method, url, status, length, elapsed, request_id = match.groups()[:6]
    received = emu.requests()[-1]
    assert (method, url) == ("POST", emu.endpoint + received["path"])
    assert url.endswith("/v2/%s/instances/%s/connector" % (emu.project_id, instance_id))
    assert (status, int(length)) == ("200", len(response.raw_content))
    assert request_id == received["request_id"]
    assert elapsed.startswith("0:00:")


def test_one_line_per_call_for_every_operation_sync_and_async(emu):
    stream = io.StringIO()
    client = builder(emu).with_stream_log(stream, logging.INFO).build()
    instance_id = emu.add_instance(job_duration=0)
    job_id = client.create_connector(create(instance_id)).job_id
    client.show_background_task(ShowBackgroundTaskRequest(instance_id=instance_id, task_id=job_id))
    client.show_instance(ShowInstanceRequest(instance_id=instance_id))

    async_client = builder(emu, KafkaAsyncClient).build()

    async def async_calls():
        await async_client.show_instance_async(ShowInstanceRequest(instance_id=instance_id))
        await async_client.delete_connector_async(DeleteConnectorRequest(instance_id=instance_id))

    asyncio.run(async_calls())

    logged = [(m.group(1), m.group(2), m.group(3), m.group(6)) for m in calls(stream)]
    sent = [(r["method"], emu.endpoint + r["path"], str(r["status"]), r["request_id"]) for r in emu.requests()]
    assert logged == sent
    assert [method for method, *_ in logged] == ["POST", "GET", "GET", "GET", "POST"]


def test_an_answered_failure_logs_the_official_line_before_raising(emu):
    # As the official SDK: a 4xx/5xx is an answered call, logged like any other.
    stream = io.StringIO()
    client = builder(emu).with_stream_log(stream, logging.INFO).build()

    with pytest.raises(ClientRequestException) as raised:
        client.show_instance(ShowInstanceRequest(instance_id="no-such-instance"))

    (match,) = calls(stream)
    sent = emu.requests()[-1]
    assert match.group(1, 2, 3) == ("GET", emu.endpoint + sent["path"], "404")
    assert int(match.group(4)) == len(raised.value._exchange.raw_content) > 0
    assert match.group(6) == raised.value.request_id == sent["request_id"]
    assert match.group(7) is None


def test_a_call_without_an_answer_logs_the_exception():
    stream = io.StringIO()
    endpoint = "http://127.0.0.1:%d" % closed_port()
    client = (
        KafkaClient.new_builder()
        .with_credentials(BasicCredentials("AK", "SK", "project"))
        .with_endpoints([endpoint])
        .with_stream_log(stream, logging.INFO)
        .build()
    )

    with pytest.raises(ConnectionException):
        client.show_instance(ShowInstanceRequest(instance_id="instance"))

    (match,) = calls(stream)
    assert match.group(2, 3, 6, 7) == (endpoint + "/v2/project/instances/instance", "-", "-", "ConnectionException")


def test_with_several_endpoints_an_answered_failure_logs_the_endpoint_that_answered(emu):
    stream = io.StringIO()
    client = (
        builder(emu)
        .with_endpoints([emu.endpoint, "http://127.0.0.1:%d" % closed_port()])
        .with_stream_log(stream, logging.INFO)
        .build()
    )
    with pytest.raises(ClientRequestException):
        client.show_instance(ShowInstanceRequest(instance_id="missing"))
    (match,) = calls(stream)
    assert match.group(2) == emu.endpoint + "/v2/%s/instances/missing" % emu.project_id


def test_input_refused_before_sending_logs_nothing(emu):
    stream = io.StringIO()
    client = builder(emu).with_stream_log(stream, logging.DEBUG).build()
    with pytest.raises(ValidationException):
        client.create_connector(create("bad id"))
    assert lines(stream) == [] and emu.requests() == []


def test_debug_logs_the_headers_with_authorization_and_security_token_redacted(emu):
    stream = io.StringIO()
    client = builder(emu, token=True).with_stream_log(stream, logging.DEBUG).build()
    client.create_connector(create(emu.add_instance()))

    debug, info = lines(stream)
    assert " DEBUG " in debug and " INFO " in info
    assert "request headers:" in debug
    assert "'Authorization': '****'" in debug and "'X-Security-Token': '****'" in debug
    assert "'X-Project-Id': '%s'" % emu.project_id in debug and "'X-Sdk-Date': '" in debug
    sent = emu.requests()[-1]["headers"]
    signature = sent["authorization"].split("Signature=")[1]
    log = stream.getvalue()
    assert TOKEN not in log and signature not in log and "SDK-HMAC-SHA256" not in log


def test_info_leaves_the_headers_out(emu):
    stream = io.StringIO()
    client = builder(emu).with_stream_log(stream, logging.INFO).build()
    client.show_instance(ShowInstanceRequest(instance_id=emu.add_instance()))
    assert [" INFO " in line for line in lines(stream)] == [True]


def test_with_stream_log_replaces_the_previous_stream_and_does_not_repeat_lines_at_the_root(emu, caplog):
    first, second = io.StringIO(), io.StringIO()
    builder(emu).with_stream_log(first, logging.INFO).build()
    client = builder(emu).with_stream_log(second, logging.INFO, format_string="%(levelname)s|%(message)s").build()
    with caplog.at_level(logging.INFO):
        client.show_instance(ShowInstanceRequest(instance_id=emu.add_instance()))
    assert first.getvalue() == ""
    (line,) = lines(second)
    assert line.startswith('INFO|"GET ')
    assert caplog.records == []  # as the official SDK: the configured handler only


def test_without_configuration_lines_reach_the_applications_handlers(emu, caplog):
    client = builder(emu).build()
    with caplog.at_level(logging.INFO, logger="dmskafka"):
        client.show_instance(ShowInstanceRequest(instance_id=emu.add_instance()))
    (record,) = caplog.records
    assert record.name == "dmskafka" and LINE.search(record.getMessage())


def test_with_file_log_writes_to_a_rotating_file_and_replaces_the_previous_one(emu, tmp_path, dmskafka_logger):
    old, new = tmp_path / "old.log", tmp_path / "sdk.log"
    builder(emu).with_file_log(str(old)).build()
    client = builder(emu).with_file_log(str(new), logging.INFO, max_bytes=1000, backup_count=2).build()
    client.show_instance(ShowInstanceRequest(instance_id=emu.add_instance()))

    (handler,) = [h for h in dmskafka_logger.handlers if isinstance(h, RotatingFileHandler)]
    assert (handler.maxBytes, handler.backupCount) == (1000, 2)
    handler.flush()
    assert old.read_text() == ""
    assert LINE.search(new.read_text().strip())


class Seen:
    """Records what handlers are called with, in order."""

    def __init__(self, emu=None):
        self.calls = []
        self._emu = emu

    def request(self, request, logger):
        # Documented: handlers run after the exchange, so the server has the request already.
        received = len(self._emu.requests()) if self._emu else None
        self.calls.append(("request", request, logger, received))

    def response(self, response, logger):
        self.calls.append(("response", response, logger, None))

    def handler(self):
        return HttpHandler().add_request_handler(self.request).add_response_handler(self.response)


def test_http_handlers_get_the_request_then_the_response_with_official_attribute_names(emu):
    seen = Seen(emu)
    client = builder(emu, token=True).with_http_handler(seen.handler()).build()
    instance_id = emu.add_instance()
    response = client.create_connector(create(instance_id))

    (kind1, request, logger1, received), (kind2, http_response, logger2, _) = seen.calls
    assert (kind1, kind2) == ("request", "response") and received == 1
    assert logger1 is logger2 is logging.getLogger("dmskafka")
    sent = emu.requests()[0]
    host = emu.endpoint.split("://")[1]
    assert (request.method, request.schema, request.host) == ("POST", "http", host)
    assert request.resource_path == request.uri == sent["path"]
    assert request.url == emu.endpoint + sent["path"] and request.query_params == []
    assert request.header_params is request.headers
    assert request.header_params["Authorization"] == sent["headers"]["authorization"]
    assert request.header_params["X-Security-Token"] == "****"
    assert request.header_params["X-Sdk-Date"] == sent["headers"]["x-sdk-date"]

    assert http_response.request is request and http_response.url == request.url
    assert http_response.status_code == 200
    assert http_response.headers["X-Request-Id"] == http_response.headers["x-request-id"] == sent["request_id"]
    assert http_response.headers["Content-Type"].startswith("application/json")
    assert http_response.content == response.raw_content
    assert http_response.text == response.raw_content.decode()
    assert isinstance(http_response.elapsed, datetime.timedelta)


def test_http_handlers_run_for_async_calls_and_without_logging(emu):
    seen = Seen()
    client = builder(emu, KafkaAsyncClient).with_http_handler(seen.handler()).build()
    instance_id = emu.add_instance()

    async def calls():
        await client.create_connector_async(create(instance_id))
        await client.show_instance_async(ShowInstanceRequest(instance_id=instance_id))

    asyncio.run(calls())
    assert [(kind, getattr(obj, "method", None)) for kind, obj, *_ in seen.calls] == [
        ("request", "POST"),
        ("response", None),
        ("request", "GET"),
        ("response", None),
    ]


def official_client(emu, handler):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials as OfficialCredentials
    from huaweicloudsdkkafka.v2 import KafkaClient as OfficialKafkaClient

    credentials = OfficialCredentials(emu.ak, emu.sk, emu.project_id)
    return (
        OfficialKafkaClient.new_builder()
        .with_credentials(credentials)
        .with_endpoint(emu.endpoint)
        .with_http_handler(handler)
        .build()
    )


def test_http_handlers_see_a_4xx_before_it_is_raised_as_the_official_ones_do(emu):
    from huaweicloudsdkkafka.v2 import ShowInstanceRequest as OfficialShowInstanceRequest

    def record(seen):
        return (
            OfficialHttpHandler()
            .add_request_handler(lambda request, logger: seen.append(("request", request.method)))
            .add_response_handler(lambda response, logger: seen.append(("response", response.status_code)))
        )

    ours, theirs = [], []
    client = builder(emu).with_http_handler(record(ours)).build()
    with pytest.raises(ClientRequestException) as raised:
        client.show_instance(ShowInstanceRequest(instance_id="missing"))
    ours.append(("raised", raised.value.status_code))

    official = official_client(emu, record(theirs))
    with pytest.raises(Exception) as official_raised:
        official.show_instance(OfficialShowInstanceRequest(instance_id="missing"))
    theirs.append(("raised", official_raised.value.status_code))

    assert ours == theirs == [("request", "GET"), ("response", 404), ("raised", 404)]


def test_http_handlers_see_a_5xx_of_an_async_call_before_it_is_awaited(emu):
    seen = Seen()
    client = builder(emu, KafkaAsyncClient).with_http_handler(seen.handler()).build()
    instance_id = emu.add_instance()
    emu.inject_fault("show_instance", status=503, count=1)

    async def call():
        future = client.show_instance_async(ShowInstanceRequest(instance_id=instance_id))
        with pytest.raises(Exception) as raised:
            await future
        # The handlers had run by the time the outcome reached the awaiting task.
        assert [kind for kind, *_ in seen.calls] == ["request", "response"]
        return raised.value

    exc = asyncio.run(call())
    assert exc.status_code == seen.calls[1][1].status_code == 503


def test_an_official_http_handler_works_too(emu):
    # Its default response handler reads headers, content, elapsed and request.method/url.
    stream, seen = io.StringIO(), []
    handler = OfficialHttpHandler().add_response_handler(lambda **kwargs: seen.append(kwargs["response"].status_code))
    client = builder(emu).with_http_handler(handler).with_stream_log(stream, logging.INFO).build()
    client.show_instance(ShowInstanceRequest(instance_id=emu.add_instance()))
    assert seen == [200]
    ours, official = lines(stream)
    url = emu.endpoint + emu.requests()[-1]["path"]
    assert '"GET %s" 200' % url in ours and '"GET %s" 200' % url in official


def test_add_handler_methods_chain_and_process_calls_every_handler_with_keywords():
    got = []
    handler = (
        HttpHandler()
        .add_request_handler(lambda **kw: got.append(("r1", sorted(kw))))
        .add_request_handler(lambda request, logger: got.append(("r2", request)))
        .add_response_handler(lambda response, logger: got.append(("s1", response)))
    )
    handler.process_request(request="req", logger=None)
    handler.process_response(response="resp", logger=None)
    assert got == [("r1", ["logger", "request"]), ("r2", "req"), ("s1", "resp")]


def test_input_the_core_refuses_before_sending_logs_nothing_async_too(emu):
    stream = io.StringIO()
    client = builder(emu, KafkaAsyncClient).with_stream_log(stream, logging.DEBUG).build()
    invoker = client.create_connector_async_invoker(create(emu.add_instance())).add_header("bad name", "x")

    async def call():
        await invoker.invoke()

    with pytest.raises(ValidationException):
        asyncio.run(call())
    assert lines(stream) == [] and emu.requests() == []
