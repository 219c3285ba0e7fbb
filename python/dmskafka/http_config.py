"""HTTP settings with the official `HttpConfig` constructor and properties."""

import enum

__all__ = ["HttpConfig", "SigningAlgorithm"]


class SigningAlgorithm(enum.Enum):
    """The official algorithm names; each signs as the official signer does (SDK-HMAC-SHA256,
    SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3). The official enum's members work too;
    `build()` refuses anything else (ValidationException naming signing_algorithm)."""

    HMAC_SHA256 = 1
    HMAC_SM3 = 2
    ECDSA_P256_SHA256 = 3
    SM2_SM3 = 4

    @classmethod
    def get_default(cls):
        return cls.HMAC_SHA256


_FIELDS = (
    "proxy_protocol",
    "proxy_host",
    "proxy_port",
    "proxy_user",
    "proxy_password",
    "ignore_ssl_verification",
    "ssl_ca_cert",
    "cert_file",
    "key_file",
    "timeout",
    "retry_times",
    "pool_connections",
    "pool_maxsize",
    "allow_redirects",
    "ignore_content_type_for_get_request",
    "signing_algorithm",
    "user_agent",
    "max_response_bytes",
)


class HttpConfig:
    def __init__(
        self,
        proxy_protocol=None,
        proxy_host=None,
        proxy_port=None,
        proxy_user=None,
        proxy_password=None,
        ignore_ssl_verification=False,
        ssl_ca_cert=None,
        cert_file=None,
        key_file=None,
        timeout=(60, 120),
        retry_times=0,
        pool_connections=10,
        pool_maxsize=10,
        allow_redirects=False,
        ignore_content_type_for_get_request=False,
        signing_algorithm=SigningAlgorithm.HMAC_SHA256,
        user_agent=None,
        max_response_bytes=8 * 1024 * 1024,
    ):
        """Stored as given, as the official class does; `build()` checks every value
        (ValidationException naming the option).

        :param timeout: seconds, one number for both or a (connect, read) pair, each above 0 and at
            most a day
        :param retry_times: retries of failures that happened before the request could reach the server
        :param max_response_bytes: larger response bodies are refused (not in the official SDK)
        """
        arguments = locals()
        for name in _FIELDS:
            setattr(self, "_" + name, arguments[name])
        # Counts changes made through the properties: a built client reads it before each
        # call and takes up the new settings, as the official client reads its config then.
        self._changes = 0

    @property
    def proxy(self):
        return self.get_proxy()

    def get_proxy(self):
        """`{"https": url}` for the configured proxy, or `{}` when there is none."""
        if not self.proxy_host:
            return {}
        from urllib.parse import quote_plus

        url = "%s://" % self.proxy_protocol
        if self.proxy_user:
            url += "%s:%s@" % (self.proxy_user, quote_plus(self.proxy_password or ""))
        url += self.proxy_host
        if self.proxy_port:
            url += ":%s" % self.proxy_port
        return {"https": url}

    @staticmethod
    def get_default_config():
        return HttpConfig()

    def __repr__(self):
        return "HttpConfig(%s)" % ", ".join(
            "%s=%s" % (name, "'****'" if name == "proxy_password" and value is not None else repr(value))
            for name, value in ((name, getattr(self, name)) for name in _FIELDS)
        )


def _setting(name):
    """A property over `_<name>` whose setter counts the change."""
    private = "_" + name

    def fset(self, value):
        setattr(self, private, value)
        self._changes = getattr(self, "_changes", 0) + 1

    return property(lambda self: getattr(self, private), fset)


for _name in _FIELDS:
    setattr(HttpConfig, _name, _setting(_name))
del _name
