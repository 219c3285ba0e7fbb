"""The sync client over real HTTP on 127.0.0.1: requests sent, responses and every exception."""

import json
import socket
import ssl

import pytest
from servers import OK_BODY, RawServer, closed_port, read_request

import dmskafka
from dmskafka import (
    BasicCredentials,
    CreateConnectorReq,
    CreateConnectorRequest,
    HttpConfig,
    KafkaClient,
    exceptions,
)

AK, SK, PROJECT = "AKTESTFAKE", "sk-test-secret-not-real", "0123456789abcdef0123456789abcdef"
INSTANCE = "6e2d1b5a-3e1f-4c8a-9b7e-1f2d3c4b5a69"


def client_for(*endpoints, config=None, credentials=None):
    builder = KafkaClient.new_builder().with_credentials(credentials or BasicCredentials(AK, SK, PROJECT))
    if config is not None:
        builder = builder.with_http_config(config)
    return builder.with_endpoints(list(endpoints)).build()


def enable(client, body=CreateConnectorReq(node_cnt=2), instance_id=INSTANCE):
    return client.create_connector(CreateConnectorRequest(instance_id=instance_id, body=body))


def quick(**kwargs):
    config = HttpConfig.get_default_config()
    config.timeout = (1, 1)
    for k, v in kwargs.items():
        setattr(config, k, v)
    return config


def test_success_returns_the_documented_fields(recorder):
    resp = enable(client_for(recorder.endpoint))
    assert (resp.job_id, resp.connector_id) == (OK_BODY["job_id"], OK_BODY["connector_id"])
    assert resp.status_code == 200
    assert json.loads(resp.raw_content) == OK_BODY
    assert resp.to_json_object() == OK_BODY
    assert json.loads(str(resp)) == OK_BODY


def test_request_is_the_documented_post(recorder):
    enable(client_for(recorder.endpoint))
    (req,) = recorder.requests
    assert req["method"] == "POST"
    assert req["path"] == "/v2/%s/instances/%s/connector" % (PROJECT, INSTANCE)
    headers = {k.lower(): v for k, v in req["headers"].items()}
    assert headers["content-type"] == "application/json"
    assert headers["x-project-id"] == PROJECT
    assert headers["host"] == recorder.endpoint.split("://")[1]
    assert headers["user-agent"] == "dmskafka-python/" + dmskafka.__version__
    assert headers["authorization"].startswith("SDK-HMAC-SHA256 Access=%s, SignedHeaders=" % AK)
    assert "content-type;host;user-agent;x-project-id;x-sdk-date" in headers["authorization"]
    assert json.loads(req["body"]) == {"node_cnt": 2}


@pytest.mark.parametrize(
    "body, sent",
    [
        (CreateConnectorReq(node_cnt="2"), {"node_cnt": 2}),
        (None, {}),
        (CreateConnectorReq(), {}),
        (
            CreateConnectorReq(spec_code="kafka.c3.mini.connector", node_cnt="2", specification="100 MB"),
            {"specification": "100MB", "node_cnt": 2, "spec_code": "kafka.c3.mini.connector"},
        ),
        ({"node_cnt": 3}, {"node_cnt": 3}),
    ],
)
def test_body_is_normalised(recorder, body, sent):
    enable(client_for(recorder.endpoint), body=body)
    assert json.loads(recorder.requests[0]["body"]) == sent


def test_user_agent_is_appended_and_nothing_written_home(recorder, home):
    import os

    before = sorted(os.listdir(home))
    enable(client_for(recorder.endpoint, config=quick(user_agent="my-script/1.0")))
    assert recorder.requests[0]["headers"]["User-Agent"] == "dmskafka-python/%s; my-script/1.0" % dmskafka.__version__
    assert sorted(os.listdir(home)) == before


@pytest.mark.parametrize(
    "kwargs, field, words",
    [
        ({"instance_id": "{instance_id}"}, "instance_id", "placeholder"),
        ({"instance_id": ""}, "instance_id", "required"),
        ({"instance_id": "../../x"}, "instance_id", "letters, digits"),
        ({"instance_id": "a" * 65}, "instance_id", "at most 64"),
        ({"instance_id": 42}, "instance_id", "must be a string"),
        ({"body": CreateConnectorReq(node_cnt=1)}, "node_cnt", "at least 2"),
        ({"body": CreateConnectorReq(node_cnt=True)}, "node_cnt", "bool"),
        ({"body": CreateConnectorReq(node_cnt=2.0)}, "node_cnt", "float"),
        ({"body": CreateConnectorReq(node_cnt="two")}, "node_cnt", '"two"'),
        ({"body": CreateConnectorReq(specification="500MB")}, "specification", "100MB, 300MB"),
        ({"body": CreateConnectorReq(spec_code="")}, "spec_code", "non-empty"),
    ],
)
def test_bad_input_is_refused_before_any_io(recorder, kwargs, field, words):
    client = client_for(recorder.endpoint)
    args = {"instance_id": INSTANCE, "body": CreateConnectorReq(node_cnt=2), **kwargs}
    with pytest.raises(exceptions.ValidationException) as info:
        client.create_connector(CreateConnectorRequest(**args))
    assert info.value.field == field
    assert words in info.value.rule
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith("ValidationException - invalid %s: " % field)
    assert recorder.requests == []


