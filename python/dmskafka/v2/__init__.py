"""``huaweicloudsdkkafka.v2``: the clients and every model, for ``from dmskafka.v2 import *``."""

from dmskafka import models as _models
from dmskafka.client import KafkaAsyncClient, KafkaClient
from dmskafka.models import *  # noqa: F403

__all__ = ["KafkaClient", "KafkaAsyncClient"]
__all__ += _models.__all__
