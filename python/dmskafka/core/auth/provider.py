"""``huaweicloudsdkcore.auth.provider``."""

from dmskafka.provider import *  # noqa: F403
from dmskafka.provider import __all__  # noqa: F401
