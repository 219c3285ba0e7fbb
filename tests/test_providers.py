"""The official credential provider classes at their official import path
(dmskafka.core.auth.provider), provider by provider against the official ones on the same
environment, files and local fakes; the profile file read as configparser reads it; and the
chain the official `build()` runs without credentials (credential type "BasicCredentials")."""

import configparser
import contextlib
import datetime
import io

import pytest
from huaweicloudsdkcore.auth import internal as official_internal
from huaweicloudsdkcore.auth import provider as official
from huaweicloudsdkkafka.v2 import KafkaClient as OfficialClient
from servers import Metadata, credential

from dmskafka import KafkaClient, ShowInstanceRequest, exceptions
from dmskafka.core.auth import provider as ours

NOW = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
LATER = NOW + datetime.timedelta(hours=6)
# Expired already when fetched: renewed before the next call (keys fetched with less than
# the 40-minute margin left are otherwise used until they expire).
EXPIRED = NOW - datetime.timedelta(minutes=1)
FIELDS = ("ak", "sk", "security_token", "project_id", "idp_id", "id_token_file", "iam_endpoint")
PROVIDERS = [
    ("CredentialProviderChain", "get_basic_credential_provider_chain"),
    ("CredentialProviderChain", "get_basic"),
    ("EnvCredentialProvider", "get_basic_credential_env_provider"),
    ("EnvCredentialProvider", "get_basic"),
    ("ProfileCredentialProvider", "get_basic_credential_profile_provider"),
    ("ProfileCredentialProvider", "get_basic"),
    ("MetadataCredentialProvider", "get_basic_credential_metadata_provider"),
    ("MetadataCredentialProvider", "get_basic"),
    ("OidcStsCredentialProvider", "get_basic_credential_oidc_provider"),
    ("OidcStsCredentialProvider", "get_basic"),
    ("PodIdentityCredentialProvider", "get_basic"),
]


@pytest.fixture
def metadata(monkeypatch):
    def use(fake):
        monkeypatch.setenv("DMSKAFKA_TEST_METADATA_ENDPOINT", fake.endpoint)
        monkeypatch.setattr(official_internal.MetadataAccessor, "_METADATA_ENDPOINT", fake.endpoint)
        return fake

    return use


def fields(credentials):
    return {name: getattr(credentials, name) for name in FIELDS}


def outcome(get):
    """The credentials' fields, or the error's class family and text."""
    try:
        return fields(get())
    except Exception as e:  # compared below
        return ("error", str(e))


def both(cls, method, *args):
    return (
        outcome(lambda: getattr(getattr(ours, cls), method)(*args).get_credentials()),
        outcome(lambda: getattr(getattr(official, cls), method)(*args).get_credentials()),
    )


# -- the official snippet, imports swapped ----------------------------------------------------

SNIPPET = """
from huaweicloudsdkcore.auth.provider import CredentialProviderChain, EnvCredentialProvider
from huaweicloudsdkcore.http.http_config import HttpConfig, SigningAlgorithm
from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm as Algorithm
from huaweicloudsdkkafka.v2 import KafkaClient, ShowInstanceRequest

assert SigningAlgorithm is Algorithm
credentials = EnvCredentialProvider.get_basic().get_credentials()
chained = CredentialProviderChain.get_basic_credential_provider_chain().get_credentials()
assert chained.ak == credentials.ak
config = HttpConfig.get_default_config()
config.signing_algorithm = Algorithm.HMAC_SM3
client = (
    KafkaClient.new_builder()
    .with_credentials(credentials)
    .with_http_config(config)
    .with_endpoints([ENDPOINT])
    .build()
)
response = client.show_instance(ShowInstanceRequest(instance_id=INSTANCE_ID))
print(response.status_code)
"""


def test_the_official_snippet_runs_with_the_imports_swapped(dmskafka_emulator, monkeypatch):
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    for name, value in (("AK", emu.ak), ("SK", emu.sk), ("PROJECT_ID", emu.project_id)):
        monkeypatch.setenv("HUAWEICLOUD_SDK_" + name, value)
    migrated = SNIPPET.replace("huaweicloudsdkcore", "dmskafka.core").replace("huaweicloudsdkkafka", "dmskafka")
    printed = []
    for source in (SNIPPET, migrated):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(source, "snippet", "exec"), {"ENDPOINT": emu.endpoint, "INSTANCE_ID": instance_id})
        printed.append(out.getvalue().strip())
    assert printed == ["200", "200"]
    assert [r["headers"]["authorization"].split(" ")[0] for r in emu.requests()] == ["SDK-HMAC-SM3"] * 2


# -- provider by provider -----------------------------------------------------------------------


