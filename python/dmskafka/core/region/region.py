"""``huaweicloudsdkcore.region.region``."""

from dmskafka.region import Region

__all__ = ["Region"]
