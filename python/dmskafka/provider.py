"""The official credential providers (``huaweicloudsdkcore.auth.provider``) over the core's
provider chain: each finds what the official one finds, with the official messages, and
returns `BasicCredentials` that keep the core's source of their keys, so a client built
`with_credentials(...)` refreshes temporary keys (OIDC/STS, ECS metadata, pod identity, IAM
federation) as a client built without credentials does.

Kafka is a regional service: only basic credentials exist here; asking for global ones
raises ApiTypeError."""

from dmskafka.exceptions import ApiTypeError, ApiValueError, SdkException

__all__ = [
    "CredentialProvider",
    "CredentialProviderChain",
    "EnvCredentialProvider",
    "MetadataBasicCredentialProvider",
    "MetadataCredentialProvider",
    "OidcStsCredentialProvider",
    "PodIdentityCredentialProvider",
    "ProfileCredentialProvider",
]

_BASIC = "basic"
_GLOBAL = "global"
_NO_GLOBAL = (
    "global credentials are not supported by dmskafka: DMS for Kafka is a regional service and "
    "takes BasicCredentials (ak, sk, project_id); use get_basic() or the basic providers"
)


def _found(project_id, iam_endpoint, keys):
    """BasicCredentials for what a link found, kept with the core's source of their keys."""
    from dmskafka.credentials import BasicCredentials

    credentials = BasicCredentials(project_id=project_id)
    credentials.iam_endpoint = iam_endpoint
    credentials._keys = keys
    federation = keys.federation()
    if federation is not None:
        credentials.idp_id, credentials.id_token_file = federation
    current = keys.current()
    if current is not None:
        credentials._ak, credentials._sk, credentials._security_token = current
    return credentials


def _link(name, credential_type, overrides=None):
    from dmskafka import _core
    from dmskafka.client import PRODUCT
    from dmskafka.http_config import HttpConfig

    found = _core.credential_link(name, credential_type, overrides or {}, HttpConfig.get_default_config(), PRODUCT)
    return _found(*found)


class CredentialProvider:
    """A source of credentials of `credential_type` ("basic", or a name starting with it)."""

    _link_name = ""

    def __init__(self, credential_type):
        if not credential_type:
            raise ApiValueError("credential type is empty")
        self._credential_type = credential_type.lower()
        if self._credential_type.startswith(_GLOBAL):
            raise ApiTypeError(_NO_GLOBAL)

    def _overrides(self):
        return {}

    def get_credentials(self):
        if not self._credential_type.startswith(_BASIC):
            raise ApiTypeError("unsupported credential type: " + self._credential_type)
        return _link(self._link_name, self._credential_type, self._overrides())


def _no_global():
    raise ApiTypeError(_NO_GLOBAL)


class EnvCredentialProvider(CredentialProvider):
    """HUAWEICLOUD_SDK_AK/SK/PROJECT_ID/SECURITY_TOKEN, or HUAWEICLOUD_SDK_IDP_ID + _ID_TOKEN_FILE."""

    _link_name = "env"

    @staticmethod
    def get_basic_credential_env_provider():
        return EnvCredentialProvider(_BASIC)

    @staticmethod
    def get_global_credential_env_provider():
        _no_global()

    @staticmethod
    def get_basic():
        return EnvCredentialProvider(_BASIC)

    @staticmethod
    def get_global():
        _no_global()


class ProfileCredentialProvider(CredentialProvider):
    """The section named by the credential type in ~/.huaweicloud/credentials (or
    $HUAWEICLOUD_SDK_CREDENTIALS_FILE), read as configparser reads it."""

    _link_name = "profile"

    @staticmethod
    def get_basic_credential_profile_provider():
        return ProfileCredentialProvider(_BASIC)

    @staticmethod
    def get_global_credential_profile_provider():
        _no_global()

    @staticmethod
    def get_basic():
        return ProfileCredentialProvider(_BASIC)

    @staticmethod
    def get_global():
        _no_global()

    def get_credentials(self):
        # As the official: the section is looked up before the type is checked.
        credentials = _link(self._link_name, self._credential_type)
        if not self._credential_type.startswith(_BASIC):
            raise ApiTypeError("unsupported credential type '%s'" % self._credential_type)
        return credentials


