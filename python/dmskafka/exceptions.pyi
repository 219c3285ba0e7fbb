# Stubs of exceptions.py.

from typing import Any, ClassVar, Sequence

__all__ = [
    "SdkException",
    "ConnectionException",
    "HostUnreachableException",
    "SslHandShakeException",
    "ServiceResponseException",
    "ClientRequestException",
    "ServerResponseException",
    "RequestTimeoutException",
    "CallTimeoutException",
    "RetryOutageException",
    "ValidationException",
    "JobFailedException",
    "TaskFailedException",
    "WaitTimeoutException",
    "SdkError",
    "ApiTypeError",
    "ApiValueError",
    "ApiKeyError",
    "render_path",
]

class SdkException(Exception):
    _html_fields: ClassVar[tuple[str, ...]]
    error_msg: str | None
    def __init__(self, error_msg: str | None) -> None: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def _repr_html_(self) -> str: ...

class ConnectionException(SdkException):
    # True when the request may have reached the server: check before retrying.
    outcome_unknown: bool

class HostUnreachableException(ConnectionException): ...
class SslHandShakeException(ConnectionException): ...

class ServiceResponseException(SdkException):
    status_code: int
    # Usually str; as in the official SDK, a body's non-string JSON value is kept as it is
    # (int, float, bool, list, dict), and encoded_auth_msg is None when the body has none.
    error_code: Any
    error_msg: Any
    request_id: str | None
    encoded_auth_msg: Any
    def __init__(self, status_code: int, sdk_error: SdkError) -> None: ...

class ClientRequestException(ServiceResponseException): ...
class ServerResponseException(ServiceResponseException): ...

class RequestTimeoutException(SdkException):
    outcome_unknown: bool

class CallTimeoutException(RequestTimeoutException): ...
class RetryOutageException(RequestTimeoutException): ...

class ValidationException(SdkException, ValueError):
    field: str
    rule: str
    def __init__(self, field: str, rule: str) -> None: ...

class JobFailedException(SdkException):
    job_id: str
    status: str
    def __init__(self, job_id: str, status: str, error_msg: str) -> None: ...

class TaskFailedException(SdkException):
    task_id: str
    status: str
    def __init__(self, task_id: str, status: str, error_msg: str) -> None: ...

class WaitTimeoutException(RequestTimeoutException):
    job_id: str | None
    task_id: str | None
    last_status: str | None
    def __init__(
        self, error_msg: str, job_id: str | None = None, last_status: str | None = None, task_id: str | None = None
    ) -> None: ...

class SdkError:
    # The same types as ServiceResponseException's fields.
    error_msg: Any
    error_code: Any
    request_id: str | None
    encoded_auth_msg: Any
    def __init__(
        self,
        request_id: str | None = None,
        error_code: Any = None,
        error_msg: Any = None,
        encoded_auth_msg: Any = None,
    ) -> None: ...

def render_path(path_to_item: Sequence[str | int]) -> str: ...

class ApiTypeError(TypeError):
    path_to_item: Sequence[str | int] | None
    valid_classes: Any
    key_type: Any
    def __init__(
        self,
        msg: str,
        path_to_item: Sequence[str | int] | None = None,
        valid_classes: Any = None,
        key_type: Any = None,
    ) -> None: ...

class ApiValueError(ValueError):
    path_to_item: Sequence[str | int] | None
    def __init__(self, msg: str, path_to_item: Sequence[str | int] | None = None) -> None: ...

class ApiKeyError(KeyError):
    path_to_item: Sequence[str | int] | None
    def __init__(self, msg: str, path_to_item: Sequence[str | int] | None = None) -> None: ...