@pytest.mark.parametrize("cls, method", PROVIDERS)
def test_with_nothing_set_each_provider_fails_as_the_official(metadata, cls, method):
    with metadata(Metadata()):
        mine, theirs = both(cls, method)
    assert mine == theirs and mine[0] == "error"


@pytest.mark.parametrize("cls, method", PROVIDERS)
def test_each_provider_finds_keys_as_the_official(metadata, monkeypatch, tmp_path, cls, method):
    """Each provider given what it reads (the others given nothing): the same credentials."""
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "AKENV")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "sk-env")
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "proj-env")
    profile = tmp_path / "credentials"
    profile.write_text("[basic]\nak = AKFILE\nsk = sk-file\nproject_id = proj-file\niam_endpoint = https://iam.x\n")
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(profile))
    with metadata(Metadata([credential("AKMETA", "sk-meta", "token-meta", LATER)])):
        mine, theirs = both(cls, method)
    assert mine == theirs


def test_env_federation_as_the_official(monkeypatch, tmp_path):
    monkeypatch.setenv("HUAWEICLOUD_SDK_IDP_ID", "idp1")
    monkeypatch.setenv("HUAWEICLOUD_SDK_ID_TOKEN_FILE", str(tmp_path / "token"))
    mine, theirs = both("EnvCredentialProvider", "get_basic")
    assert mine == theirs and mine["idp_id"] == "idp1"


