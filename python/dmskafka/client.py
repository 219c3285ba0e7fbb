"""KafkaClient and KafkaAsyncClient: the official builders and calls over the Rust core."""

import atexit
import threading

from dmskafka import _core
from dmskafka._operations import KafkaAsyncOperations, KafkaOperations
from dmskafka.credentials import BasicCredentials
from dmskafka.http_config import HttpConfig
from dmskafka.models import CreateConnectorResponse

__all__ = ["ClientBuilder", "KafkaClient", "KafkaAsyncClient", "FutureSdkResponse"]

PRODUCT = "dmskafka-python/" + _core.__version__
_INFO = 20  # logging.INFO; `logging` itself is imported on first use, to keep import fast.
_log = None


def _logger():
    global _log
    if _log is None:
        import logging

        _log = logging.getLogger("dmskafka")
    return _log


def _observed(client):
    """Whether a call must be traced: someone logs it or has an HTTP handler for it."""
    return client._http_handler is not None or (_log or _logger()).isEnabledFor(_INFO)


class ClientBuilder:
    """`KafkaClient.new_builder().with_credentials(..).with_region(..).build()`."""

    def __init__(self, client_type):
        self._client_type = client_type
        self._config = None
        self._credentials = None
        self._region = None
        self._endpoints = []
        self._http_handler = None
        self._logging = []

    def with_http_config(self, config):
        self._config = config
        return self

    def with_credentials(self, credentials):
        self._credentials = credentials
        return self

    def with_region(self, region):
        self._region = region
        return self

    def with_endpoint(self, *args, **kwargs):
        endpoint = kwargs.get("endpoint")
        self._endpoints = [endpoint] if endpoint else list(args)
        return self

    def with_endpoints(self, endpoints):
        self._endpoints = list(endpoints)
        return self

    def with_http_handler(self, http_handler):
        self._http_handler = http_handler
        return self

    def with_stream_log(self, stream=None, log_level=_INFO, format_string=None):
        from dmskafka import _logging

        self._logging.append(lambda: _logging.add_stream_handler(stream, log_level, format_string))
        return self

    def with_file_log(self, path, log_level=_INFO, max_bytes=10485760, backup_count=5, format_string=None):
        from dmskafka import _logging

        self._logging.append(lambda: _logging.add_file_handler(path, log_level, max_bytes, backup_count, format_string))
        return self

    def build(self):
        config = self._config if self._config is not None else HttpConfig.get_default_config()
        credentials = self._credentials
        if credentials is None:
            credentials = _from_chain(config)
        if not isinstance(credentials, BasicCredentials):
            raise TypeError("credential type error, supported credential type is BasicCredentials")
        keys = _keys_of(credentials, config)
        endpoints = list(self._endpoints)
        if self._region is not None:
            endpoints += self._region.endpoints
            if not credentials.project_id:
                credentials.project_id = _core.discover_project_id(
                    keys, credentials.iam_endpoint, self._region.id, config, PRODUCT
                )
        core = _core.CoreClient(keys, credentials.project_id, endpoints, config, PRODUCT)
        for apply_logging in self._logging:
            apply_logging()
        return self._client_type._from_core(core, credentials, config, self._http_handler, endpoints)


def _from_chain(config):
    """Credentials from the official provider chain (OIDC/STS, environment, profile file,
    ECS metadata, pod identity) as the official `build()` runs it (credential type
    "BasicCredentials": the profile file's `[basiccredentials]` section), kept with the core's
    source of their keys."""
    from dmskafka.provider import _found

    return _found(*_core.default_credentials(config, PRODUCT, "basiccredentials"))


def _keys_of(credentials, config):
    """The core's source of the credentials' keys: the chain's (or a provider's), unless keys
    given there were changed by hand since; else one made from the values as the official
    picks it (AK/SK, federation, or the ECS metadata service without either)."""
    keys = credentials._keys
    if keys is not None and (
        keys.temporary or keys.current() == (credentials._ak, credentials._sk, credentials._security_token)
    ):
        return keys
    return _core.CoreKeys(
        credentials.ak,
        credentials.sk,
        credentials.security_token,
        credentials.idp_id,
        credentials.id_token_file,
        credentials.iam_endpoint,
        credentials.sts_endpoint,
        config,
        PRODUCT,
    )


_KEY_FIELDS = ("ak", "sk", "security_token")


def _settings(credentials, config):
    """What the official client reads again for each request: the bound credentials' keys and
    project id, and the configuration (its count of changes)."""
    return (
        credentials._ak,
        credentials._sk,
        credentials._security_token,
        credentials._project_id,
        config._changes,
    )


