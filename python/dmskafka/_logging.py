"""Logging and HTTP handlers: the official `with_stream_log`, `with_file_log` and `HttpHandler`.

Imported only once a client logs or has an HTTP handler, so `import dmskafka` never pays for
`logging`. Every call that is sent gives one INFO line on the `dmskafka` logger, in the official
format (`"METHOD URL" STATUS LENGTH ELAPSED REQUEST-ID`, with `-` for what is unknown and, for a
failed call, the exception); DEBUG adds the request headers with Authorization and
X-Security-Token redacted.

The core sends requests from Rust, so handlers cannot run before a request is sent: they run
after the exchange, the request handlers first, with what was sent. Every answered call, 4xx and
5xx included, gets the official INFO line, its DEBUG headers and its handler calls before its
exception is raised; a call that got no answer (refused, timed out) gets an INFO line with `-`
for what is unknown.
"""

from __future__ import annotations

import datetime
import logging
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, TextIO, Tuple

from dmskafka.exceptions import SdkException, ValidationException

if TYPE_CHECKING:
    from dmskafka._core import CoreCall, CoreResponse, Operation

__all__ = ["HttpHandler", "HttpRequest", "HttpResponse"]

_FORMAT = "%(asctime)s %(thread)d %(name)s %(filename)s %(lineno)d %(levelname)s %(message)s"
_REDACTED = ("authorization", "x-security-token")
logger = logging.getLogger("dmskafka")


def _replace(kind: type, handler: logging.Handler, level: int | str, format_string: str | None) -> None:
    for old in [h for h in logger.handlers if type(h) is kind]:
        old.close()
        logger.removeHandler(old)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(format_string or _FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    # As in the official SDK, the configured handler is where the lines go: an application's
    # root handlers would print each of them a second time.
    logger.propagate = False


def add_stream_handler(stream: TextIO | None, level: int | str, format_string: str | None) -> None:
    _replace(logging.StreamHandler, logging.StreamHandler(stream or sys.stdout), level, format_string)


def add_file_handler(path: str, level: int | str, max_bytes: int, backup_count: int, format_string: str | None) -> None:
    from logging.handlers import RotatingFileHandler

    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count)
    _replace(RotatingFileHandler, handler, level, format_string)


class HttpHandler:
    """`HttpHandler().add_request_handler(f).add_response_handler(g)`, as in the official SDK.

    Each handler is called with keyword arguments, `f(request=..., logger=...)` and
    `g(response=..., logger=...)`, after the exchange (see the module docstring).
    """

    def __init__(self) -> None:
        self._request_handlers: List[Callable[..., object]] = []
        self._response_handlers: List[Callable[..., object]] = []

    def add_request_handler(self, fun: Callable[..., object]) -> HttpHandler:
        self._request_handlers.append(fun)
        return self

    def add_response_handler(self, fun: Callable[..., object]) -> HttpHandler:
        self._response_handlers.append(fun)
        return self

    def process_request(self, **kwargs: Any) -> None:
        for handler in self._request_handlers:
            handler(**kwargs)

    def process_response(self, **kwargs: Any) -> None:
        for handler in self._response_handlers:
            handler(**kwargs)


class HttpRequest:
    """What was sent, with the attribute names of the official `SdkRequest` (`header_params`)
    and of `requests.PreparedRequest` (`headers`). The security token is shown as `****`;
    the body is not reported by the core."""

    def __init__(self, method: str, url: str, headers: List[Tuple[str, str]]) -> None:
        from urllib.parse import parse_qsl, urlsplit

        parts = urlsplit(url)
        self.method = method
        self.url = url
        self.schema = parts.scheme
        self.host = parts.netloc
        self.resource_path = parts.path
        self.uri = parts.path + ("?" + parts.query if parts.query else "")
        self.query_params = parse_qsl(parts.query, keep_blank_values=True)
        self.header_params: Dict[str, str] = dict(headers)
        self.headers = self.header_params

    def __repr__(self) -> str:
        return "<HttpRequest %s %s>" % (self.method, self.url)


