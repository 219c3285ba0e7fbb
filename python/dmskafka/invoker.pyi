# Stubs of invoker.py.

from typing import Callable, Generic, TypeVar

from typing_extensions import Self

from dmskafka.client import FutureSdkResponse
from dmskafka.exceptions import SdkException
from dmskafka.retry import BackoffStrategy

__all__ = ["SyncInvoker", "AsyncInvoker"]

_Req = TypeVar("_Req")
_Resp = TypeVar("_Resp")
# A call as the invokers make it: (request, added headers or None).
_Call = Callable[[_Req, list[tuple[str, str]] | None], _Resp]

class _BaseInvoker(Generic[_Req, _Resp]):
    def __init__(self, call: _Call[_Req, _Resp], request: _Req) -> None: ...
    def add_header(self, key: str, value: str) -> Self: ...

class SyncInvoker(_BaseInvoker[_Req, _Resp]):
    def with_retry(
        self,
        retry_condition: Callable[[_Resp | None, SdkException | None], bool],
        max_retries: int,
        backoff_strategy: BackoffStrategy,
    ) -> Self: ...
    def invoke(self) -> _Resp: ...

class AsyncInvoker(_BaseInvoker[_Req, FutureSdkResponse[_Resp]]):
    def invoke(self) -> FutureSdkResponse[_Resp]: ...
