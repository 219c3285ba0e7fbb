"""The sync client over real HTTP on 127.0.0.1: requests sent, responses and every exception."""

import json
import socket

import pytest
from huaweicloudsdkcore.region.region import Region as OfficialRegion
from huaweicloudsdkkafka.v2.region.kafka_region import KafkaRegion as OfficialKafkaRegion
from servers import RawServer, closed_port, read_request

import dmskafka
from dmskafka import (
    BasicCredentials,
    CreateConnectorReq,
    CreateConnectorRequest,
    HttpConfig,
    KafkaClient,
    _core,
    exceptions,
)

INSTANCE = "6e2d1b5a-3e1f-4c8a-9b7e-1f2d3c4b5a69"


@pytest.fixture
def emu(dmskafka_emulator):
    return dmskafka_emulator


def creds(emu):
    return BasicCredentials(emu.ak, emu.sk, emu.project_id)


def client_for(*endpoints, config=None, credentials=None):
    builder = KafkaClient.new_builder().with_credentials(credentials or BasicCredentials("AK", "SK", "project"))
    if config is not None:
        builder = builder.with_http_config(config)
    return builder.with_endpoints(list(endpoints)).build()


def emu_client(emu, config=None, credentials=None):
    return client_for(emu.endpoint, config=config, credentials=credentials or creds(emu))


TWO_NODES = CreateConnectorReq(node_cnt=2)


def enable(client, body=TWO_NODES, instance_id=INSTANCE):
    return client.create_connector(CreateConnectorRequest(instance_id=instance_id, body=body))


def quick(**kwargs):
    config = HttpConfig.get_default_config()
    config.timeout = (1, 1)
    for k, v in kwargs.items():
        setattr(config, k, v)
    return config


def test_success_returns_the_documented_fields(emu):
    instance_id = emu.add_instance()
    resp = enable(emu_client(emu), instance_id=instance_id)
    assert resp.status_code == 200
    assert json.loads(resp.raw_content) == {"job_id": resp.job_id, "connector_id": resp.connector_id}
    assert resp.to_json_object() == json.loads(str(resp))
    (task,) = emu.show_instance(instance_id)["tasks"]
    assert task["id"] == resp.job_id


