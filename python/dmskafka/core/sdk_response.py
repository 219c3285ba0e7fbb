"""``huaweicloudsdkcore.sdk_response``."""

from dmskafka.client import FutureSdkResponse
from dmskafka.models import SdkResponse

__all__ = ["SdkResponse", "FutureSdkResponse"]
