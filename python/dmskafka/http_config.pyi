# Stubs of http_config.py.

import enum

from typing_extensions import Self

__all__ = ["HttpConfig", "SigningAlgorithm"]

class SigningAlgorithm(enum.Enum):
    HMAC_SHA256 = 1
    HMAC_SM3 = 2
    ECDSA_P256_SHA256 = 3
    SM2_SM3 = 4
    @classmethod
    def get_default(cls) -> Self: ...

# Seconds: one number for connect and read, or a (connect, read) pair.
_Timeout = float | tuple[float, float] | list[float]

class HttpConfig:
    proxy_protocol: str | None
    proxy_host: str | None
    proxy_port: int | str | None
    proxy_user: str | None
    proxy_password: str | None
    ignore_ssl_verification: bool
    ssl_ca_cert: str | None
    cert_file: str | None
    key_file: str | None
    timeout: _Timeout
    retry_times: int
    pool_connections: int
    pool_maxsize: int
    allow_redirects: bool
    ignore_content_type_for_get_request: bool
    signing_algorithm: SigningAlgorithm
    user_agent: str | None
    max_response_bytes: int
    def __init__(
        self,
        proxy_protocol: str | None = None,
        proxy_host: str | None = None,
        proxy_port: int | str | None = None,
        proxy_user: str | None = None,
        proxy_password: str | None = None,
        ignore_ssl_verification: bool = False,
        ssl_ca_cert: str | None = None,
        cert_file: str | None = None,
        key_file: str | None = None,
        timeout: _Timeout = (60, 120),
        retry_times: int = 0,
        pool_connections: int = 10,
        pool_maxsize: int = 10,
        allow_redirects: bool = False,
        ignore_content_type_for_get_request: bool = False,
        signing_algorithm: SigningAlgorithm = ...,
        user_agent: str | None = None,
        max_response_bytes: int = ...,
    ) -> None: ...
    @property
    def proxy(self) -> dict[str, str]: ...
    def get_proxy(self) -> dict[str, str]: ...
    @staticmethod
    def get_default_config() -> HttpConfig: ...
