"""``huaweicloudsdkcore.exceptions.exceptions``."""

from dmskafka.exceptions import *  # noqa: F403
from dmskafka.exceptions import __all__  # noqa: F401
