# Stubs of retry.py.

from abc import ABC, abstractmethod
from typing import ClassVar

__all__ = [
    "BackoffStrategy",
    "NoBackoffStrategy",
    "ExponentialBackoffStrategy",
    "EqualJitterBackoffStrategy",
    "RandomJitterBackoffStrategy",
    "DecorRelatedJitterBackoffStrategy",
    "BackoffStrategies",
]

def randint(a: int, b: int) -> int: ...

class BackoffStrategy(ABC):
    @abstractmethod
    def calculate_retry_delay_millis(self, retries: int) -> int: ...

class NoBackoffStrategy(BackoffStrategy):
    def calculate_retry_delay_millis(self, retries: int) -> int: ...

class ExponentialBackoffStrategy(BackoffStrategy):
    def calculate_retry_delay_millis(self, retries: int) -> int: ...

class EqualJitterBackoffStrategy(ExponentialBackoffStrategy): ...
class RandomJitterBackoffStrategy(ExponentialBackoffStrategy): ...

class DecorRelatedJitterBackoffStrategy(BackoffStrategy):
    def calculate_retry_delay_millis(self, retries: int) -> int: ...

class BackoffStrategies:
    NONE: ClassVar[NoBackoffStrategy]
    RANDOM_JITTER: ClassVar[RandomJitterBackoffStrategy]
    EQUAL_JITTER: ClassVar[EqualJitterBackoffStrategy]
    DECOR_RELATED_JITTER: ClassVar[DecorRelatedJitterBackoffStrategy]
