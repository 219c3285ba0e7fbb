"""``huaweicloudsdkcore.http.http_config`` (which imports `SigningAlgorithm` too)."""

from dmskafka.http_config import HttpConfig, SigningAlgorithm

__all__ = ["HttpConfig", "SigningAlgorithm"]