def test_request_is_the_documented_post(emu):
    instance_id = emu.add_instance()
    enable(emu_client(emu), instance_id=instance_id)
    (req,) = emu.requests()
    assert (req["method"], req["status"]) == ("POST", 200)
    assert req["path"] == "/v2/%s/instances/%s/connector" % (emu.project_id, instance_id)
    headers = req["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["x-project-id"] == emu.project_id
    assert headers["host"] == emu.endpoint.split("://")[1]
    assert headers["user-agent"] == "dmskafka-python/" + dmskafka.__version__
    assert headers["authorization"].startswith("SDK-HMAC-SHA256 Access=%s, SignedHeaders=" % emu.ak)
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
def test_body_is_normalised(emu, body, sent):
    instance_id = emu.add_instance(flavor="old" if "spec_code" in sent else "new", specification="100MB")
    enable(emu_client(emu), body=body, instance_id=instance_id)
    (req,) = emu.requests()
    assert (json.loads(req["body"]), req["status"]) == (sent, 200)


def test_user_agent_is_appended_and_nothing_written_home(emu, home):
    import os

    before = sorted(os.listdir(home))
    enable(emu_client(emu, config=quick(user_agent="my-script/1.0")), instance_id=emu.add_instance())
    assert emu.requests()[0]["headers"]["user-agent"] == "dmskafka-python/%s; my-script/1.0" % dmskafka.__version__
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
def test_bad_input_is_refused_before_any_io(emu, kwargs, field, words):
    client = emu_client(emu)
    args = {"instance_id": INSTANCE, "body": CreateConnectorReq(node_cnt=2), **kwargs}
    with pytest.raises(exceptions.ValidationException) as info:
        client.create_connector(CreateConnectorRequest(**args))
    assert info.value.field == field
    assert words in info.value.rule
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith("ValidationException - invalid %s: " % field)
    assert emu.requests() == []


@pytest.mark.parametrize("field", ["project_id", "security_token"])
def test_header_injection_is_refused_at_build(emu, field):
    credentials = creds(emu)
    if field == "project_id":
        credentials.project_id = "proj\r\nX-Evil: 1"
    else:
        credentials.with_security_token("tok\nen")
    with pytest.raises(exceptions.ValidationException) as info:
        emu_client(emu, credentials=credentials)
    assert info.value.field == field
    assert emu.requests() == []


def test_user_agent_with_newline_is_refused(emu):
    with pytest.raises(exceptions.ValidationException) as info:
        emu_client(emu, config=quick(user_agent="x\r\nInjected: 1"))
    assert info.value.field == "user_agent"


def test_client_error_carries_the_official_fields(emu):
    body = {"error_code": "DMS.00400026", "error_msg": "Another operation is in progress."}
    emu.inject_fault("create_connector", status=400, body=json.dumps(body), count=1)
    with pytest.raises(exceptions.ClientRequestException) as info:
        enable(emu_client(emu))
    e = info.value
    rid = emu.requests()[0]["request_id"]
    assert (e.status_code, e.error_code, e.error_msg, e.request_id) == (400, body["error_code"], body["error_msg"], rid)
    assert str(e) == (
        "ClientRequestException - {status_code:400,request_id:%s,error_code:DMS.00400026,"
        "error_msg:Another operation is in progress.,encoded_authorization_message:None }" % rid
    )


def test_service_error_codes_from_the_emulator(emu):
    client = emu_client(emu)
    with pytest.raises(exceptions.ClientRequestException) as info:
        enable(client, instance_id="missing-instance")
    assert (info.value.status_code, info.value.error_code) == (404, "DMS.00404022")
    prepaid = emu.add_instance(charging_mode="prePaid")
    with pytest.raises(exceptions.ClientRequestException) as info:
        enable(client, instance_id=prepaid)
    assert info.value.error_code == "DMS.00400016"


def test_wrong_secret_is_an_authentication_error(emu):
    with pytest.raises(exceptions.ClientRequestException) as info:
        enable(emu_client(emu, credentials=BasicCredentials(emu.ak, "not-the-secret", emu.project_id)))
    assert (info.value.status_code, info.value.error_code) == (401, "APIG.0301")


def test_server_error_without_body_uses_the_status(emu):
    emu.inject_fault("create_connector", status=503, body="", count=1)
    with pytest.raises(exceptions.ServerResponseException) as info:
        enable(emu_client(emu))
    assert (info.value.status_code, info.value.error_code, info.value.error_msg) == (503, "503", "")


def test_redirect_is_not_followed(recorder):
    recorder.reply(302, b"", {"Location": "http://127.0.0.1:1/elsewhere"})
    with pytest.raises(exceptions.ServiceResponseException) as info:
        enable(client_for(recorder.endpoint))
    assert type(info.value) is exceptions.ServiceResponseException
    assert info.value.status_code == 302
    assert "not followed" in info.value.error_msg
    assert len(recorder.requests) == 1


def test_a_redirect_loop_is_a_retry_outage(recorder):
    for _ in range(12):
        recorder.reply(307, b"", {"Location": recorder.endpoint + "/again"})
    with pytest.raises(exceptions.RetryOutageException) as info:
        enable(client_for(recorder.endpoint, config=quick(allow_redirects=True)))
    assert isinstance(info.value, exceptions.RequestTimeoutException)
    assert info.value.outcome_unknown is True
    assert "too many redirects" in info.value.error_msg
    assert len(recorder.requests) == 11  # the first request and 10 hops, then it gives up


@pytest.mark.parametrize("payload", ["<html>oops</html>", '{"job_id": "j"}', '{"job_id": 1, "connector_id": "c"}'])
def test_unreadable_200_raises_instead_of_empty_fields(emu, payload):
    emu.inject_fault("create_connector", body=payload, count=1)
    with pytest.raises(exceptions.ServerResponseException) as info:
        enable(emu_client(emu), instance_id=emu.add_instance())
    assert info.value.status_code == 200
    assert info.value.error_code == "SDK.InvalidResponse"
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


def test_tls_to_a_plain_http_server_fails_the_handshake(emu):
    with pytest.raises(exceptions.SslHandShakeException):
        enable(client_for(emu.endpoint.replace("http://", "https://"), config=quick()))


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


def test_failover_to_the_next_endpoint_and_remember_it(emu):
    client = client_for("http://-unresolvable-:8080", emu.endpoint, config=quick(), credentials=creds(emu))
    enable(client, instance_id=emu.add_instance())
    enable(client, instance_id=emu.add_instance())
    assert [r["status"] for r in emu.requests()] == [200, 200]


def test_all_endpoints_failing_lists_every_failure():
    with pytest.raises(exceptions.ConnectionException) as info:
        enable(client_for("http://-unresolvable-:1", "http://-also-unresolvable-:2", config=quick()))
    assert type(info.value) is exceptions.ConnectionException
    assert "-unresolvable-" in info.value.error_msg and "-also-unresolvable-" in info.value.error_msg


def test_connect_phase_failures_are_retried_but_received_requests_never():
    def reset_after_reading(conn):
        read_request(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    with RawServer(reset_after_reading) as server:
        with pytest.raises(exceptions.ConnectionException) as info:
            enable(client_for(server.endpoint, config=quick(retry_times=3)))
        assert server.connections == 1
    assert info.value.outcome_unknown is True


def test_no_credentials_anywhere_is_a_value_error():
    # Every link's reason, in the official words (tests/test_credential_sources.py).
    with pytest.raises(exceptions.ApiValueError, match="^Failed to get credentials from provider chain\n"):
        KafkaClient.new_builder().with_endpoints(["http://127.0.0.1:1"]).build()


def test_no_endpoint_is_a_value_error():
    with pytest.raises(ValueError, match="at least one endpoint"):
        KafkaClient.new_builder().with_credentials(BasicCredentials("AK", "SK", "project")).build()


def test_credentials_from_the_environment(emu, monkeypatch):
    emu.add_credentials("ENVAKTEMPORARY", "env-sk", emu.project_id, security_token="env-token")
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "ENVAKTEMPORARY")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "env-sk")
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", emu.project_id)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", "env-token")
    enable(KafkaClient.new_builder().with_endpoints([emu.endpoint]).build(), instance_id=emu.add_instance())
    (req,) = emu.requests()
    assert req["status"] == 200, "the emulator checked the signature and the registered token"
    assert req["headers"]["x-project-id"] == emu.project_id
    assert req["headers"]["x-security-token"] == "****"  # masked in the emulator's log
    assert "Access=ENVAKTEMPORARY," in req["headers"]["authorization"]
    assert "x-security-token" in req["headers"]["authorization"]


