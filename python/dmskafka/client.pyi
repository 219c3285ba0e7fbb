# Stubs of client.py.

from typing import Any, Awaitable, Callable, Generator, Generic, Iterable, Sequence, TextIO, TypeVar

from typing_extensions import Self

from dmskafka._core import CoreCall, CoreResponse
from dmskafka._logging import HttpHandler
from dmskafka._operations import KafkaAsyncOperations, KafkaOperations
from dmskafka.credentials import BasicCredentials
from dmskafka.http_config import HttpConfig
from dmskafka.models import (
    CreateConnectorResponse,
    CreateSmartConnectTaskReq,
    ListBackgroundTasksRespTasks,
    ShowConnectorTaskResponse,
)
from dmskafka.region import Region

__all__ = ["ClientBuilder", "KafkaClient", "KafkaAsyncClient", "FutureSdkResponse"]

PRODUCT: str

_C = TypeVar("_C", bound=_BaseClient)
_T = TypeVar("_T")
# Headers added to one call (what an invoker's add_header collects).
_Headers = Sequence[tuple[str, str]]

class ClientBuilder(Generic[_C]):
    def __init__(self, client_type: type[_C]) -> None: ...
    def with_http_config(self, config: HttpConfig) -> Self: ...
    def with_credentials(self, credentials: BasicCredentials) -> Self: ...
    def with_region(self, region: Region) -> Self: ...
    def with_endpoint(self, *args: str, endpoint: str = ...) -> Self: ...
    def with_endpoints(self, endpoints: Iterable[str]) -> Self: ...
    def with_http_handler(self, http_handler: HttpHandler) -> Self: ...
    def with_stream_log(
        self, stream: TextIO | None = None, log_level: int | str = 20, format_string: str | None = None
    ) -> Self: ...
    def with_file_log(
        self,
        path: str,
        log_level: int | str = 20,
        max_bytes: int = 10485760,
        backup_count: int = 5,
        format_string: str | None = None,
    ) -> Self: ...
    def build(self) -> _C: ...

class _BaseClient:
    # Raises TypeError: clients are made with new_builder()...build().
    def __init__(self) -> None: ...
    @classmethod
    def new_builder(cls, clazz: object = None) -> ClientBuilder[Self]: ...
    def get_credentials(self) -> BasicCredentials: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...

class KafkaClient(_BaseClient, KafkaOperations):
    def wait_for_job(
        self,
        instance_id: str,
        job_id: str,
        timeout: float = 600.0,
        poll_interval: float = 2.0,
        *,
        max_poll_interval: float | None = None,
        sleep: Callable[[float], object] = ...,
        clock: Callable[[], float] = ...,
    ) -> ListBackgroundTasksRespTasks: ...
    def enable_smart_connect(
        self,
        instance_id: str,
        node_cnt: int | str | None = 2,
        specification: str | None = None,
        spec_code: str | None = None,
        wait: bool = True,
        *,
        timeout: float = 600.0,
        poll_interval: float = 2.0,
        max_poll_interval: float | None = None,
        sleep: Callable[[float], object] = ...,
        clock: Callable[[], float] = ...,
    ) -> CreateConnectorResponse: ...
    def wait_for_task(
        self,
        instance_id: str,
        task_id: str,
        status: str = "RUNNING",
        timeout: float = 600.0,
        poll_interval: float = 2.0,
        *,
        max_poll_interval: float | None = None,
        sleep: Callable[[float], object] = ...,
        clock: Callable[[], float] = ...,
    ) -> ShowConnectorTaskResponse: ...
    def ensure_task(
        self,
        instance_id: str,
        body: CreateSmartConnectTaskReq | dict[str, Any],
        *,
        wait: bool = True,
        node_cnt: int | str | None = 2,
        specification: str | None = None,
        spec_code: str | None = None,
        timeout: float = 600.0,
        poll_interval: float = 2.0,
        max_poll_interval: float | None = None,
        sleep: Callable[[float], object] = ...,
        clock: Callable[[], float] = ...,
    ) -> ShowConnectorTaskResponse: ...

class FutureSdkResponse(Generic[_T]):
    def __init__(self, call: CoreCall, build: Callable[[CoreResponse], _T] | None = None) -> None: ...
    def __await__(self) -> Generator[Any, None, _T]: ...
    def done(self) -> bool: ...
    def result(self, timeout: float | None = None) -> _T: ...

class KafkaAsyncClient(_BaseClient, KafkaAsyncOperations):
    async def wait_for_job_async(
        self,
        instance_id: str,
        job_id: str,
        timeout: float = 600.0,
        poll_interval: float = 2.0,
        *,
        max_poll_interval: float | None = None,
        sleep: Callable[[float], Awaitable[object]] = ...,
        clock: Callable[[], float] = ...,
    ) -> ListBackgroundTasksRespTasks: ...
    async def enable_smart_connect_async(
        self,
        instance_id: str,
        node_cnt: int | str | None = 2,
        specification: str | None = None,
        spec_code: str | None = None,
        wait: bool = True,
        *,
        timeout: float = 600.0,
        poll_interval: float = 2.0,
        max_poll_interval: float | None = None,
        sleep: Callable[[float], Awaitable[object]] = ...,
        clock: Callable[[], float] = ...,
    ) -> CreateConnectorResponse: ...
    async def wait_for_task_async(
        self,
        instance_id: str,
        task_id: str,
        status: str = "RUNNING",
        timeout: float = 600.0,
        poll_interval: float = 2.0,
        *,
        max_poll_interval: float | None = None,
        sleep: Callable[[float], Awaitable[object]] = ...,
        clock: Callable[[], float] = ...,
    ) -> ShowConnectorTaskResponse: ...
    async def ensure_task_async(
        self,
        instance_id: str,
        body: CreateSmartConnectTaskReq | dict[str, Any],
        *,
        wait: bool = True,
        node_cnt: int | str | None = 2,
        specification: str | None = None,
        spec_code: str | None = None,
        timeout: float = 600.0,
        poll_interval: float = 2.0,
        max_poll_interval: float | None = None,
        sleep: Callable[[float], Awaitable[object]] = ...,
        clock: Callable[[], float] = ...,
    ) -> ShowConnectorTaskResponse: ...
