# Stubs of models.py: the fields of each model, which the runtime builds from `openapi_types`.
# Every field is optional (None until set, or when the response lacks it), except where noted.

from typing import Any, ClassVar

from typing_extensions import Self

__all__ = [
    "SdkResponse",
    "CreateConnectorReq",
    "CreateConnectorRequest",
    "CreateConnectorResponse",
    "DeleteConnectorRequest",
    "DeleteConnectorResponse",
    "ShowBackgroundTaskRequest",
    "ShowBackgroundTaskResponse",
    "ListBackgroundTasksRespTasks",
    "ShowInstanceRequest",
    "ShowInstanceResponse",
    "PortProtocolsEntity",
    "TagEntity",
]

class _Model:
    sensitive_list: ClassVar[list[str]]
    openapi_types: ClassVar[dict[str, str]]
    attribute_map: ClassVar[dict[str, str]]
    def to_dict(self) -> dict[str, Any]: ...
    def to_str(self) -> str: ...
    def _repr_html_(self) -> str: ...
    def _repr_pretty_(self, p: Any, cycle: bool) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    @classmethod
    def _from_json(cls, data: object) -> Self: ...

class SdkResponse:
    status_code: int | None
    raw_content: bytes | None
    def __init__(self) -> None: ...
    def to_json_object(self, **kwargs: Any) -> Any: ...

class _Response(SdkResponse, _Model): ...

class CreateConnectorReq(_Model):
    specification: str | None
    node_cnt: int | str | None
    spec_code: str | None
    def __init__(
        self,
        specification: str | None = None,
        node_cnt: int | str | None = None,
        spec_code: str | None = None,
    ) -> None: ...

class CreateConnectorRequest(_Model):
    instance_id: str | None
    body: CreateConnectorReq | None
    def __init__(self, instance_id: str | None = None, body: CreateConnectorReq | None = None) -> None: ...

class CreateConnectorResponse(_Response):
    # Always set on a response the client returns: the core refuses a 2xx without them.
    job_id: str
    connector_id: str
    def __init__(self, job_id: str | None = None, connector_id: str | None = None) -> None: ...

class DeleteConnectorRequest(_Model):
    instance_id: str | None
    def __init__(self, instance_id: str | None = None) -> None: ...

class DeleteConnectorResponse(_Response):
    job_id: str | None
    def __init__(self, job_id: str | None = None) -> None: ...

class ShowBackgroundTaskRequest(_Model):
    instance_id: str | None
    task_id: str | None
    def __init__(self, instance_id: str | None = None, task_id: str | None = None) -> None: ...

class ShowBackgroundTaskResponse(_Response):
    task_count: str | None
    tasks: list[ListBackgroundTasksRespTasks] | None
    def __init__(
        self,
        task_count: str | None = None,
        tasks: list[ListBackgroundTasksRespTasks] | None = None,
    ) -> None: ...

class ListBackgroundTasksRespTasks(_Model):
    id: str | None
    name: str | None
    user_name: str | None
    user_id: str | None
    params: str | None
    status: str | None
    created_at: str | None
    updated_at: str | None
    def __init__(
        self,
        id: str | None = None,
        name: str | None = None,
        user_name: str | None = None,
        user_id: str | None = None,
        params: str | None = None,
        status: str | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
    ) -> None: ...

class ShowInstanceRequest(_Model):
    instance_id: str | None
    def __init__(self, instance_id: str | None = None) -> None: ...