@pytest.mark.parametrize("where", ["env-path", "home"])
def test_credentials_from_the_profile_file(emu, monkeypatch, tmp_path, home, where):
    import os

    text = "[global]\nak = WRONG\nsk = wrong\n\n[basiccredentials]\nak = %s\nsk = %s\nproject_id = %s\n" % (
        emu.ak,
        emu.sk,
        emu.project_id,
    )
    if where == "env-path":
        path = tmp_path / "creds.ini"
        monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(path))
    else:
        path = os.path.join(home, ".huaweicloud", "credentials")
        os.makedirs(os.path.dirname(path), exist_ok=True)  # the official SDK creates it on import
    try:
        with open(path, "w") as f:
            f.write(text)
        enable(KafkaClient.new_builder().with_endpoints([emu.endpoint]).build(), instance_id=emu.add_instance())
    finally:
        if where == "home":
            os.remove(path)
    (req,) = emu.requests()
    assert req["status"] == 200
    assert req["headers"]["x-project-id"] == emu.project_id


def test_region_endpoints_from_the_environment(emu, monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_KAFKA_CN_NORTH_4", "http://-unresolvable-:1," + emu.endpoint)
    region = dmskafka.KafkaRegion.value_of("cn-north-4")
    assert region.endpoints == ["http://-unresolvable-:1", emu.endpoint]
    client = (
        KafkaClient.new_builder().with_credentials(creds(emu)).with_region(region).with_http_config(quick()).build()
    )
    enable(client, instance_id=emu.add_instance())
    assert [r["status"] for r in emu.requests()] == [200]


def test_unknown_region_lists_the_supported_ones():
    with pytest.raises(KeyError, match="cn-north-4"):
        dmskafka.KafkaRegion.value_of("mars-north-1")
    assert dmskafka.KafkaRegion.value_of("ap-southeast-1") is dmskafka.KafkaRegion.AP_SOUTHEAST_1


def _table(static_fields):
    return sorted((key, region.id, list(region.endpoints)) for key, region in static_fields.items())


def test_region_table_is_the_official_one():
    """Every region id and endpoint, both ways, against the official KafkaRegion: the Rust table,
    the Python mapping, the class constants and value_of for each id."""
    theirs = _table(OfficialKafkaRegion.static_fields)
    assert theirs, "the official KafkaRegion lists no region"
    assert sorted((rid, rid, [endpoint]) for rid, endpoint in _core.kafka_regions()) == theirs
    assert _table(dmskafka.KafkaRegion.static_fields) == theirs

    def constants(cls, region_type):
        return {name: (r.id, list(r.endpoints)) for name, r in vars(cls).items() if isinstance(r, region_type)}

    assert constants(dmskafka.KafkaRegion, dmskafka.Region) == constants(OfficialKafkaRegion, OfficialRegion)
    for key, _, endpoints in theirs:
        region = dmskafka.KafkaRegion.value_of(key)
        official = OfficialKafkaRegion.value_of(key)
        assert (region.id, region.endpoints) == (official.id, official.endpoints) == (key, endpoints)


def _region_client(emu, monkeypatch, ak, sk):
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_KAFKA_AP_SOUTHEAST_3", emu.endpoint)
    credentials = BasicCredentials(ak, sk).with_iam_endpoint(emu.iam_endpoint)
    return (
        KafkaClient.new_builder()
        .with_credentials(credentials)
        .with_region(dmskafka.KafkaRegion.value_of("ap-southeast-3"))
        .build()
    )


def test_project_id_is_looked_up_from_iam_once(emu, monkeypatch):
    emu.add_credentials("AKIAMLOOKUP", "iam-sk", "iamproject01", region="ap-southeast-3")
    for _ in range(2):
        instance_id = emu.add_instance(project_id="iamproject01")
        enable(_region_client(emu, monkeypatch, "AKIAMLOOKUP", "iam-sk"), instance_id=instance_id)
    iam, first, second = emu.requests()
    assert (iam["method"], iam["path"], iam["query"], iam["status"]) == (
        "GET",
        "/v3/projects",
        "name=ap-southeast-3",
        200,
    )
    assert "x-project-id" not in iam["headers"] and "content-type" not in iam["headers"]
    assert "SignedHeaders=host;user-agent;x-sdk-date," in iam["headers"]["authorization"]
    assert first["path"].startswith("/v2/iamproject01/") and first["status"] == 200
    assert second["path"].startswith("/v2/iamproject01/") and second["status"] == 200  # no second IAM call


def test_project_lookup_with_no_project_in_the_region(emu, monkeypatch):
    emu.add_credentials("AKLOOKUPNONE", "sk-none", "otherproject01", region="eu-west-0")
    with pytest.raises(exceptions.SdkException, match="Confirm that the project exists"):
        _region_client(emu, monkeypatch, "AKLOOKUPNONE", "sk-none")


def test_project_lookup_with_several_projects(emu, monkeypatch):
    emu.add_credentials("AKLOOKUPMANY", "sk-many", "projectaaa01", region="ap-southeast-3")
    emu.add_credentials("AKLOOKUPMANY", "sk-many", "projectbbb02", region="ap-southeast-3")
    with pytest.raises(exceptions.SdkException, match="Multiple project ids found: \\[projectaaa01,projectbbb02\\]"):
        _region_client(emu, monkeypatch, "AKLOOKUPMANY", "sk-many")


def test_project_lookup_with_a_wrong_secret(emu, monkeypatch):
    emu.add_credentials("AKLOOKUPBAD", "right-sk", "projectccc01")
    with pytest.raises(exceptions.SdkException, match="APIG.0301"):
        _region_client(emu, monkeypatch, "AKLOOKUPBAD", "wrong-sk")


def test_sync_call_works_inside_a_running_event_loop(emu):
    import asyncio

    instance_id = emu.add_instance()

    async def cell():
        return enable(emu_client(emu), instance_id=instance_id).connector_id

    connector_id = asyncio.run(cell())
    emu.advance(10)
    assert emu.show_instance(instance_id)["connector_id"] == connector_id