@pytest.mark.parametrize(
    "credentials, field",
    [
        (BasicCredentials(AK, SK, "proj\r\nX-Evil: 1"), "project_id"),
        (BasicCredentials(AK, SK, PROJECT).with_security_token("tok\nen"), "security_token"),
    ],
)
def test_header_injection_is_refused_at_build(recorder, credentials, field):
    with pytest.raises(exceptions.ValidationException) as info:
        client_for(recorder.endpoint, credentials=credentials)
    assert info.value.field == field
    assert recorder.requests == []


def test_user_agent_with_newline_is_refused(recorder):
    with pytest.raises(exceptions.ValidationException) as info:
        client_for(recorder.endpoint, config=quick(user_agent="x\r\nInjected: 1"))
    assert info.value.field == "user_agent"


def test_client_error_carries_the_official_fields(recorder):
    recorder.reply(400, {"error_code": "DMS.00400026", "error_msg": "Another operation is in progress."},
                   {"X-Request-Id": "rid-1"})
    with pytest.raises(exceptions.ClientRequestException) as info:
        enable(client_for(recorder.endpoint))
    e = info.value
    assert (e.status_code, e.error_code, e.error_msg, e.request_id) == (
        400, "DMS.00400026", "Another operation is in progress.", "rid-1")
    assert str(e) == (
        "ClientRequestException - {status_code:400,request_id:rid-1,error_code:DMS.00400026,"
        "error_msg:Another operation is in progress.,encoded_authorization_message:None }"
    )


def test_server_error_without_body_uses_the_status(recorder):
    recorder.reply(503, b"")
    with pytest.raises(exceptions.ServerResponseException) as info:
        enable(client_for(recorder.endpoint))
    assert (info.value.status_code, info.value.error_code, info.value.error_msg) == (503, "503", "")


def test_redirect_is_not_followed(recorder):
    recorder.reply(302, b"", {"Location": "http://127.0.0.1:1/elsewhere"})
    with pytest.raises(exceptions.ServiceResponseException) as info:
        enable(client_for(recorder.endpoint))
    assert type(info.value) is exceptions.ServiceResponseException
    assert info.value.status_code == 302
    assert "not followed" in info.value.error_msg
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("payload", [b"<html>oops</html>", {"job_id": "j"}, {"job_id": 1, "connector_id": "c"}])
def test_unreadable_200_raises_instead_of_empty_fields(recorder, payload):
    recorder.reply(200, payload)
    with pytest.raises(exceptions.ServerResponseException) as info:
        enable(client_for(recorder.endpoint))
    assert info.value.status_code == 200
    assert "could not be read" in info.value.error_msg


def test_connection_refused():
    with pytest.raises(exceptions.ConnectionException) as info:
        enable(client_for("http://127.0.0.1:%d" % closed_port(), config=quick()))
    assert type(info.value) is exceptions.ConnectionException
    assert info.value.outcome_unknown is False


def test_unresolvable_host():
    # glibc rejects a leading '-' without asking any DNS server, so no packet leaves the machine.
    with pytest.raises(exceptions.HostUnreachableException):
        enable(client_for("http://-unresolvable-:8080", config=quick()))


def test_tls_to_a_plain_http_server_fails_the_handshake(recorder):
    https = recorder.endpoint.replace("http://", "https://")
    with pytest.raises(exceptions.SslHandShakeException):
        enable(client_for(https, config=quick()))


def test_read_timeout_is_a_call_timeout_with_unknown_outcome():
    def silent(conn):
        read_request(conn)
        conn.recv(1)  # hold the connection open, never answer

    with RawServer(silent) as server:
        with pytest.raises(exceptions.CallTimeoutException) as info:
            enable(client_for(server.endpoint, config=quick(timeout=(1, 0.3))))
    assert isinstance(info.value, exceptions.RequestTimeoutException)
    assert info.value.outcome_unknown is True
    assert "show_instance" in info.value.error_msg


def test_failover_to_the_next_endpoint_and_remember_it(recorder):
    client = client_for("http://-unresolvable-:8080", recorder.endpoint, config=quick())
    enable(client)
    enable(client)
    assert len(recorder.requests) == 2


def test_all_endpoints_failing_lists_every_failure():
    with pytest.raises(exceptions.ConnectionException) as info:
        enable(client_for("http://-unresolvable-:1", "http://-also-unresolvable-:2", config=quick()))
    assert type(info.value) is exceptions.ConnectionException
    assert "-unresolvable-" in info.value.error_msg and "-also-unresolvable-" in info.value.error_msg


