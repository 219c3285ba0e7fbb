"""The same calls through the official SDK and through dmskafka, to one recording server:
method, path, headers and JSON body must agree, and every signature must verify with the
official signer over the request as it arrived. Error responses: test_differential_errors.py."""

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials as OfficialCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkkafka import v2 as official
from servers import OK_BODY

import dmskafka

AK, SK, PROJECT = "AKDIFFTEST", "sk-diff-secret-not-real", "a1b2c3d4e5f60718293a4b5c6d7e8f90"
INSTANCE = "0b9c4a52-2f64-4d0e-8e1c-6f7a8b9c0d1e"
TOKEN = "security-token-value-not-real"
# Added by the HTTP libraries, not by the SDKs: they are not signed and may differ.
TRANSPORT = {"accept", "accept-encoding", "connection", "content-length", "user-agent", "x-sdk-date", "authorization"}


def _clients(endpoint, token):
    off_creds = OfficialCredentials(AK, SK, PROJECT)
    ours_creds = dmskafka.BasicCredentials(AK, SK, PROJECT)
    if token:
        off_creds.with_security_token(token)
        ours_creds.with_security_token(token)
    off = official.KafkaClient.new_builder().with_credentials(off_creds).with_endpoints([endpoint]).build()
    ours = dmskafka.KafkaClient.new_builder().with_credentials(ours_creds).with_endpoints([endpoint]).build()
    return off, ours


CALLS = [
    (
        "create_connector",
        lambda m: m.CreateConnectorRequest(instance_id=INSTANCE, body=m.CreateConnectorReq(node_cnt=2)),
    ),
    (
        "create_connector",
        lambda m: m.CreateConnectorRequest(instance_id=INSTANCE, body=m.CreateConnectorReq(node_cnt="2")),
    ),
    (
        "create_connector",
        lambda m: m.CreateConnectorRequest(
            instance_id=INSTANCE,
            body=m.CreateConnectorReq(spec_code="kafka.c3.mini.connector", node_cnt="2", specification="100MB"),
        ),
    ),
    ("show_instance", lambda m: m.ShowInstanceRequest(instance_id=INSTANCE)),
    ("show_connector_resource_info", lambda m: m.ShowConnectorResourceInfoRequest(instance_id=INSTANCE)),
    ("show_background_task", lambda m: m.ShowBackgroundTaskRequest(instance_id=INSTANCE, task_id="task-0001")),
    ("delete_connector", lambda m: m.DeleteConnectorRequest(instance_id=INSTANCE)),
]


def _lower(headers):
    return {k.lower(): v for k, v in headers.items()}


def _verify_with_official_signer(recorded):
    """Re-signs the request as received with the official Signer: it must give the same Authorization."""
    headers = _lower(recorded["headers"])
    auth = headers["authorization"]
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    url = urlsplit(recorded["path"])
    request = SdkRequest(
        method=recorded["method"],
        schema="http",
        host=headers["host"],
        resource_path=url.path,
        query_params=parse_qsl(url.query, keep_blank_values=True),
        header_params={name: headers[name] for name in signed},
        body=recorded["body"],
    )
    Signer(OfficialCredentials(AK, SK)).sign(request)
    assert request.header_params["Authorization"] == auth


@pytest.mark.parametrize("token", [None, TOKEN])
@pytest.mark.parametrize("operation, make", CALLS)
def test_same_request_on_the_wire(recorder, operation, make, token):
    off, ours = _clients(recorder.endpoint, token)
    getattr(off, operation)(make(official))
    getattr(ours, operation)(make(dmskafka))
    theirs, mine = recorder.requests
    assert mine["method"] == theirs["method"]
    assert mine["path"] == theirs["path"]
    mine_h, theirs_h = _lower(mine["headers"]), _lower(theirs["headers"])
    assert {k: v for k, v in mine_h.items() if k not in TRANSPORT} == {
        k: v for k, v in theirs_h.items() if k not in TRANSPORT
    }

    def signed(h):
        return h["authorization"].split("SignedHeaders=")[1].split(",")[0]

    assert signed(mine_h) == signed(theirs_h)
    if theirs["body"]:
        ours_body, their_body = json.loads(mine["body"]), json.loads(theirs["body"])
        if "node_cnt" in their_body:  # the official SDK sends node_cnt as given; dmskafka as a number
            their_body["node_cnt"] = int(their_body["node_cnt"])
        assert ours_body == their_body
    else:
        # An omitted body: the official SDK sends none, dmskafka `{}` (create) or none (show/delete).
        assert mine["body"] in (b"", b"{}")
    _verify_with_official_signer(mine)
    _verify_with_official_signer(theirs)


def test_same_response_objects(recorder):
    off, ours = _clients(recorder.endpoint, None)
    theirs = off.create_connector(CALLS[0][1](official))
    mine = ours.create_connector(CALLS[0][1](dmskafka))
    assert str(mine) == str(theirs) == json.dumps(OK_BODY)
    assert (mine.status_code, mine.raw_content) == (theirs.status_code, theirs.raw_content)
