"""``huaweicloudsdkcore.signer.algorithm``."""

from dmskafka.http_config import SigningAlgorithm

__all__ = ["SigningAlgorithm"]
