"""The official Huawei Cloud SDK against the emulator: its requests pass the emulator's
gateway checks and a wrong SK fails them. The emulator checks signatures the way the real
gateway does, not the way dmskafka happens to compute them. (conftest.py points HOME at a
temporary folder before the official SDK writes its application_id file there.)"""

import http.client

import pytest

from dmskafka.testing import Emulator


@pytest.fixture
def official():
    """The official modules, imported under the test run's HOME."""
    from types import SimpleNamespace

    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions import exceptions
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkcore.region.region import Region
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm
    from huaweicloudsdkkafka.v2 import (
        CreateConnectorReq,
        CreateConnectorRequest,
        DeleteConnectorRequest,
        KafkaClient,
        ShowBackgroundTaskRequest,
        ShowInstanceRequest,
    )

    return SimpleNamespace(
        BasicCredentials=BasicCredentials,
        exceptions=exceptions,
        HttpConfig=HttpConfig,
        Region=Region,
        SdkRequest=SdkRequest,
        SigningAlgorithm=SigningAlgorithm,
        CreateConnectorReq=CreateConnectorReq,
        CreateConnectorRequest=CreateConnectorRequest,
        DeleteConnectorRequest=DeleteConnectorRequest,
        KafkaClient=KafkaClient,
        ShowBackgroundTaskRequest=ShowBackgroundTaskRequest,
        ShowInstanceRequest=ShowInstanceRequest,
    )


def official_client(o, emu, *, ak=None, sk=None, project_id=None, token=None, algorithm="HMAC_SHA256"):
    credentials = o.BasicCredentials(ak or emu.ak, sk or emu.sk, project_id or emu.project_id)
    if token:
        credentials = credentials.with_security_token(token)
    config = o.HttpConfig.get_default_config()
    config.signing_algorithm = o.SigningAlgorithm[algorithm]
    return (
        o.KafkaClient.new_builder()
        .with_credentials(credentials)
        .with_endpoints([emu.endpoint])
        .with_http_config(config)
        .build()
    )


ALGORITHMS = {
    "HMAC_SHA256": "SDK-HMAC-SHA256",
    "HMAC_SM3": "SDK-HMAC-SM3",
    "ECDSA_P256_SHA256": "SDK-ECDSA-P256-SHA256",
    "SM2_SM3": "SDK-SM2-SM3",
}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_official_sdk_with_each_signing_algorithm(official, dmskafka_emulator, algorithm):
    """The emulator verifies every official algorithm (ECDSA and SM2 with the public key it
    derives from the AK/SK); a wrong SK fails each."""
    o, emu = official, dmskafka_emulator
    iid = emu.add_instance()
    client = official_client(o, emu, algorithm=algorithm)
    created = client.create_connector(o.CreateConnectorRequest(instance_id=iid, body=o.CreateConnectorReq(node_cnt=2)))
    assert created.job_id and created.connector_id
    assert client.show_instance(o.ShowInstanceRequest(instance_id=iid)).status == "EXTENDING"
    assert [r["status"] for r in emu.requests()] == [200, 200]
    assert all(r["headers"]["authorization"].startswith(ALGORITHMS[algorithm] + " ") for r in emu.requests())

    with pytest.raises(o.exceptions.ClientRequestException) as info:
        official_client(o, emu, sk="not-the-secret-key", algorithm=algorithm).show_instance(
            o.ShowInstanceRequest(instance_id=iid)
        )
    assert (info.value.status_code, info.value.error_code) == (401, "APIG.0301")
    assert "signature" in info.value.error_msg


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_an_official_signature_changed_in_one_digit_is_refused(official, dmskafka_emulator, algorithm):
    o, emu = official, dmskafka_emulator
    iid = emu.add_instance()
    host = emu.endpoint.split("://", 1)[1]
    path = f"/v2/{emu.project_id}/instances/{iid}"
    request = o.SdkRequest(
        method="GET",
        schema="http",
        host=host,
        resource_path=path,
        query_params=[],
        header_params={"X-Project-Id": emu.project_id},
        signing_algorithm=o.SigningAlgorithm[algorithm],
    )
    headers = o.BasicCredentials(emu.ak, emu.sk).sign_request(request).header_params
    authorization = headers["Authorization"]
    assert authorization.startswith(ALGORITHMS[algorithm] + " ")
    tampered = authorization[:-1] + ("1" if authorization.endswith("0") else "0")

    def status(auth):
        connection = http.client.HTTPConnection(host, timeout=10)
        try:
            connection.request("GET", path, headers={**headers, "Authorization": auth})
            return connection.getresponse().status
        finally:
            connection.close()

    assert status(authorization) == 200
    assert status(tampered) == 401