def test_connect_phase_failures_are_retried_but_received_requests_never(recorder):
    def reset_after_reading(conn):
        read_request(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    with RawServer(reset_after_reading) as server:
        with pytest.raises(exceptions.ConnectionException) as info:
            enable(client_for(server.endpoint, config=quick(retry_times=3)))
        assert server.connections == 1
    assert info.value.outcome_unknown is True


def test_no_credentials_anywhere_is_a_value_error():
    with pytest.raises(ValueError, match="HUAWEICLOUD_SDK_AK"):
        KafkaClient.new_builder().with_endpoints(["http://127.0.0.1:1"]).build()


def test_no_endpoint_is_a_value_error():
    with pytest.raises(ValueError, match="at least one endpoint"):
        KafkaClient.new_builder().with_credentials(BasicCredentials(AK, SK, PROJECT)).build()


def test_credentials_from_the_environment(recorder, monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "ENVAK")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "env-sk")
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "envproject")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", "env-token")
    enable(KafkaClient.new_builder().with_endpoints([recorder.endpoint]).build())
    headers = recorder.requests[0]["headers"]
    assert headers["X-Project-Id"] == "envproject"
    assert headers["X-Security-Token"] == "env-token"
    assert "Access=ENVAK," in headers["Authorization"]
    assert "x-security-token" in headers["Authorization"]


@pytest.mark.parametrize("where", ["env-path", "home"])
def test_credentials_from_the_profile_file(recorder, monkeypatch, tmp_path, home, where):
    import os

    text = "[global]\nak = WRONG\nsk = wrong\n\n[basic]\nak = FILEAK\nsk = file-sk\nproject_id = fileproject\n"
    if where == "env-path":
        path = tmp_path / "creds.ini"
        monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(path))
    else:
        path = os.path.join(home, ".huaweicloud", "credentials")
        os.makedirs(os.path.dirname(path), exist_ok=True)  # the official SDK creates it on import
    try:
        with open(path, "w") as f:
            f.write(text)
        enable(KafkaClient.new_builder().with_endpoints([recorder.endpoint]).build())
    finally:
        if where == "home":
            os.remove(path)
    headers = recorder.requests[0]["headers"]
    assert headers["X-Project-Id"] == "fileproject"
    assert "Access=FILEAK," in headers["Authorization"]


def test_region_endpoints_from_the_environment(recorder, monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_KAFKA_CN_NORTH_4", "http://-unresolvable-:1," + recorder.endpoint)
    region = dmskafka.KafkaRegion.value_of("cn-north-4")
    assert region.endpoints == ["http://-unresolvable-:1", recorder.endpoint]
    client = (
        KafkaClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_region(region)
        .with_http_config(quick())
        .build()
    )
    enable(client)
    assert len(recorder.requests) == 1


def test_unknown_region_lists_the_supported_ones():
    with pytest.raises(KeyError, match="cn-north-4"):
        dmskafka.KafkaRegion.value_of("mars-north-1")
    assert len(dmskafka.KafkaRegion.static_fields) == 34
    assert dmskafka.KafkaRegion.value_of("ap-southeast-1") is dmskafka.KafkaRegion.AP_SOUTHEAST_1


def _region_client(recorder, monkeypatch, ak):
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_KAFKA_AP_SOUTHEAST_3", recorder.endpoint)
    credentials = BasicCredentials(ak, SK).with_iam_endpoint(recorder.endpoint)
    return (
        KafkaClient.new_builder()
        .with_credentials(credentials)
        .with_region(dmskafka.KafkaRegion.value_of("ap-southeast-3"))
        .build()
    )


def test_project_id_is_looked_up_from_iam_once(recorder, monkeypatch):
    recorder.reply(200, {"projects": [{"id": "iamproject01", "name": "ap-southeast-3"}]})
    enable(_region_client(recorder, monkeypatch, "AKIAMLOOKUP"))
    enable(_region_client(recorder, monkeypatch, "AKIAMLOOKUP"))
    iam, first, second = recorder.requests
    assert (iam["method"], iam["path"]) == ("GET", "/v3/projects?name=ap-southeast-3")
    assert "X-Project-Id" not in iam["headers"] and "Content-Type" not in iam["headers"]
    assert "SignedHeaders=host;user-agent;x-sdk-date," in iam["headers"]["Authorization"]
    assert first["path"].startswith("/v2/iamproject01/") and second["path"].startswith("/v2/iamproject01/")


@pytest.mark.parametrize(
    "projects, words", [([], "Confirm that the project exists"), ([{"id": "a"}, {"id": "b"}], "Multiple project ids")]
)
def test_project_lookup_needs_exactly_one_project(recorder, monkeypatch, projects, words):
    recorder.reply(200, {"projects": projects})
    with pytest.raises(exceptions.SdkException, match=words):
        _region_client(recorder, monkeypatch, "AKLOOKUP%d" % len(projects))


def test_sync_call_works_inside_a_running_event_loop(recorder):
    import asyncio

    async def cell():
        return enable(client_for(recorder.endpoint)).job_id

    assert asyncio.run(cell()) == OK_BODY["job_id"]


def test_ssl_module_is_not_needed_for_http(recorder):
    # A plain-HTTP call must not depend on the interpreter's ssl configuration.
    assert ssl.OPENSSL_VERSION
    assert enable(client_for(recorder.endpoint)).status_code == 200
