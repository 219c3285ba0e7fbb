"""``huaweicloudsdkcore.http.http_config``."""

from dmskafka.http_config import HttpConfig

__all__ = ["HttpConfig"]
