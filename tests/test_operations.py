"""The operation table against the official client: every operation dmskafka offers is the
official one (method, path, request and response models), is a method with its invoker on
both clients, and show_connector_resource_info works end to end, on the emulator too."""

import asyncio
import re

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials as OfficialCredentials
from huaweicloudsdkkafka import v2 as official
from servers import Recorder

import dmskafka
from dmskafka import (
    BasicCredentials,
    ClientRequestException,
    CreateConnectorRequest,
    KafkaAsyncClient,
    KafkaClient,
    ShowConnectorResourceInfoRequest,
    ShowInstanceRequest,
    ValidationException,
    _core,
)
from dmskafka.core.http.http_handler import HttpHandler

KAFKA_OPS = [op for op in _core.operations() if op.service == "kafka"]
AK, SK, PROJECT = "AKOPERATIONS", "sk-operations-not-real", "0e7a0e7a0e7a0e7a0e7a0e7a0e7a0e7a"


def our_client(endpoint, kind=KafkaClient):
    return kind.new_builder().with_credentials(BasicCredentials(AK, SK, PROJECT)).with_endpoints([endpoint]).build()


def their_client(endpoint):
    return (
        official.KafkaClient.new_builder()
        .with_credentials(OfficialCredentials(AK, SK, PROJECT))
        .with_endpoint(endpoint)
        .build()
    )


@pytest.mark.parametrize("op", KAFKA_OPS, ids=lambda op: op.name)
def test_each_operation_is_the_official_one(op):
    request_class = getattr(official, op.request)
    info = getattr(official.KafkaClient, "_%s_http_info" % op.name)(request_class())
    assert (op.method, op.path, op.response) == (info["method"], info["resource_path"], info["response_type"])
    # The path parameters are the request model's fields the official client puts in the path.
    placeholders = re.findall(r"\{(\w+)\}", info["resource_path"])
    assert op.path_params == [p for p in placeholders if p != "project_id"]
    assert set(op.path_params + op.query_params) <= set(request_class.openapi_types)
    assert (op.body is not None) == ("body" in request_class.openapi_types)


@pytest.mark.parametrize("op", KAFKA_OPS, ids=lambda op: op.name)
def test_each_operation_is_a_method_and_an_invoker_on_both_clients(op):
    for cls, name in ((KafkaClient, op.name), (KafkaAsyncClient, op.name + "_async")):
        assert callable(getattr(cls, name)) and callable(getattr(cls, name + "_invoker"))
        assert hasattr(official.KafkaClient if cls is KafkaClient else official.KafkaAsyncClient, name)


def test_a_request_of_another_operation_is_refused_before_sending():
    with Recorder() as server:
        client = our_client(server.endpoint)
        with pytest.raises(TypeError, match="ShowBackgroundTaskRequest"):
            client.show_background_task(ShowInstanceRequest(instance_id="i1"))
        with pytest.raises(ValidationException) as raised:
            client.show_instance(ShowInstanceRequest())
        assert raised.value.field == "instance_id"
        assert server.requests == []


def test_show_connector_resource_info_reads_the_body_as_the_official_client():
    with Recorder() as server:
        for _ in range(2):
            server.reply(200, {"soldOut": True})
        ours = (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials(AK, SK, PROJECT))
            .with_endpoints([server.endpoint])
            .build()
            .show_connector_resource_info(ShowConnectorResourceInfoRequest(instance_id="i1"))
        )
        theirs = their_client(server.endpoint).show_connector_resource_info(
            official.ShowConnectorResourceInfoRequest(instance_id="i1")
        )
    assert ours.sold_out is theirs.sold_out is True
    assert str(ours) == str(theirs)  # the official to_str: JSON under the JSON names


