"""HTTP settings with the official `HttpConfig` constructor and properties."""

import enum
import math

from dmskafka._attrs import attr

__all__ = ["HttpConfig", "SigningAlgorithm"]


class SigningAlgorithm(enum.Enum):
    """The official algorithm names; the client signs with HMAC_SHA256 only."""

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


def _seconds(value):
    # bool is an int, but `timeout=True` is a mistake, not one second.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(
            "timeout must be a positive number of seconds, or a (connect, read) pair of them; got %r" % (value,)
        )
    return float(value)


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
        """
        :param timeout: seconds, one number for both or a (connect, read) pair
        :param retry_times: retries of failures that happened before the request could reach the server
        :param max_response_bytes: larger response bodies are refused (not in the official SDK)
        """
        arguments = locals()
        for name in _FIELDS:
            setattr(self, "_" + name, arguments[name])

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

    def _timeouts(self):
        """(connect, read) seconds as floats; ValueError naming `timeout` when unusable."""
        timeout = self.timeout
        if isinstance(timeout, (tuple, list)):
            if len(timeout) != 2:
                raise ValueError("timeout must be a number or a (connect, read) pair; got %r" % (timeout,))
            return _seconds(timeout[0]), _seconds(timeout[1])
        seconds = _seconds(timeout)
        return seconds, seconds

    def __repr__(self):
        return "HttpConfig(%s)" % ", ".join(
            "%s=%s" % (name, "'****'" if name == "proxy_password" and value is not None else repr(value))
            for name, value in ((name, getattr(self, name)) for name in _FIELDS)
        )


for _name in _FIELDS:
    setattr(HttpConfig, _name, attr(_name))
del _name
