# Hand-written stubs of the native module (src/python/); stubtest checks them against the binary.
# Private: the public API is the Python package, which wraps everything here.

from typing import Any, Awaitable, Callable, Iterable, Sequence, final

from dmskafka.http_config import HttpConfig

__all__ = [
    "__version__",
    "CoreCall",
    "CoreClient",
    "CoreKeys",
    "CoreResponse",
    "Operation",
    "EmulatorServer",
    "credential_link",
    "default_credentials",
    "discover_project_id",
    "configured_kafka_region",
    "kafka_regions",
    "operations",
    "check_body",
    "check_wait",
    "wait_for_calls",
    "sign",
    "_test_panic",
]

__version__: str

_Headers = Sequence[tuple[str, str]]
# (method, url, headers as sent); the X-Security-Token value is "****".
_Trace = tuple[str, str, list[tuple[str, str]]]

@final
class CoreResponse:
    @property
    def status_code(self) -> int: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def job_id(self) -> str | None: ...
    @property
    def connector_id(self) -> str | None: ...
    @property
    def raw_content(self) -> bytes: ...
    @property
    def trace(self) -> _Trace | None: ...
    # The response headers, kept when the call asked for a trace.
    @property
    def headers(self) -> list[tuple[str, str]]: ...

# One entry of the core's operation table (src/operations.rs).
@final
class Operation:
    @property
    def name(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def path_params(self) -> list[str]: ...
    @property
    def query_params(self) -> list[str]: ...
    @property
    def request(self) -> str: ...
    @property
    def body(self) -> str | None: ...
    @property
    def response(self) -> str: ...
    @property
    def reply(self) -> str: ...
    @property
    def resend_safe(self) -> bool: ...

def operations() -> list[Operation]: ...
def check_body(op: Operation, body: object) -> None: ...
def check_wait(timeout: float, poll_interval: float, max_poll_interval: float | None = None) -> None: ...

# Waits until every started async call is done (registered with atexit).
def wait_for_calls() -> None: ...

# One call, started on the shared runtime when the *_async method returned.
@final
class CoreCall:
    def done(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...
    def outcome(self) -> CoreResponse: ...
    def asyncio_future(self) -> Awaitable[None]: ...
    def add_done_callback(self, callback: Callable[[], object]) -> None: ...

@final
class CoreKeys:
    # Hand-made credentials: AK/SK, federation (idp_id + id_token_file), or neither (metadata).
    def __new__(
        cls,
        ak: str | None,
        sk: str | None,
        security_token: str | None,
        idp_id: str | None,
        id_token_file: str | None,
        iam_endpoint: str | None,
        sts_endpoint: str | None,
        http_config: HttpConfig,
        product: str,
    ) -> CoreKeys: ...
    @property
    def temporary(self) -> bool: ...
    # (ak, sk, security_token) last fetched or given.
    def current(self) -> tuple[str, str, str | None] | None: ...
    def federation(self) -> tuple[str, str] | None: ...

@final
class CoreClient:
    def __new__(
        cls,
        keys: CoreKeys,
        project_id: str | None,
        endpoints: Sequence[str],
        http_config: HttpConfig,
        product: str,
    ) -> CoreClient: ...
    @property
    def keys(self) -> CoreKeys: ...
    # `op` is an entry of operations(); `params` its (name, value) path and query parameters
    # (values the core reads as text, None when unset); `body` a model or a dict.
    def call(
        self,
        op: Operation,
        params: Iterable[tuple[str, object]],
        body: object = None,
        headers: _Headers | None = None,
        trace: bool = False,
    ) -> CoreResponse: ...
    def call_async(
        self,
        op: Operation,
        params: Iterable[tuple[str, object]],
        body: object = None,
        headers: _Headers | None = None,
        trace: bool = False,
    ) -> CoreCall: ...
    def url_for_log(self, op: Operation, params: Iterable[tuple[str, object]]) -> str: ...
    def close(self) -> None: ...

@final
class EmulatorServer:
    def __new__(
        cls, host: str = "127.0.0.1", port: int = 0, job_duration: float = 2.0, task_duration: float = 2.0
    ) -> EmulatorServer: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def iam_endpoint(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def ak(self) -> str: ...
    @property
    def sk(self) -> str: ...
    @property
    def project_id(self) -> str: ...
    def add_credentials(
        self, ak: str, sk: str, project_id: str, security_token: str | None = None, region: str | None = None
    ) -> None: ...
    def add_instance(
        self,
        instance_id: str | None = None,
        project_id: str | None = None,
        charging_mode: str = "postPaid",
        flavor: str = "new",
        specification: str | None = None,
        status: str = "RUNNING",
        name: str | None = None,
        job_duration: float | None = None,
        fail_enable: bool = False,
        max_tasks: int = 18,
    ) -> str: ...
    def add_kafka_peer(
        self,
        *,
        instance_id: str | None = None,
        bootstrap_servers: str | None = None,
        brokers: int = 3,
        user: str | None = None,
        password: str | None = None,
    ) -> None: ...
    def add_obs_bucket(self, name: str, *, location: str = "cn-north-4", storage_class: str = "STANDARD") -> None: ...
    def fail_task(self, instance_id: str, task_id: str) -> None: ...
    def connector_tasks(self, instance_id: str) -> list[dict[str, Any]]: ...
    def show_instance(self, instance_id: str) -> dict[str, Any]: ...
    def requests(self) -> list[dict[str, Any]]: ...
    def clear_requests(self) -> None: ...
    def inject_fault(
        self,
        route: str | None = None,
        *,
        latency: float | None = None,
        status: int | None = None,
        body: str | None = None,
        count: int | None = None,
        probability: float | None = None,
        drop_connection: bool = False,
        truncate_body: bool = False,
        trickle: float | None = None,
        seed: int | None = None,
    ) -> None: ...
    def clear_faults(self) -> None: ...
    def advance(self, seconds: float) -> None: ...
    def set_connector_sold_out(self, sold_out: bool) -> None: ...
    def close(self) -> None: ...

# (id, endpoints) from HUAWEICLOUD_SDK_REGION_KAFKA_<ID> or the regions file, else None.
def configured_kafka_region(region_id: str) -> tuple[str, list[str]] | None: ...
def kafka_regions() -> list[tuple[str, str]]: ...

# (project_id, iam_endpoint, keys) from the official provider chain.
def default_credentials(
    http_config: HttpConfig, product: str, credential_type: str = "basiccredentials"
) -> tuple[str | None, str | None, CoreKeys]: ...
def credential_link(
    link: str, credential_type: str, overrides: dict[str, str], http_config: HttpConfig, product: str
) -> tuple[str | None, str | None, CoreKeys]: ...
def discover_project_id(
    keys: CoreKeys,
    iam_endpoint: str | None,
    region_id: str,
    http_config: HttpConfig,
    product: str,
) -> str: ...
def sign(
    ak: str,
    sk: str,
    method: str,
    resource_path: str,
    query: Sequence[tuple[str, str]],
    headers: Sequence[tuple[str, str]],
    body: bytes,
    sdk_date: str,
    algorithm: str = "HMAC_SHA256",
) -> str: ...

# Test-only (src/python/testhooks.rs, tests/test_hostile.py): panics inside the sync ("sync")
# or asyncio ("async") path, to prove the boundary turns it into an exception.
def _test_panic(where_: str, detail: object = None) -> Any: ...