def test_the_emulator_sells_out_connector_resources(dmskafka_emulator):
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    client = (
        KafkaAsyncClient.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([emu.endpoint])
        .build()
    )
    official_client = (
        official.KafkaClient.new_builder()
        .with_credentials(OfficialCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoint(emu.endpoint)
        .build()
    )

    def sold_out():
        ours = client.show_connector_resource_info_async(ShowConnectorResourceInfoRequest(instance_id=instance_id))
        theirs = official_client.show_connector_resource_info(
            official.ShowConnectorResourceInfoRequest(instance_id=instance_id)
        )
        assert ours.result().sold_out is theirs.sold_out
        return theirs.sold_out

    assert sold_out() is False
    emu.set_connector_sold_out(True)
    assert sold_out() is True
    with pytest.raises(ClientRequestException) as raised:
        client.create_connector_async(CreateConnectorRequest(instance_id=instance_id)).result()
    assert (raised.value.status_code, raised.value.error_code) == (400, "DMS.00400900")
    assert not emu.show_instance(instance_id)["connector_enable"]
    emu.set_connector_sold_out(False)
    assert client.create_connector_async(CreateConnectorRequest(instance_id=instance_id)).result().job_id


def test_a_handler_of_an_async_call_may_call_the_sdk(dmskafka_emulator):
    # Done-callbacks run on the runtime's blocking pool, so a sync call inside one works.
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    sync = (
        KafkaClient.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([emu.endpoint])
        .build()
    )
    seen = []

    def look(response, logger):
        seen.append(sync.show_instance(ShowInstanceRequest(instance_id=instance_id)).instance_id)

    client = (
        KafkaAsyncClient.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([emu.endpoint])
        .with_http_handler(HttpHandler().add_response_handler(look))
        .build()
    )

    async def main():
        return await client.show_instance_async(ShowInstanceRequest(instance_id=instance_id))

    assert asyncio.run(main()).instance_id == instance_id
    assert seen == [instance_id]


def test_an_added_authorization_is_sent_unsigned_as_the_official_sends_it():
    with Recorder() as ours_server, Recorder() as official_server:
        (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials(AK, SK, PROJECT))
            .with_endpoints([ours_server.endpoint])
            .build()
            .show_instance_invoker(ShowInstanceRequest(instance_id="i1"))
            .add_header("Authorization", "Bearer opaque")
            .invoke()
        )
        (
            their_client(official_server.endpoint)
            .show_instance_invoker(official.ShowInstanceRequest(instance_id="i1"))
            .add_header("Authorization", "Bearer opaque")
            .invoke()
        )
    (ours,), (theirs,) = ours_server.requests, official_server.requests
    assert ours["headers"]["Authorization"] == theirs["headers"]["Authorization"] == "Bearer opaque"


@pytest.mark.parametrize("name", ["Content-Length", "transfer-encoding"])
def test_framing_headers_cannot_be_added(name):
    with Recorder() as server:
        client = our_client(server.endpoint)
        with pytest.raises(ValidationException) as raised:
            client.show_instance_invoker(ShowInstanceRequest(instance_id="i1")).add_header(name, "5").invoke()
        assert raised.value.field == "header name"
        assert server.requests == []


def test_a_request_of_another_operation_never_sends_that_operation():
    # create_connector(ShowInstanceRequest(...)) would POST an enable with the defaults.
    with Recorder() as server:
        client = our_client(server.endpoint)
        with pytest.raises(TypeError, match="CreateConnectorRequest"):
            client.create_connector(ShowInstanceRequest(instance_id="i1"))
        # The official models are accepted as ours are (same names).
        assert client.show_instance(official.ShowInstanceRequest(instance_id="i1")).status_code == 200
        assert [r["method"] for r in server.requests] == ["GET"]


def test_an_unreadable_2xx_is_shown_to_handlers_and_says_the_call_was_accepted():
    seen = []
    with Recorder() as server:
        server.reply(202, {"job_id": "j"})
        client = (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials(AK, SK, PROJECT))
            .with_endpoints([server.endpoint])
            .with_http_handler(HttpHandler().add_response_handler(lambda response, logger: seen.append(response)))
            .build()
        )
        with pytest.raises(dmskafka.ServerResponseException) as raised:
            client.create_connector(CreateConnectorRequest(instance_id="i1"))
    assert raised.value.error_code == "SDK.InvalidResponse" and "accepted" in raised.value.error_msg
    assert [r.status_code for r in seen] == [202]


def test_the_core_refuses_a_body_for_an_operation_without_one_and_an_iam_operation():
    (show,) = [op for op in _core.operations() if op.name == "show_instance"]
    (iam,) = [op for op in _core.operations() if op.service == "iam"]
    with Recorder() as server:
        client = our_client(server.endpoint)
        with pytest.raises(ValidationException) as raised:
            client._core.call(show, [("instance_id", "i1")], {"node_cnt": 2})
        assert raised.value.field == "body"
        with pytest.raises(ValidationException) as raised:
            client._core.call(iam, [("name", "cn-north-4")])
        assert raised.value.field == "op"
        assert server.requests == []
