"""dmskafka: Huawei Cloud DMS for Kafka Smart Connect, a drop-in for the official Python SDK.

Rust core (validation, signing, HTTP), official names and behaviour, a local emulator.
"""

from dmskafka import exceptions
from dmskafka._core import __version__
from dmskafka.client import ClientBuilder, FutureSdkResponse, KafkaAsyncClient, KafkaClient
from dmskafka.credentials import BasicCredentials
from dmskafka.exceptions import (
    CallTimeoutException,
    ClientRequestException,
    ConnectionException,
    HostUnreachableException,
    JobFailedException,
    RequestTimeoutException,
    RetryOutageException,
    SdkError,
    SdkException,
    ServerResponseException,
    ServiceResponseException,
    SslHandShakeException,
    ValidationException,
    WaitTimeoutException,
)
from dmskafka.http_config import HttpConfig
from dmskafka.models import (
    CreateConnectorReq,
    CreateConnectorRequest,
    CreateConnectorResponse,
    DeleteConnectorRequest,
    DeleteConnectorResponse,
    ListBackgroundTasksRespTasks,
    SdkResponse,
    ShowBackgroundTaskRequest,
    ShowBackgroundTaskResponse,
    ShowConnectorResourceInfoRequest,
    ShowConnectorResourceInfoResponse,
    ShowInstanceRequest,
    ShowInstanceResponse,
)
from dmskafka.region import KafkaRegion, Region
from dmskafka.retry import BackoffStrategies

__all__ = [
    "__version__",
    "exceptions",
    "BackoffStrategies",
    "BasicCredentials",
    "CallTimeoutException",
    "ClientBuilder",
    "ClientRequestException",
    "ConnectionException",
    "CreateConnectorReq",
    "CreateConnectorRequest",
    "CreateConnectorResponse",
    "DeleteConnectorRequest",
    "DeleteConnectorResponse",
    "FutureSdkResponse",
    "HostUnreachableException",
    "HttpConfig",
    "JobFailedException",
    "KafkaAsyncClient",
    "KafkaClient",
    "KafkaRegion",
    "ListBackgroundTasksRespTasks",
    "Region",
    "RequestTimeoutException",
    "RetryOutageException",
    "SdkError",
    "SdkException",
    "SdkResponse",
    "ServerResponseException",
    "ServiceResponseException",
    "ShowBackgroundTaskRequest",
    "ShowBackgroundTaskResponse",
    "ShowConnectorResourceInfoRequest",
    "ShowConnectorResourceInfoResponse",
    "ShowInstanceRequest",
    "ShowInstanceResponse",
    "SslHandShakeException",
    "ValidationException",
    "WaitTimeoutException",
]