class _BaseClient:
    def __init__(self):
        raise TypeError("use %s.new_builder()...build()" % type(self).__name__)

    @classmethod
    def new_builder(cls, clazz=None):
        return ClientBuilder(cls)

    @classmethod
    def _from_core(cls, core, credentials, config, http_handler, endpoints):
        client = object.__new__(cls)
        client._core = core
        client._credentials = credentials
        client._config = config
        client._http_handler = http_handler
        client._endpoints = endpoints
        client._seen = _settings(credentials, config)
        client._rebuild_lock = threading.Lock()
        return client

    def _current_core(self):
        """The core to call: made again when the bound credentials' keys or project id, or a
        setting of the configuration, changed since it was made (the official client reads them
        for each request)."""
        if _settings(self._credentials, self._config) == self._seen:
            return self._core
        with self._rebuild_lock:
            credentials, config = self._credentials, self._config
            now = _settings(credentials, config)
            if now == self._seen:
                return self._core
            keys = self._core.keys
            if now[:3] != self._seen[:3]:
                if keys.temporary:
                    from dmskafka.exceptions import ValidationException

                    name = next(n for n, a, b in zip(_KEY_FIELDS, now, self._seen) if a != b)
                    raise ValidationException(
                        name,
                        "cannot be changed after build(): these credentials' keys are temporary and "
                        "fetched by the client (%s); build a client with the new credentials"
                        % ("federation" if keys.federation() else "metadata, OIDC or pod identity"),
                    )
                keys = _keys_of(credentials, config)
            core = _core.CoreClient(keys, credentials.project_id, self._endpoints, config, PRODUCT)
            self._core, self._seen = core, now
            return core

    def get_credentials(self):
        """The bound credentials, showing the temporary keys their source last fetched, as the
        official object's attributes follow its refreshes (keys given by hand, or changed by
        hand since, are left as they are)."""
        credentials, keys = self._credentials, self._core.keys
        current = keys.current() if keys.temporary else None
        if current is not None and (credentials._ak, credentials._sk, credentials._security_token) == self._seen[:3]:
            credentials._ak, credentials._sk, credentials._security_token = current
            self._seen = current + self._seen[3:]
        return credentials

    def close(self):
        """Closes the client's connections and per-thread runtimes now, as the official `close()`
        closes its session; like the official client, it still works afterwards (reconnecting)."""
        self._core.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<%s project_id=%r>" % (type(self).__name__, self._credentials.project_id)


# As the official client's executor threads are joined at exit: started calls finish.
atexit.register(_core.wait_for_calls)


def _connector_response(core_response):
    resp = CreateConnectorResponse(core_response.job_id, core_response.connector_id)
    # Fresh, so the set-once setters would always store: store directly (once per call).
    resp.__dict__.update(_status_code=core_response.status_code, _raw_content=core_response.raw_content)
    return resp


def _json_response(klass, reply):
    """The builder of `klass` from a body the core checked: a JSON object (its fields), a JSON
    array (the model's `body`, as the official SDK reads a bare array) or nothing to read."""

    def build(core_response):
        import decimal
        import json

        raw = core_response.raw_content
        if reply == "object":
            resp = klass._from_json(json.loads(raw, parse_float=decimal.Decimal))
        elif reply == "array":
            # An empty array leaves `body` None, as the official deserializer does.
            items = json.loads(raw, parse_float=decimal.Decimal)
            resp = klass._from_json({"body": items} if items else {})
        else:
            resp = klass()
        resp.status_code = core_response.status_code
        resp.raw_content = raw
        return resp

    return build


_builders = {}


def _builder(op):
    """Core response -> the operation's response model (made on first use; keyed by the
    operation object itself, which the table hands out once, so no getter runs per call)."""
    build = _builders.get(op)
    if build is None:
        from dmskafka import models

        klass = getattr(models, op.response)
        build = _connector_response if klass is CreateConnectorResponse else _json_response(klass, op.reply)
        _builders[op] = build
    return build


