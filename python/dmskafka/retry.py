"""Backoff strategies for invoker retries, with the official formulas."""

from abc import ABC, abstractmethod

__all__ = [
    "BackoffStrategy",
    "NoBackoffStrategy",
    "ExponentialBackoffStrategy",
    "EqualJitterBackoffStrategy",
    "RandomJitterBackoffStrategy",
    "DecorRelatedJitterBackoffStrategy",
    "BackoffStrategies",
]


def randint(a, b):
    # `random` costs milliseconds to import; only jittered retries need it.
    import random

    return random.randint(a, b)


_BASE_DELAY_MS = 10
_MAX_DELAY_MS = 60 * 1000


class BackoffStrategy(ABC):
    @abstractmethod
    def calculate_retry_delay_millis(self, retries: int) -> int:
        """Milliseconds to wait before retry number `retries` (1-based)."""


class NoBackoffStrategy(BackoffStrategy):
    def calculate_retry_delay_millis(self, retries):
        return 0


class ExponentialBackoffStrategy(BackoffStrategy):
    def calculate_retry_delay_millis(self, retries):
        return min(_MAX_DELAY_MS, _BASE_DELAY_MS * (2**retries))


class EqualJitterBackoffStrategy(ExponentialBackoffStrategy):
    def calculate_retry_delay_millis(self, retries):
        half = super().calculate_retry_delay_millis(retries) // 2
        return half + randint(1, half)


class RandomJitterBackoffStrategy(ExponentialBackoffStrategy):
    def calculate_retry_delay_millis(self, retries):
        return randint(1, super().calculate_retry_delay_millis(retries))


class DecorRelatedJitterBackoffStrategy(BackoffStrategy):
    def calculate_retry_delay_millis(self, retries):
        return min(_MAX_DELAY_MS, randint(_BASE_DELAY_MS, _BASE_DELAY_MS * 3))


class BackoffStrategies:
    NONE = NoBackoffStrategy()
    RANDOM_JITTER = RandomJitterBackoffStrategy()
    EQUAL_JITTER = EqualJitterBackoffStrategy()
    DECOR_RELATED_JITTER = DecorRelatedJitterBackoffStrategy()