class OidcStsCredentialProvider(CredentialProvider):
    """OIDC id token exchanged at STS for temporary keys (HUAWEICLOUD_OIDC_* variables, or the
    constructor's arguments, which come first)."""

    _link_name = "oidc"

    @staticmethod
    def get_basic_credential_oidc_provider():
        return OidcStsCredentialProvider(_BASIC)

    @staticmethod
    def get_global_credential_oidc_provider():
        _no_global()

    @staticmethod
    def get_basic():
        return OidcStsCredentialProvider(_BASIC)

    @staticmethod
    def get_global():
        _no_global()

    def __init__(
        self,
        credential_type,
        provider_urn=None,
        agency_urn=None,
        id_token=None,
        id_token_file=None,
        agency_session_name=None,
        duration_seconds=None,
        policy=None,
        policy_ids=None,
        sts_endpoint=None,
    ):
        super().__init__(credential_type)
        self._provider_urn = provider_urn
        self._agency_urn = agency_urn
        self._id_token = id_token
        self._id_token_file = id_token_file
        self._agency_session_name = agency_session_name
        self._duration_seconds = duration_seconds
        self._policy = policy
        self._policy_ids = policy_ids
        self._sts_endpoint = sts_endpoint

    def _overrides(self):
        """The arguments, as the variables they stand before (in the official order: an id
        token given here, then HUAWEICLOUD_OIDC_ID_TOKEN, then a token file given here)."""
        given = {
            "HUAWEICLOUD_OIDC_PROVIDER_URN": self._provider_urn or None,
            "HUAWEICLOUD_OIDC_AGENCY_URN": self._agency_urn or None,
            "HUAWEICLOUD_OIDC_ID_TOKEN": self._id_token or None,
            "HUAWEICLOUD_OIDC_TOKEN_FILE": self._id_token_file or None,
            "HUAWEICLOUD_OIDC_SESSION_NAME": self._agency_session_name or None,
            "HUAWEICLOUD_OIDC_DURATION_SECONDS": (
                None if self._duration_seconds is None else str(int(self._duration_seconds))
            ),
            "HUAWEICLOUD_OIDC_POLICY": self._policy,
            "HUAWEICLOUD_OIDC_POLICY_IDS": None if self._policy_ids is None else ",".join(self._policy_ids),
            "HUAWEICLOUD_SDK_STS_ENDPOINT": self._sts_endpoint or None,
        }
        return {name: value for name, value in given.items() if value is not None}

    def get_credentials(self):
        credentials = super().get_credentials()
        if self._sts_endpoint:
            credentials.sts_endpoint = self._sts_endpoint
        return credentials


class PodIdentityCredentialProvider(CredentialProvider):
    """HC_CONTAINER_CREDENTIALS_FULL_URI + HC_CONTAINER_AUTHORIZATION_TOKEN_FILE; the keys
    are fetched now, as the official provider fetches them."""

    _link_name = "pod_identity"

    @staticmethod
    def get_basic():
        return PodIdentityCredentialProvider(_BASIC)

    @staticmethod
    def get_global():
        _no_global()


class MetadataCredentialProvider(CredentialProvider):
    """The ECS metadata service's temporary keys (the instance's agency); fetched now, as the
    official provider fetches them."""

    _link_name = "metadata"

    @staticmethod
    def get_basic_credential_metadata_provider():
        return MetadataBasicCredentialProvider()

    @staticmethod
    def get_global_credential_metadata_provider():
        _no_global()

    @staticmethod
    def get_basic():
        return MetadataBasicCredentialProvider()

    @staticmethod
    def get_global():
        _no_global()


class MetadataBasicCredentialProvider(MetadataCredentialProvider):
    def __init__(self, credential_type=_BASIC):
        super().__init__(credential_type)
        self._project_id = None

    @property
    def project_id(self):
        return self._project_id

    @project_id.setter
    def project_id(self, value):
        self._project_id = value

    def get_credentials(self):
        credentials = super().get_credentials()
        credentials.project_id = self.project_id
        return credentials


class CredentialProviderChain:
    """The providers in order; the first that finds credentials gives them."""

    def __init__(self, providers):
        self._providers = providers

    @staticmethod
    def get_basic_credential_provider_chain():
        return CredentialProviderChain(
            (
                OidcStsCredentialProvider.get_basic(),
                EnvCredentialProvider.get_basic(),
                ProfileCredentialProvider.get_basic(),
                MetadataCredentialProvider.get_basic(),
                PodIdentityCredentialProvider.get_basic(),
            )
        )

    @staticmethod
    def get_basic():
        return CredentialProviderChain.get_basic_credential_provider_chain()

    @staticmethod
    def get_global_credential_provider_chain():
        _no_global()

    @staticmethod
    def get_global():
        _no_global()

    @staticmethod
    def get_default_credential_provider_chain(credential_type):
        return CredentialProviderChain(
            (
                OidcStsCredentialProvider(credential_type),
                EnvCredentialProvider(credential_type),
                ProfileCredentialProvider(credential_type),
                MetadataCredentialProvider(credential_type),
                PodIdentityCredentialProvider(credential_type),
            )
        )

    @staticmethod
    def get_default(credential_type):
        return CredentialProviderChain.get_default_credential_provider_chain(credential_type)

    def get_credentials(self):
        errors = []
        for provider in self._providers:
            try:
                return provider.get_credentials()
            except (ApiTypeError, ApiValueError, SdkException) as e:
                errors.append(str(e))
        raise ApiValueError("Failed to get credentials from provider chain\n" + "\n".join(errors))