class KafkaClient(_BaseClient, KafkaOperations):
    """The synchronous client; thread-safe, and it releases the GIL while waiting on the network."""

    def _invoker(self, call, request):
        from dmskafka.invoker import SyncInvoker

        return SyncInvoker(call, request)

    def _invoke(self, op, params, body, headers):
        client = self._current_core()
        if not _observed(self):
            return _builder(op)(client.call(op, params, body, headers, False))
        from dmskafka import _logging

        core = _logging.observe(self, op, params, lambda trace: client.call(op, params, body, headers, trace))
        return _builder(op)(core)

    def wait_for_job(self, instance_id, job_id, timeout=600.0, poll_interval=2.0, **kwargs):
        """Polls the job until SUCCESS; raises JobFailedException or WaitTimeoutException."""
        from dmskafka import waiter

        return waiter.wait_for_job(self, instance_id, job_id, timeout, poll_interval, **kwargs)

    def enable_smart_connect(self, instance_id, node_cnt=2, specification=None, spec_code=None, wait=True, **kwargs):
        """create_connector, then (with wait) until the job succeeds and the instance runs with Smart Connect."""
        from dmskafka import waiter

        return waiter.enable_smart_connect(self, instance_id, node_cnt, specification, spec_code, wait, **kwargs)

    def wait_for_task(self, instance_id, task_id, status="RUNNING", timeout=600.0, poll_interval=2.0, **kwargs):
        """Polls the Smart Connect task until it shows `status`; raises TaskFailedException or WaitTimeoutException."""
        from dmskafka import waiter

        return waiter.wait_for_task(self, instance_id, task_id, status, timeout, poll_interval, **kwargs)

    def ensure_task(self, instance_id, body, **kwargs):
        """Enables Smart Connect if needed, creates the task unless one of its name exists, waits until it runs."""
        from dmskafka import waiter

        return waiter.ensure_task(self, instance_id, body, **kwargs)


# Taken only when a future's outcome is first made (once per call, rarely contended).
_outcome_lock = threading.Lock()


class FutureSdkResponse:
    """A handle on one call, started when the `*_async` method returned (as the official SDK
    submits it to its executor then).

    `await` it in any event loop, or block on the official `.result()` from any thread, as
    often as you like: the call runs once, and every wait gives its one outcome. A `timeout`
    that passes raises CallTimeoutException (`outcome_unknown`) and leaves the call running;
    a later `.result()` returns its outcome. Cancelling the task that awaits it cancels the call.
    """

    __slots__ = ("_call", "_build", "_done")

    def __init__(self, call, build=None):
        self._call = call
        self._build = build
        self._done = None

    def _outcome(self):
        """The response model, or the exception to raise; made once, whichever thread asks."""
        if self._done is None:
            with _outcome_lock:
                if self._done is None:
                    try:
                        core = self._call.outcome()
                        self._done = True, (core if self._build is None else self._build(core))
                    except Exception as e:  # kept to be raised again by every later wait
                        self._done = False, e
        ok, value = self._done
        if ok:
            return value
        raise value

    def done(self):
        """True once the call has finished (successfully or not)."""
        return self._done is not None or self._call.done()

    def result(self, timeout=None):
        if self._done is None and not self._call.wait(timeout):
            from dmskafka.exceptions import CallTimeoutException

            exc = CallTimeoutException(
                "no result within %s s; the call goes on in the background and its outcome is unknown: "
                "call result() again to wait for it" % timeout
            )
            exc.outcome_unknown = True
            raise exc
        return self._outcome()

    def __await__(self):
        if self._done is None and not self._call.done():
            yield from self._call.asyncio_future().__await__()
        return self._outcome()


class KafkaAsyncClient(_BaseClient, KafkaAsyncOperations):
    """The asyncio client: each `*_async` call starts at once and returns a FutureSdkResponse
    (await it, or `.result()`)."""

    def _invoker(self, call, request):
        from dmskafka.invoker import AsyncInvoker

        return AsyncInvoker(call, request)

    def _start(self, op, params, body, headers):
        client = self._current_core()
        if not _observed(self):
            return FutureSdkResponse(client.call_async(op, params, body, headers, False), _builder(op))
        from dmskafka import _logging

        started = _logging.started()
        call = client.call_async(op, params, body, headers, True)
        _logging.observe_call(self, op, params, call, started)
        return FutureSdkResponse(call, _builder(op))

    async def wait_for_job_async(self, instance_id, job_id, timeout=600.0, poll_interval=2.0, **kwargs):
        from dmskafka import waiter

        return await waiter.wait_for_job_async(self, instance_id, job_id, timeout, poll_interval, **kwargs)

    async def enable_smart_connect_async(
        self, instance_id, node_cnt=2, specification=None, spec_code=None, wait=True, **kwargs
    ):
        from dmskafka import waiter

        return await waiter.enable_smart_connect_async(
            self, instance_id, node_cnt, specification, spec_code, wait, **kwargs
        )

    async def wait_for_task_async(
        self, instance_id, task_id, status="RUNNING", timeout=600.0, poll_interval=2.0, **kwargs
    ):
        from dmskafka import waiter

        return await waiter.wait_for_task_async(self, instance_id, task_id, status, timeout, poll_interval, **kwargs)

    async def ensure_task_async(self, instance_id, body, **kwargs):
        from dmskafka import waiter

        return await waiter.ensure_task_async(self, instance_id, body, **kwargs)
