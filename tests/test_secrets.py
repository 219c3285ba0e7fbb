"""The secret key and the security token never show: a representative session with known
secrets (built from explicit credentials, the environment, a profile file, IAM discovery and
the temporary keys of the ECS metadata service, OIDC/STS and pod identity, refreshed too;
calls that succeed and calls that fail every way we can provoke; a caught panic whose message
shows a client) runs with logging at DEBUG, an HTTP handler and warnings recorded, and
everything printed (at the file-descriptor level, Rust included) or logged is scanned for the
secrets, also URL-encoded and base64-encoded."""

import asyncio
import base64
import datetime
import logging
import pickle
import traceback
import warnings
from urllib.parse import quote, quote_plus

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials as OfficialCredentials
from huaweicloudsdkcore.signer.signer import P256SHA256Signer, SM2SM3Signer
from servers import Metadata, Recorder, closed_port, credential

from dmskafka import (
    BasicCredentials,
    CreateConnectorReq,
    CreateConnectorRequest,
    DeleteConnectorRequest,
    HttpConfig,
    KafkaAsyncClient,
    KafkaClient,
    Region,
    ShowBackgroundTaskRequest,
    ShowInstanceRequest,
    _core,
    exceptions,
)
from dmskafka.core.http.http_handler import HttpHandler
from dmskafka.http_config import SigningAlgorithm

AK = "AKSECRETSCAN"
# Characters that change under URL-encoding, so the encoded forms differ from the raw ones.
SK = "sK/9+secret=Key&7Qz"
TOKEN = "tOk/en+Secret=Token&5Rx"
PROXY_PASSWORD = "pr0xy/Pass+word=9"
# The OIDC id token and the pod identity agent's token are secrets too.
ID_TOKEN = "iD/t0ken+Secret=Oidc&4Pw"
POD_TOKEN = "p0d/Auth+Secret=Token&8Kv"
# The metadata service's session token (X-Metadata-Token; the fake numbers them) and the
# unscoped token IAM federation buys with the id token (X-Subject-Token).
METADATA_TOKEN = "mEta/Session+Secret=Tok&3Jn"
SUBJECT_TOKEN = "sUbj/Unscoped+Secret=Tok&6Hd"


def derived_key_forms(signer_class):
    """The ECDSA/SM2 private key the official signer derives from AK/SK, as an integer in
    hex (either case), decimal and its 32 bytes in base64."""
    key = signer_class(OfficialCredentials(AK, SK))._derive_key()
    raw = key.to_bytes(32, "big")
    return {"%064x" % key, "%064X" % key, "%x" % key, str(key), base64.b64encode(raw).decode()}


def forms(secret):
    raw = secret.encode()
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
        raw.hex(),
    }


FORBIDDEN = (
    forms(SK)
    | forms(TOKEN)
    | forms(PROXY_PASSWORD)
    | forms(ID_TOKEN)
    | forms(POD_TOKEN)
    | forms(METADATA_TOKEN + "1")
    | forms(METADATA_TOKEN + "2")
    | forms(SUBJECT_TOKEN)
    | derived_key_forms(P256SHA256Signer)
    | derived_key_forms(SM2SM3Signer)
)


def leaks(text):
    return sorted(f for f in FORBIDDEN if f in text)


def test_the_scan_would_see_a_leak():
    assert leaks("header: " + base64.b64encode(SK.encode()).decode()) != []
    assert leaks("url?t=" + quote_plus(TOKEN)) != []


class Session:
    """Runs calls and keeps every str/repr of what they return or raise."""

    def __init__(self):
        self.seen = []

    def show(self, *objects):
        for obj in objects:
            self.seen.append(repr(obj))
            self.seen.append(str(obj))
            print(obj, repr(obj))

    def exception(self, e):
        self.show(e, e.__dict__, getattr(e, "args", None))
        self.seen.append("".join(traceback.format_exception(type(e), e, e.__traceback__)))
        self.seen.append(repr(pickle.dumps(e)))

    def run(self, call):
        try:
            result = call()
        except (exceptions.SdkException, ValueError, TypeError, KeyError) as e:
            self.exception(e)
            return None
        self.show(result)
        for attr in ("to_dict", "to_str", "to_json_object"):
            if hasattr(result, attr):
                self.show(getattr(result, attr)())
        return result


def quick(**kwargs):
    config = HttpConfig.get_default_config()
    config.timeout = (0.5, 0.5)
    for k, v in kwargs.items():
        setattr(config, k, v)
    return config


