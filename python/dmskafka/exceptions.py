"""Exceptions with the official SDK's names, constructors, attributes and ``str()`` formats.

The official ``huaweicloudsdkcore.exceptions.exceptions`` hierarchy, plus:
``ValidationException`` (bad input caught before anything is sent; also a ``ValueError``),
``outcome_unknown`` on connection and timeout errors, and the job-waiter exceptions.
"""

from dmskafka._attrs import attr

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


def _rebuild(cls, state):
    exc = cls.__new__(cls)
    exc.__dict__.update(state)
    return exc


class SdkException(Exception):
    """The base of every exception the client raises."""

    # What `_repr_html_` shows, in order; unset (None) values are left out.
    _html_fields = ("error_msg",)

    def __init__(self, error_msg):
        # Like the official SDK, `args` stays empty; `__reduce__` below makes pickling work anyway.
        super().__init__()
        self._error_msg = error_msg

    error_msg = attr("error_msg")

    def __str__(self):
        return "%s - %s" % (self.__class__.__name__, self.error_msg)

    def __repr__(self):
        return "%s(%r)" % (self.__class__.__name__, self.error_msg)

    # State lives in __dict__, not in the constructor arguments, so rebuild from it: this
    # works for every subclass whatever its constructor, and keeps values changed by setters.
    # `_exchange` (the answered response, for logs and handlers) does not travel.
    def __reduce__(self):
        return _rebuild, (self.__class__, {k: v for k, v in self.__dict__.items() if k != "_exchange"})

    def _repr_html_(self):
        """A table of what went wrong, for notebooks."""
        from dmskafka._html import table

        values = ((name, getattr(self, name)) for name in self._html_fields)
        return table(type(self).__name__, [(name, value) for name, value in values if value is not None])


class ConnectionException(SdkException):
    """The request failed on the way; if `outcome_unknown`, the server may have received it."""

    outcome_unknown = False
    _html_fields = ("error_msg", "outcome_unknown")


class HostUnreachableException(ConnectionException):
    pass


class SslHandShakeException(ConnectionException):
    pass


class ServiceResponseException(SdkException):
    """The server answered with an error status."""

    _html_fields = ("status_code", "error_code", "error_msg", "request_id", "encoded_auth_msg")

    def __init__(self, status_code, sdk_error):
        super().__init__(sdk_error.error_msg)
        self._status_code = status_code
        self._error_code = sdk_error.error_code
        self._request_id = sdk_error.request_id
        self._encoded_auth_msg = sdk_error.encoded_auth_msg

    status_code = attr("status_code")
    error_code = attr("error_code")
    request_id = attr("request_id")
    encoded_auth_msg = attr("encoded_auth_msg")

    def __str__(self):
        return "%s - {status_code:%s,request_id:%s,error_code:%s,error_msg:%s,encoded_authorization_message:%s }" % (
            self.__class__.__name__,
            self.status_code,
            self.request_id,
            self.error_code,
            self.error_msg,
            self.encoded_auth_msg,
        )

    def __repr__(self):
        return "%s(status_code=%r, request_id=%r, error_code=%r, error_msg=%r)" % (
            self.__class__.__name__,
            self.status_code,
            self.request_id,
            self.error_code,
            self.error_msg,
        )


class ClientRequestException(ServiceResponseException):
    """A 4xx response."""


class ServerResponseException(ServiceResponseException):
    """A 5xx response."""


class RequestTimeoutException(SdkException):
    """No (complete) answer in time; if `outcome_unknown`, the server may have acted on it."""

    outcome_unknown = False
    _html_fields = ("error_msg", "outcome_unknown")


class CallTimeoutException(RequestTimeoutException):
    pass


class RetryOutageException(RequestTimeoutException):
    pass


class ValidationException(SdkException, ValueError):
    """A request field broke a rule; nothing was sent."""

    _html_fields = ("field", "rule")

    def __init__(self, field, rule):
        super().__init__("invalid %s: %s" % (field, rule))
        self.field = field
        self.rule = rule


class JobFailedException(SdkException):
    """The background job ended in a failed state."""

    _html_fields = ("job_id", "status", "error_msg")

    def __init__(self, job_id, status, error_msg):
        super().__init__(error_msg)
        self.job_id = job_id
        self.status = status


class TaskFailedException(SdkException):
    """The Smart Connect task shows a failed state while it was awaited."""

    _html_fields = ("task_id", "status", "error_msg")

    def __init__(self, task_id, status, error_msg):
        super().__init__(error_msg)
        self.task_id = task_id
        self.status = status


class WaitTimeoutException(RequestTimeoutException):
    """The job or task did not get there before the waiter's deadline; it may still be on its way."""

    _html_fields = ("job_id", "task_id", "last_status", "error_msg")

    def __init__(self, error_msg, job_id=None, last_status=None, task_id=None):
        super().__init__(error_msg)
        self.job_id = job_id
        self.task_id = task_id
        self.last_status = last_status


class SdkError:
    """What an error response said: the fields of `ServiceResponseException`."""

    def __init__(self, request_id=None, error_code=None, error_msg=None, encoded_auth_msg=None):
        self._error_msg = error_msg
        self._error_code = error_code
        self._request_id = request_id
        self._encoded_auth_msg = encoded_auth_msg

    error_msg = attr("error_msg")
    error_code = attr("error_code")
    request_id = attr("request_id")
    encoded_auth_msg = attr("encoded_auth_msg")

    def __repr__(self):
        return "SdkError(request_id=%r, error_code=%r, error_msg=%r, encoded_auth_msg=%r)" % (
            self.request_id,
            self.error_code,
            self.error_msg,
            self.encoded_auth_msg,
        )


def render_path(path_to_item):
    """`['a'][0]`-style text for a path of keys and indexes."""
    return "".join("[%s]" % (p,) if isinstance(p, int) else "['%s']" % (p,) for p in path_to_item)


def _with_path(msg, path_to_item):
    return "%s at %s" % (msg, render_path(path_to_item)) if path_to_item else msg


class ApiTypeError(TypeError):
    def __init__(self, msg, path_to_item=None, valid_classes=None, key_type=None):
        self.path_to_item = path_to_item
        self.valid_classes = valid_classes
        self.key_type = key_type
        super().__init__(_with_path(msg, path_to_item))


class ApiValueError(ValueError):
    def __init__(self, msg, path_to_item=None):
        self.path_to_item = path_to_item
        super().__init__(_with_path(msg, path_to_item))


class ApiKeyError(KeyError):
    def __init__(self, msg, path_to_item=None):
        self.path_to_item = path_to_item
        super().__init__(_with_path(msg, path_to_item))
