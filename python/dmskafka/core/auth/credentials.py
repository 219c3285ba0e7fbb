"""``huaweicloudsdkcore.auth.credentials``."""

from dmskafka.credentials import BasicCredentials

__all__ = ["BasicCredentials"]