def test_official_sdk_runs_the_whole_flow(official, dmskafka_emulator):
    o, emu = official, dmskafka_emulator
    iid = emu.add_instance()
    client = official_client(o, emu)

    created = client.create_connector(o.CreateConnectorRequest(instance_id=iid, body=o.CreateConnectorReq(node_cnt=2)))
    assert created.job_id and created.connector_id

    task = client.show_background_task(o.ShowBackgroundTaskRequest(instance_id=iid, task_id=created.job_id))
    assert (task.task_count, task.tasks[0].id, task.tasks[0].status) == ("1", created.job_id, "CREATED")

    emu.advance(5)
    shown = client.show_instance(o.ShowInstanceRequest(instance_id=iid))
    assert (shown.status, shown.charging_mode, shown.connector_enable) == ("RUNNING", 1, True)
    assert (shown.connector_id, shown.connector_node_num) == (created.connector_id, 2)

    deleted = client.delete_connector(o.DeleteConnectorRequest(instance_id=iid))
    assert deleted.job_id
    assert client.show_instance(o.ShowInstanceRequest(instance_id=iid)).status == "CONNECTOR_DELETING"
    emu.advance(5)
    assert client.show_instance(o.ShowInstanceRequest(instance_id=iid)).connector_enable is False
    # Every one of those requests passed the signature check.
    assert [r["status"] for r in emu.requests()] == [200] * 6


def test_official_sdk_old_flavor_sample_from_the_seed(official, dmskafka_emulator):
    o, emu = official, dmskafka_emulator
    iid = emu.add_instance(flavor="old", specification="100MB")
    body = o.CreateConnectorReq(spec_code="kafka.c3.mini.connector", node_cnt="2", specification="100MB")
    created = official_client(o, emu).create_connector(o.CreateConnectorRequest(instance_id=iid, body=body))
    assert created.connector_id


def test_official_sdk_with_a_wrong_sk_is_rejected_like_at_the_gateway(official, dmskafka_emulator):
    o, emu = official, dmskafka_emulator
    iid = emu.add_instance()
    client = official_client(o, emu, sk="not-the-secret-key")
    with pytest.raises(o.exceptions.ClientRequestException) as info:
        client.create_connector(o.CreateConnectorRequest(instance_id=iid, body=o.CreateConnectorReq(node_cnt=2)))
    assert (info.value.status_code, info.value.error_code) == (401, "APIG.0301")
    assert "signature" in info.value.error_msg
    assert info.value.request_id == emu.requests()[-1]["request_id"]
    assert emu.show_instance(iid)["tasks"] == []


def test_official_sdk_service_errors_carry_dms_codes(official, dmskafka_emulator):
    o, emu = official, dmskafka_emulator
    client = official_client(o, emu)
    with pytest.raises(o.exceptions.ClientRequestException) as info:
        client.show_instance(o.ShowInstanceRequest(instance_id="no-such-instance"))
    assert (info.value.status_code, info.value.error_code) == (404, "DMS.00404022")
    iid = emu.add_instance(charging_mode="prePaid")
    with pytest.raises(o.exceptions.ClientRequestException) as info:
        client.create_connector(o.CreateConnectorRequest(instance_id=iid, body=o.CreateConnectorReq(node_cnt=2)))
    assert info.value.error_code == "DMS.00400016"


def test_official_sdk_temporary_credentials(official, dmskafka_emulator):
    o, emu = official, dmskafka_emulator
    emu.add_credentials("STSAK", "sts-secret", emu.project_id, security_token="sts-session-token")
    iid = emu.add_instance()
    client = official_client(o, emu, ak="STSAK", sk="sts-secret", token="sts-session-token")
    assert client.show_instance(o.ShowInstanceRequest(instance_id=iid)).instance_id == iid
    with pytest.raises(o.exceptions.ClientRequestException) as info:
        official_client(o, emu, ak="STSAK", sk="sts-secret").show_instance(o.ShowInstanceRequest(instance_id=iid))
    assert info.value.status_code == 401


def test_official_sdk_discovers_the_project_from_the_emulated_iam(official):
    o = official
    with Emulator() as emu:
        iid = emu.add_instance()
        credentials = o.BasicCredentials(emu.ak, emu.sk).with_iam_endpoint(emu.iam_endpoint)
        client = (
            o.KafkaClient.new_builder()
            .with_credentials(credentials)
            .with_region(o.Region("cn-north-4", emu.endpoint))
            .build()
        )
        assert client.show_instance(o.ShowInstanceRequest(instance_id=iid)).instance_id == iid
        assert [r["route"] for r in emu.requests()] == ["keystone_list_projects", "show_instance"]

        emu.add_credentials(emu.ak, emu.sk, "anotherproject")
        with pytest.raises(o.exceptions.SdkException, match="Multiple project ids"):
            o.KafkaClient.new_builder().with_credentials(
                o.BasicCredentials(emu.ak, emu.sk).with_iam_endpoint(emu.iam_endpoint)
            ).with_region(o.Region("cn-north-1", emu.endpoint)).build()