class _Headers(Dict[str, str]):
    """Response headers, looked up in any case as `requests.Response.headers` (names stored
    lower-case, as received over HTTP/1.1 by the core)."""

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(name.lower(), default)


class HttpResponse:
    """What came back, with the attribute names of `requests.Response`."""

    def __init__(self, request: HttpRequest, core: CoreResponse, elapsed: datetime.timedelta) -> None:
        self.request = request
        self.url = request.url
        self.status_code = core.status_code
        self.headers = _Headers((k.lower(), v) for k, v in core.headers)
        self.content = core.raw_content
        self.elapsed = elapsed

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def __repr__(self) -> str:
        return "<HttpResponse [%s]>" % self.status_code


def _elapsed(started: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=time.perf_counter() - started)


def _answered(http_handler: Any, method: str, url: str, core: CoreResponse, started: float) -> None:
    elapsed = _elapsed(started)
    # The core returns a trace whenever the call asks for one, as these calls do.
    method, url, headers = core.trace or (method, url, [])
    if logger.isEnabledFor(logging.DEBUG):
        shown = {k: "****" if k.lower() in _REDACTED else v for k, v in headers}
        logger.debug('"%s %s" request headers: %s', method, url, shown)
    request = HttpRequest(method, url, headers)
    if http_handler is not None:
        http_handler.process_request(request=request, logger=logger)
    logger.info(
        '"%s %s" %s %s %s %s', method, url, core.status_code, len(core.raw_content), elapsed, core.request_id or ""
    )
    if http_handler is not None:
        http_handler.process_response(response=HttpResponse(request, core, elapsed), logger=logger)


def _route(client: Any, op: Operation, params: List[Tuple[str, object]]) -> Tuple[str, str]:
    """(method, URL) of a call, as the core would send it (see CoreClient.url_for_log)."""
    return op.method, client._core.url_for_log(op, params)


def _failed(method: str, url: str, exc: SdkException, started: float) -> None:
    if isinstance(exc, ValidationException):
        return  # refused before sending (by Python or by the core): no call to log
    elapsed = _elapsed(started)
    status = getattr(exc, "status_code", None)
    # The official line, with "-" for what the core does not report, then what went wrong.
    cause = getattr(exc, "error_code", None) or exc.error_msg
    logger.info(
        '"%s %s" %s - %s %s %s: %s',
        method,
        url,
        "-" if status is None else status,
        elapsed,
        getattr(exc, "request_id", None) or "-",
        type(exc).__name__,
        cause,
    )


def _exchange(exc: SdkException) -> CoreResponse | None:
    """The response behind an exception raised for a 3xx/4xx/5xx answer (the core attaches it)."""
    return getattr(exc, "_exchange", None)


def _settle(http_handler: Any, method: str, url: str, started: float, call: Callable[[], CoreResponse]) -> CoreResponse:
    """`call()`'s outcome, logged and shown to the handlers (answered failures too) first."""
    try:
        core = call()
    except SdkException as exc:
        answered = _exchange(exc)
        if answered is None:
            _failed(method, url, exc, started)
        else:
            _answered(http_handler, method, url, answered, started)
        raise
    _answered(http_handler, method, url, core, started)
    return core


def started() -> float:
    """When a call starts, for its elapsed time."""
    return time.perf_counter()


def observe(
    client: Any, op: Operation, params: List[Tuple[str, object]], call: Callable[[bool], CoreResponse]
) -> CoreResponse:
    """Runs `call(trace=True)`, then logs it and runs the client's HTTP handler."""
    method, url = _route(client, op, params)
    return _settle(client._http_handler, method, url, started(), lambda: call(True))


def observe_call(client: Any, op: Operation, params: List[Tuple[str, object]], call: CoreCall, since: float) -> None:
    """`observe` for an async call already started (at `since`): its log lines and handlers run
    once, when it ends, before anyone waiting sees the outcome."""
    method, url = _route(client, op, params)

    def done() -> None:
        try:
            _settle(client._http_handler, method, url, since, call.outcome)
        except SdkException:
            pass  # the waiters get it

    call.add_done_callback(done)
