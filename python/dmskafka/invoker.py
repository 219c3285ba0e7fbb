"""Invokers, as in the official SDK: extra headers and user-driven retries."""

import time

from dmskafka.exceptions import SdkException

__all__ = ["SyncInvoker", "AsyncInvoker"]

_MAX_RETRIES_LIMIT = 10


class _BaseInvoker:
    def __init__(self, call, request):
        self._call = call
        self._request = request
        self._headers = {}

    def add_header(self, key, value):
        self._headers[key] = value
        return self

    def _invoke_once(self):
        return self._call(self._request, list(self._headers.items()) or None)


class SyncInvoker(_BaseInvoker):
    """`client.create_connector_invoker(req).with_retry(cond, n, backoff).invoke()`.

    The retry condition sees `(response, exception)`; nothing is retried unless it says so.
    """

    def __init__(self, call, request):
        super().__init__(call, request)
        self._retry_condition = None
        self._max_retries = 0
        self._backoff_strategy = None

    def with_retry(self, retry_condition, max_retries, backoff_strategy):
        if not retry_condition:
            raise ValueError("retry condition cannot be None")
        if not backoff_strategy:
            raise ValueError("backoff strategy cannot be None")
        if max_retries > _MAX_RETRIES_LIMIT or max_retries <= 0:
            raise ValueError("max retries is not in range [1, %d]" % _MAX_RETRIES_LIMIT)
        self._retry_condition = retry_condition
        self._max_retries = max_retries
        self._backoff_strategy = backoff_strategy
        return self

    def invoke(self):
        if not self._max_retries or not self._retry_condition:
            return self._invoke_once()
        attempts = 0
        while True:
            try:
                response, exception = self._invoke_once(), None
            except SdkException as e:
                response, exception = None, e
            attempts += 1
            if attempts > self._max_retries or not self._retry_condition(response, exception):
                break
            delay_ms = self._backoff_strategy.calculate_retry_delay_millis(attempts)
            if delay_ms > 0:
                time.sleep(delay_ms / 1000)
        if exception is not None:
            raise exception
        return response


class AsyncInvoker(_BaseInvoker):
    """`client.create_connector_async_invoker(req).add_header(k, v).invoke()` -> FutureSdkResponse."""

    def invoke(self):
        return self._invoke_once()
