"""``huaweicloudsdkkafka.v2.model``."""

from dmskafka.models import *  # noqa: F403
from dmskafka.models import __all__  # noqa: F401
