"""``huaweicloudsdkcore.retry.backoff_strategy``."""

from dmskafka.retry import (
    BackoffStrategies,
    BackoffStrategy,
    DecorRelatedJitterBackoffStrategy,
    EqualJitterBackoffStrategy,
    ExponentialBackoffStrategy,
    NoBackoffStrategy,
    RandomJitterBackoffStrategy,
)

__all__ = [
    "BackoffStrategy",
    "NoBackoffStrategy",
    "ExponentialBackoffStrategy",
    "EqualJitterBackoffStrategy",
    "RandomJitterBackoffStrategy",
    "DecorRelatedJitterBackoffStrategy",
    "BackoffStrategies",
]