def test_oidc_constructor_arguments_come_before_the_environment(monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_OIDC_PROVIDER_URN", "urn:env")
    provider = ours.OidcStsCredentialProvider(
        "basic", provider_urn="urn:p", agency_urn="urn:a", id_token="tok", sts_endpoint="https://sts.x"
    )
    credentials = provider.get_credentials()
    assert credentials.sts_endpoint == "https://sts.x" and credentials.ak is None
    # Without the agency (not in the environment either) both refuse it in the same words.
    mine = outcome(lambda: ours.OidcStsCredentialProvider("basic", provider_urn="urn:p").get_credentials())
    theirs = outcome(lambda: official.OidcStsCredentialProvider("basic", provider_urn="urn:p").get_credentials())
    assert mine == theirs == ("error", "Missing required env var: HUAWEICLOUD_OIDC_AGENCY_URN")


def test_metadata_project_id_is_the_provider_s(metadata):
    with metadata(Metadata([credential("AKMETA", "sk-meta", "token-meta", LATER)])):
        mine = ours.MetadataCredentialProvider.get_basic()
        theirs = official.MetadataCredentialProvider.get_basic()
        mine.project_id = theirs.project_id = "proj-meta"
        assert fields(mine.get_credentials()) == fields(theirs.get_credentials())


def test_metadata_keys_keep_refreshing_in_a_client_built_with_them(metadata, dmskafka_emulator):
    """The provider fetches keys now; a client built with them renews them before expiry, as
    a client built without credentials does."""
    emu = dmskafka_emulator
    emu.add_credentials("AKOLD", "sk-old", emu.project_id, security_token="token-old")
    emu.add_credentials("AKNEW", "sk-new", emu.project_id, security_token="token-new")
    keys = [credential("AKOLD", "sk-old", "token-old", EXPIRED), credential("AKNEW", "sk-new", "token-new", LATER)]
    with metadata(Metadata(keys)):
        credentials = ours.MetadataCredentialProvider.get_basic().get_credentials()
        assert credentials.ak == "AKOLD"
        credentials.project_id = emu.project_id
        client = KafkaClient.new_builder().with_credentials(credentials).with_endpoints([emu.endpoint]).build()
        instance_id = emu.add_instance()
        for _ in range(3):
            client.show_instance(ShowInstanceRequest(instance_id=instance_id))
    sent = emu.requests()
    assert [r["status"] for r in sent] == [200] * 3
    assert "Access=AKNEW," in sent[-1]["headers"]["authorization"]
    assert client.get_credentials().ak == "AKNEW"


def test_pod_identity_provider_fails_as_the_official_without_its_variables(monkeypatch):
    monkeypatch.setenv("HC_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds")
    mine, theirs = both("PodIdentityCredentialProvider", "get_basic")
    assert mine == theirs and "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE" in mine[1]


@pytest.mark.parametrize(
    "cls, method",
    [
        ("CredentialProviderChain", "get_global"),
        ("CredentialProviderChain", "get_global_credential_provider_chain"),
        ("EnvCredentialProvider", "get_global"),
        ("EnvCredentialProvider", "get_global_credential_env_provider"),
        ("ProfileCredentialProvider", "get_global"),
        ("ProfileCredentialProvider", "get_global_credential_profile_provider"),
        ("MetadataCredentialProvider", "get_global"),
        ("MetadataCredentialProvider", "get_global_credential_metadata_provider"),
        ("OidcStsCredentialProvider", "get_global"),
        ("OidcStsCredentialProvider", "get_global_credential_oidc_provider"),
        ("PodIdentityCredentialProvider", "get_global"),
    ],
)
def test_global_credentials_are_refused_clearly(cls, method):
    with pytest.raises(exceptions.ApiTypeError, match="global credentials are not supported"):
        getattr(getattr(ours, cls), method)()


def test_a_global_credential_type_is_refused_clearly():
    with pytest.raises(exceptions.ApiTypeError, match="global credentials are not supported"):
        ours.CredentialProviderChain.get_default_credential_provider_chain("GlobalCredentials")


# -- the profile file, as configparser reads it ------------------------------------------------

PROFILES = {
    "defaults inherited": "[DEFAULT]\nproject_id = pd\nak = AD\n[basic]\nak = A1\nsk = S1\n",
    "percent escaped": "[basic]\nak = A1\nsk = S%%1\n",
    "reference": "[DEFAULT]\nbase = X\n[basic]\nak = %(BASE)s-A\nsk = S\n",
    "continuation": "[basic]\nak = A1\nsk = S1\n  more\n\n  last\nproject_id = p\n",
    "comment inside a value": "[basic]\nak = A1\n# note\n  more\nsk = S\n",
    "inline ; kept": "[basic]\nak = A ; c\nsk = S\n",
    "colon and case": "[basic]\nAK: A\nSk = S\n",
    "crlf": "[basic]\r\nak = A\r\nsk = S\r\n",
    "header with trailing text": "[basic] x\nak=A\nsk=S\n",
    "empty value": "[basic]\nak =\nsk = S\n",
    "only defaults": "[DEFAULT]\nak = A\nsk = S\n",
    "duplicate key": "[basic]\nak = A1\nAK = A2\nsk = S\n",
    "duplicate key in defaults": "[DEFAULT]\nak = A\n[DEFAULT]\nak = B\n[basic]\nsk = S\n",
    "duplicate section": "[basic]\nak = A\n[basic]\nsk = S\n",
    "bare percent": "[basic]\nak = A\nsk = 50%\n",
    "missing reference": "[basic]\nak = %(nope)s\nsk = S\n",
    "self reference": "[basic]\nak = %(ak)s\nsk = S\n",
    "no section header": "ak = A\n[basic]\nsk = S\n",
    "line without delimiter": "[basic]\nak = A\nsk = S\njunk\n",
    "error in another section": "[other]\nx = 1\nx = 2\n[basic]\nak = A\nsk = S\n",
}


@pytest.mark.parametrize("case", sorted(PROFILES))
def test_profile_file_as_the_official_configparser_reads_it(monkeypatch, tmp_path, case):
    path = tmp_path / "credentials"
    path.write_bytes(PROFILES[case].encode())
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(path))
    try:
        theirs = fields(official.ProfileCredentialProvider.get_basic().get_credentials())
    except configparser.Error as e:
        with pytest.raises(ValueError) as info:
            ours.ProfileCredentialProvider.get_basic().get_credentials()
        assert str(info.value) == str(e)
        return
    except ValueError as e:  # the official ApiValueError
        with pytest.raises(exceptions.ApiValueError) as mine_error:
            ours.ProfileCredentialProvider.get_basic().get_credentials()
        assert str(mine_error.value) == str(e)
        return
    assert fields(ours.ProfileCredentialProvider.get_basic().get_credentials()) == theirs


# -- what build() runs without credentials ---------------------------------------------------------


@pytest.mark.parametrize("section", ["basic", "basiccredentials", "BasicCredentials"])
def test_build_reads_the_section_the_official_build_reads(metadata, monkeypatch, tmp_path, section):
    """The official build() runs the chain for its credential type "BasicCredentials",
    lower-cased: the profile section is [basiccredentials] (not [basic]). Same credentials,
    or the same error listing every link, from both builders."""
    path = tmp_path / "credentials"
    path.write_text("[%s]\nak = AKFILE\nsk = sk-file\nproject_id = proj-file\n" % section)
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(path))
    with metadata(Metadata()):
        mine = outcome(lambda: KafkaClient.new_builder().with_endpoints(["https://x"]).build().get_credentials())
        theirs = outcome(lambda: OfficialClient.new_builder().with_endpoints(["https://x"]).build().get_credentials())
    assert mine == theirs
    if section == "basiccredentials":
        assert mine["ak"] == "AKFILE"
    else:
        assert "credential type 'basiccredentials' does not exist" in mine[1]