@pytest.fixture
def debug_logging(caplog):
    """DEBUG on the root and `dmskafka` loggers, through caplog and a stderr handler."""
    root = logging.getLogger()
    handler = logging.StreamHandler()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="dmskafka")
    yield caplog
    root.removeHandler(handler)
    ours = logging.getLogger("dmskafka")
    for h in list(ours.handlers):
        ours.removeHandler(h)
    ours.setLevel(logging.NOTSET)


def temporary_key_sources(s, emu, monkeypatch, tmp_path, builder):
    """Keys from the ECS metadata service (refreshed), OIDC/STS (and its refusal) and pod
    identity sign calls; the chain fails with every reason listed."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    expired, later = now - datetime.timedelta(minutes=1), now + datetime.timedelta(hours=6)
    answer = credential(AK, SK, TOKEN, later)
    iid = emu.add_instance()
    with Metadata([credential(AK, SK, TOKEN, expired), answer]) as fake:
        fake.token_format = METADATA_TOKEN + "%d"
        monkeypatch.setenv("DMSKAFKA_TEST_METADATA_ENDPOINT", fake.endpoint)
        client = s.run(lambda: builder(creds=BasicCredentials(project_id=emu.project_id)).build())
        for _ in range(2):  # the second call refreshes first
            s.run(lambda: client.show_instance(ShowInstanceRequest(instance_id=iid)))
        s.show(client, client.get_credentials(), client._core, client._core.keys)
        assert len(fake.key_requests()) == 2, "the keys were refreshed"
        assert fake.requests[-1][2].get("X-Metadata-Token") == METADATA_TOKEN + "1", "the session token was sent"
    # IAM federation: the unscoped token buys keys, then (second client) is refused with them.
    fed_token = tmp_path / "fed_id_token"
    fed_token.write_text(ID_TOKEN)
    with Recorder() as iam:
        for status in (201, 401):
            iam.reply(201, {"token": {"methods": ["mapped"]}}, {"X-Subject-Token": SUBJECT_TOKEN})
            iam.reply(status, {"credential": answer} if status == 201 else {"error_msg": "no", "error_code": "IAM.1"})
        for name, value in [
            ("HUAWEICLOUD_SDK_IDP_ID", "idp1"),
            ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", str(fed_token)),
            ("HUAWEICLOUD_SDK_PROJECT_ID", emu.project_id),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", iam.endpoint),
        ]:
            monkeypatch.setenv(name, value)
        for _ in range(2):
            client = s.run(lambda: KafkaClient.new_builder().with_endpoints([emu.endpoint]).build())
            s.run(lambda c=client: c.show_instance(ShowInstanceRequest(instance_id=iid)))
            s.show(client.get_credentials(), client._core.keys)
        assert [SUBJECT_TOKEN.encode() in r["body"] for r in iam.requests] == [False, True] * 2
    for name in ("IDP_ID", "ID_TOKEN_FILE", "IAM_ENDPOINT"):
        monkeypatch.delenv("HUAWEICLOUD_SDK_" + name)
    token_file = tmp_path / "id_token"
    token_file.write_text(ID_TOKEN)
    with Recorder() as sts:
        sts.reply(200, {"credential": answer})
        sts.reply(400, {"error_code": "STS.0104", "error_msg": "the id token is expired"})
        for name, value in [
            ("HUAWEICLOUD_OIDC_PROVIDER_URN", "urn:p"),
            ("HUAWEICLOUD_OIDC_AGENCY_URN", "urn:a"),
            ("HUAWEICLOUD_OIDC_TOKEN_FILE", str(token_file)),
            ("HUAWEICLOUD_SDK_STS_ENDPOINT", sts.endpoint),
            ("HUAWEICLOUD_SDK_PROJECT_ID", emu.project_id),
        ]:
            monkeypatch.setenv(name, value)
        for _ in range(2):  # the STS answers, then refuses
            client = s.run(lambda: KafkaClient.new_builder().with_endpoints([emu.endpoint]).build())
            s.run(lambda c=client: c.show_instance(ShowInstanceRequest(instance_id=iid)))
            s.show(client.get_credentials(), client._core.keys)
        monkeypatch.setenv("HUAWEICLOUD_OIDC_ID_TOKEN", ID_TOKEN)
        s.show(s.run(lambda: KafkaClient.new_builder().with_endpoints([emu.endpoint]).build())._core.keys)
        assert any(b"iD/t0ken" in r["body"] for r in sts.requests), "the id token was sent"
    for name in ("PROVIDER_URN", "AGENCY_URN", "TOKEN_FILE", "ID_TOKEN"):
        monkeypatch.delenv("HUAWEICLOUD_OIDC_" + name)
    pod_token = tmp_path / "pod_token"
    pod_token.write_text(POD_TOKEN)
    with Metadata() as no_agency, Recorder() as agent:
        agent.reply(200, {"credential": answer})
        agent.reply(401, {"error": "denied"})
        monkeypatch.setenv("DMSKAFKA_TEST_METADATA_ENDPOINT", no_agency.endpoint)
        monkeypatch.setenv("HC_CONTAINER_CREDENTIALS_FULL_URI", agent.endpoint + "/credentials")
        monkeypatch.setenv("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(pod_token))
        for _ in range(2):  # the agent answers, then refuses: the chain lists every reason
            client = s.run(lambda: KafkaClient.new_builder().with_endpoints([emu.endpoint]).build())
            if client is not None:
                s.run(lambda c=client: c.show_instance(ShowInstanceRequest(instance_id=iid)))
                s.show(client.get_credentials(), client._core.keys)
    for name in ("CREDENTIALS_FULL_URI", "AUTHORIZATION_TOKEN_FILE"):
        monkeypatch.delenv("HC_CONTAINER_" + name)
    monkeypatch.delenv("HUAWEICLOUD_SDK_PROJECT_ID")


def test_no_secret_in_anything_printed_or_logged(dmskafka_emulator, debug_logging, capfd, monkeypatch, tmp_path):
    emu = dmskafka_emulator
    emu.add_credentials(AK, SK, emu.project_id, security_token=TOKEN)
    s = Session()
    handler = (
        HttpHandler()
        .add_request_handler(lambda **kw: s.show(kw.get("request"), vars(kw.get("request") or object())))
        .add_response_handler(lambda **kw: s.show(kw.get("response")))
    )
    config = quick(
        proxy_protocol="http", proxy_host="127.0.0.1", proxy_port=1, proxy_user="u", proxy_password=PROXY_PASSWORD
    )
    s.show(config, config.get_proxy() and "proxy set")

    def credentials():
        return BasicCredentials(AK, SK, emu.project_id).with_security_token(TOKEN)

    def builder(kind=KafkaClient, endpoint=None, creds=None, **settings):
        return (
            kind.new_builder()
            .with_credentials(creds or credentials())
            .with_endpoints([endpoint or emu.endpoint])
            .with_http_config(quick(**settings))
            .with_http_handler(handler)
            .with_stream_log(log_level=logging.DEBUG)
        )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # -- building: explicit, environment, profile file, IAM discovery -------------------
        client = builder().build()
        s.show(client, client._core, client.get_credentials(), credentials())
        monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
        monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
        monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", emu.project_id)
        monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", TOKEN)
        from_env = KafkaClient.new_builder().with_endpoints([emu.endpoint]).build()
        s.show(from_env, from_env.get_credentials())
        for name in ("AK", "SK", "PROJECT_ID", "SECURITY_TOKEN"):
            monkeypatch.delenv("HUAWEICLOUD_SDK_" + name)
        profile = tmp_path / "credentials"
        profile.write_text(
            "[basiccredentials]\nak = %s\nsk = %s\nproject_id = %s\nsecurity_token = %s\n"
            % (AK, SK, emu.project_id, TOKEN)
        )
        monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(profile))
        from_file = KafkaClient.new_builder().with_endpoints([emu.endpoint]).build()
        s.show(from_file, from_file.get_credentials())
        discovered = s.run(
            lambda: (
                KafkaClient.new_builder()
                .with_credentials(
                    BasicCredentials(AK, SK).with_security_token(TOKEN).with_iam_endpoint(emu.iam_endpoint)
                )
                .with_region(Region("cn-north-4", emu.endpoint))
                .build()
            )
        )
        s.show(discovered)
        monkeypatch.delenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE")
        temporary_key_sources(s, emu, monkeypatch, tmp_path, builder)

        # A token with a line break is refused at build; the message must not quote it.
        bad_token = BasicCredentials(AK, SK, emu.project_id).with_security_token(TOKEN + "\r\n")
        s.run(lambda: builder(creds=bad_token).build())

        # -- calls that succeed --------------------------------------------------------------
        iid = emu.add_instance()
        created = s.run(
            lambda: client.create_connector(
                CreateConnectorRequest(instance_id=iid, body=CreateConnectorReq(node_cnt=2))
            )
        )
        s.run(lambda: client.show_instance(ShowInstanceRequest(instance_id=iid)))
        s.run(lambda: client.show_background_task(ShowBackgroundTaskRequest(instance_id=iid, task_id=created.job_id)))
        emu.advance(10)
        s.run(lambda: client.wait_for_job(iid, created.job_id, timeout=5, poll_interval=0.1))
        s.run(lambda: client.delete_connector(DeleteConnectorRequest(instance_id=iid)))
        s.run(lambda: from_env.show_instance(ShowInstanceRequest(instance_id=iid)))
        s.run(lambda: from_file.show_instance(ShowInstanceRequest(instance_id=iid)))
        s.run(
            lambda: (
                client.create_connector_invoker(CreateConnectorRequest(instance_id=emu.add_instance()))
                .add_header("X-Extra", "1")
                .invoke()
            )
        )
        # The ECDSA and SM2 keys derived from the AK/SK sign these; a wrong SK fails one.
        for algorithm in (SigningAlgorithm.ECDSA_P256_SHA256, SigningAlgorithm.SM2_SM3):
            signed = s.run(lambda a=algorithm: builder(signing_algorithm=a).build())
            s.run(lambda c=signed: c.show_instance(ShowInstanceRequest(instance_id=iid)))
            s.show(signed, signed._core)
            wrong = BasicCredentials(AK, SK + "x", emu.project_id).with_security_token(TOKEN)
            rejected = s.run(lambda a=algorithm, w=wrong: builder(creds=w, signing_algorithm=a).build())
            s.run(lambda c=rejected: c.show_instance(ShowInstanceRequest(instance_id=iid)))
        async_client = builder(KafkaAsyncClient).build()

        async def async_calls():
            await async_client.show_instance_async(ShowInstanceRequest(instance_id=iid))
            try:
                await async_client.show_instance_async(ShowInstanceRequest(instance_id="missing"))
            except exceptions.SdkException as e:
                s.exception(e)
            try:
                await _core._test_panic("async", async_client._core)
            except exceptions.SdkException as e:
                s.exception(e)

        asyncio.run(async_calls())

        # -- calls that fail, every way we can provoke -------------------------------------
        fresh = emu.add_instance()
        enable = lambda c=client: c.create_connector(CreateConnectorRequest(instance_id=fresh))  # noqa: E731
        s.run(
            lambda: (
                builder(creds=BasicCredentials(AK, SK, emu.project_id).with_security_token(TOKEN + "x"))
                .build()
                .show_instance(ShowInstanceRequest(instance_id=iid))
            )
        )  # wrong token: 401
        s.run(
            lambda: (
                builder(creds=BasicCredentials(AK, SK + "x", emu.project_id).with_security_token(TOKEN))
                .build()
                .show_instance(ShowInstanceRequest(instance_id=iid))
            )
        )  # wrong SK: 401
        s.run(lambda: client.show_instance(ShowInstanceRequest(instance_id="missing")))  # 404
        for fault in [
            {"status": 500},
            {"status": 429},
            {"status": 503, "body": "down"},
            {"drop_connection": True},
            {"truncate_body": True},
            {"body": "<html/>"},
            {"latency": 3},
            {"trickle": 3},
        ]:
            emu.inject_fault("create_connector", count=1, **fault)
            s.run(enable)
        s.run(lambda: enable(builder(max_response_bytes=8).build()))
        s.run(lambda: client.create_connector(CreateConnectorRequest(instance_id="{instance_id}")))
        s.run(
            lambda: client.create_connector(
                CreateConnectorRequest(instance_id=fresh, body=CreateConnectorReq(node_cnt="two"))
            )
        )
        s.run(lambda: enable(builder(endpoint="http://127.0.0.1:%d" % closed_port()).build()))
        s.run(lambda: enable(builder(endpoint="http://-unresolvable-:1").build()))
        s.run(lambda: enable(builder(endpoint=emu.endpoint.replace("http:", "https:")).build()))  # TLS to plain
        s.run(lambda: enable(builder(user_agent="x\ud800").build()))
        s.run(lambda: client.create_connector(CreateConnectorRequest(instance_id=fresh), [("X A", "v")]))
        try:
            _core._test_panic("sync", client._core)
        except exceptions.SdkException as e:
            s.exception(e)

        # -- the emulator's request log ------------------------------------------------------
        log = emu.requests()
        s.show(log)
        assert any(r["headers"].get("x-security-token") == "****" for r in log), "the token was sent"

    for w in caught:
        s.show(warnings.formatwarning(w.message, w.category, w.filename, w.lineno))
    out, err = capfd.readouterr()
    records = [r.getMessage() for r in debug_logging.records]
    everything = "\n".join([out, err, debug_logging.text, *records, *s.seen])

    # The capture saw the session: logs, the panic (printed by Rust's hook on fd 2), failures.
    assert "test panic (sync)" in err and "test panic (async)" in err
    assert "create_connector" in everything or "connector" in debug_logging.text
    assert "APIG.0301" in everything and "DMS.00404022" in everything
    assert records, "nothing was logged"
    assert leaks(everything) == []