class ShowInstanceResponse(_Response):
    name: str | None
    engine: str | None
    engine_version: str | None
    description: str | None
    specification: str | None
    storage_space: int | None
    partition_num: str | None
    used_storage_space: int | None
    dns_enable: bool | None
    connect_address: str | None
    port: int | None
    status: str | None
    instance_id: str | None
    resource_spec_code: str | None
    charging_mode: int | None
    vpc_id: str | None
    vpc_name: str | None
    created_at: str | None
    subnet_name: str | None
    subnet_cidr: str | None
    user_id: str | None
    user_name: str | None
    access_user: str | None
    order_id: str | None
    maintain_begin: str | None
    maintain_end: str | None
    enable_publicip: bool | None
    management_connect_address: str | None
    ssl_enable: bool | None
    broker_ssl_enable: bool | None
    kafka_security_protocol: str | None
    sasl_enabled_mechanisms: list[str] | None
    ssl_two_way_enable: bool | None
    cert_replaced: bool | None
    public_management_connect_address: str | None
    enterprise_project_id: str | None
    is_logical_volume: bool | None
    extend_times: int | None
    enable_auto_topic: bool | None
    type: str | None
    product_id: str | None
    security_group_id: str | None
    security_group_name: str | None
    subnet_id: str | None
    available_zones: list[str] | None
    available_zone_names: list[str] | None
    total_storage_space: int | None
    public_connect_address: str | None
    public_connect_domain_name: str | None
    storage_resource_id: str | None
    storage_spec_code: str | None
    service_type: str | None
    storage_type: str | None
    retention_policy: str | None
    kafka_public_status: str | None
    public_bandwidth: int | None
    enable_log_collection: bool | None
    new_auth_cert: bool | None
    cross_vpc_info: str | None
    public_cross_vpc_info: str | None
    ipv6_enable: bool | None
    ipv6_connect_addresses: list[str] | None
    connector_enable: bool | None
    connector_node_num: int | None
    connector_id: str | None
    rest_enable: bool | None
    rest_connect_address: str | None
    public_boundwidth: int | None
    message_query_inst_enable: bool | None
    vpc_client_plain: bool | None
    support_features: str | None
    trace_enable: bool | None
    agent_enable: bool | None
    pod_connect_address: str | None
    disk_encrypted: bool | None
    disk_encrypted_key: str | None
    kafka_private_connect_address: str | None
    kafka_private_connect_domain_name: str | None
    ces_version: str | None
    public_access_enabled: str | None
    node_num: int | None
    port_protocols: PortProtocolsEntity | None
    enable_acl: bool | None
    new_spec_billing_enable: bool | None
    broker_num: int | None
    tags: list[TagEntity] | None
    dr_enable: bool | None
    def __init__(
        self,
        name: str | None = None,
        engine: str | None = None,
        engine_version: str | None = None,
        description: str | None = None,
        specification: str | None = None,
        storage_space: int | None = None,
        partition_num: str | None = None,
        used_storage_space: int | None = None,
        dns_enable: bool | None = None,
        connect_address: str | None = None,
        port: int | None = None,
        status: str | None = None,
        instance_id: str | None = None,
        resource_spec_code: str | None = None,
        charging_mode: int | None = None,
        vpc_id: str | None = None,
        vpc_name: str | None = None,
        created_at: str | None = None,
        subnet_name: str | None = None,
        subnet_cidr: str | None = None,
        user_id: str | None = None,
        user_name: str | None = None,
        access_user: str | None = None,
        order_id: str | None = None,
        maintain_begin: str | None = None,
        maintain_end: str | None = None,
        enable_publicip: bool | None = None,
        management_connect_address: str | None = None,
        ssl_enable: bool | None = None,
        broker_ssl_enable: bool | None = None,
        kafka_security_protocol: str | None = None,
        sasl_enabled_mechanisms: list[str] | None = None,
        ssl_two_way_enable: bool | None = None,
        cert_replaced: bool | None = None,
        public_management_connect_address: str | None = None,
        enterprise_project_id: str | None = None,
        is_logical_volume: bool | None = None,
        extend_times: int | None = None,
        enable_auto_topic: bool | None = None,
        type: str | None = None,
        product_id: str | None = None,
        security_group_id: str | None = None,
        security_group_name: str | None = None,
        subnet_id: str | None = None,
        available_zones: list[str] | None = None,
        available_zone_names: list[str] | None = None,
        total_storage_space: int | None = None,
        public_connect_address: str | None = None,
        public_connect_domain_name: str | None = None,
        storage_resource_id: str | None = None,
        storage_spec_code: str | None = None,
        service_type: str | None = None,
        storage_type: str | None = None,
        retention_policy: str | None = None,
        kafka_public_status: str | None = None,
        public_bandwidth: int | None = None,
        enable_log_collection: bool | None = None,
        new_auth_cert: bool | None = None,
        cross_vpc_info: str | None = None,
        public_cross_vpc_info: str | None = None,
        ipv6_enable: bool | None = None,
        ipv6_connect_addresses: list[str] | None = None,
        connector_enable: bool | None = None,
        connector_node_num: int | None = None,
        connector_id: str | None = None,
        rest_enable: bool | None = None,
        rest_connect_address: str | None = None,
        public_boundwidth: int | None = None,
        message_query_inst_enable: bool | None = None,
        vpc_client_plain: bool | None = None,
        support_features: str | None = None,
        trace_enable: bool | None = None,
        agent_enable: bool | None = None,
        pod_connect_address: str | None = None,
        disk_encrypted: bool | None = None,
        disk_encrypted_key: str | None = None,
        kafka_private_connect_address: str | None = None,
        kafka_private_connect_domain_name: str | None = None,
        ces_version: str | None = None,
        public_access_enabled: str | None = None,
        node_num: int | None = None,
        port_protocols: PortProtocolsEntity | None = None,
        enable_acl: bool | None = None,
        new_spec_billing_enable: bool | None = None,
        broker_num: int | None = None,
        tags: list[TagEntity] | None = None,
        dr_enable: bool | None = None,
    ) -> None: ...

class PortProtocolsEntity(_Model):
    private_plain_enable: bool | None
    private_plain_address: str | None
    private_plain_domain_name: str | None
    private_sasl_ssl_enable: bool | None
    private_sasl_ssl_address: str | None
    private_sasl_ssl_domain_name: str | None
    private_sasl_plaintext_enable: bool | None
    private_sasl_plaintext_address: str | None
    private_sasl_plaintext_domain_name: str | None
    public_plain_enable: bool | None
    public_plain_address: str | None
    public_plain_domain_name: str | None
    public_sasl_ssl_enable: bool | None
    public_sasl_ssl_address: str | None
    public_sasl_ssl_domain_name: str | None
    public_sasl_plaintext_enable: bool | None
    public_sasl_plaintext_address: str | None
    public_sasl_plaintext_domain_name: str | None
    def __init__(
        self,
        private_plain_enable: bool | None = None,
        private_plain_address: str | None = None,
        private_plain_domain_name: str | None = None,
        private_sasl_ssl_enable: bool | None = None,
        private_sasl_ssl_address: str | None = None,
        private_sasl_ssl_domain_name: str | None = None,
        private_sasl_plaintext_enable: bool | None = None,
        private_sasl_plaintext_address: str | None = None,
        private_sasl_plaintext_domain_name: str | None = None,
        public_plain_enable: bool | None = None,
        public_plain_address: str | None = None,
        public_plain_domain_name: str | None = None,
        public_sasl_ssl_enable: bool | None = None,
        public_sasl_ssl_address: str | None = None,
        public_sasl_ssl_domain_name: str | None = None,
        public_sasl_plaintext_enable: bool | None = None,
        public_sasl_plaintext_address: str | None = None,
        public_sasl_plaintext_domain_name: str | None = None,
    ) -> None: ...

class TagEntity(_Model):
    key: str | None
    value: str | None
    def __init__(self, key: str | None = None, value: str | None = None) -> None: ...
