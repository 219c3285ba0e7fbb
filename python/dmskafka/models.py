"""Request and response models with the official SDK's fields, properties and output.

Each model is only its field table (`openapi_types`, in the official order); `_Model` turns the
table into a constructor with the official signature and one property per field.
"""

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


def _field(name, type_name):
    private = "_" + name

    def fget(self):
        return getattr(self, private)

    def fset(self, value):
        setattr(self, private, value)

    return property(fget, fset, doc="%s (%s)" % (name, type_name))


def _make_init(cls):
    # Compiled like dataclasses do, so the signature (positional order, names, TypeError on an
    # unknown keyword) is exactly the official one; each field is one store into __dict__
    # (models are built on every call: this is the fast way).
    names = list(cls.openapi_types)
    source = "def __init__(self%s):\n    _base_init(self)\n    d = self.__dict__\n%s" % (
        "".join(", %s=None" % name for name in names),
        "".join("    d['_%s'] = %s\n" % (name, name) for name in names),
    )
    namespace = {}
    exec(source, {"_base_init": super(cls, cls).__init__}, namespace)
    init = namespace["__init__"]
    init.__qualname__ = cls.__qualname__ + ".__init__"
    init.__module__ = cls.__module__
    return init


class _Model:
    sensitive_list = []
    openapi_types = {}
    attribute_map = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "openapi_types" not in cls.__dict__:
            return
        if "attribute_map" not in cls.__dict__:
            cls.attribute_map = {name: name for name in cls.openapi_types}
        for name, type_name in cls.openapi_types.items():
            setattr(cls, name, _field(name, type_name))
        cls.__init__ = _make_init(cls)

    def to_dict(self):
        result = {}
        for attr in self.openapi_types:
            value = getattr(self, attr)
            if isinstance(value, list):
                result[attr] = [x.to_dict() if hasattr(x, "to_dict") else x for x in value]
            elif hasattr(value, "to_dict"):
                result[attr] = value.to_dict()
            elif isinstance(value, dict):
                result[attr] = {k: v.to_dict() if hasattr(v, "to_dict") else v for k, v in value.items()}
            elif attr in self.sensitive_list:
                result[attr] = "****"
            else:
                result[attr] = value
        return result

    def to_str(self):
        """JSON of the fields that are set, under their JSON names."""
        import json

        return json.dumps(_sanitize(self), ensure_ascii=False)

    def __repr__(self):
        return self.to_str()

    def _repr_html_(self):
        """A table of the fields that are set, for notebooks."""
        from dmskafka._html import table

        rows = [(attr, value) for attr in self.openapi_types if (value := getattr(self, attr)) is not None]
        status = getattr(self, "status_code", None)
        return table(type(self).__name__ + (" (HTTP %s)" % status if status else ""), rows)

    def _repr_pretty_(self, p, cycle):
        """IPython's terminal display: the repr's JSON, indented."""
        import json

        p.text(json.dumps(_sanitize(self), indent=2, ensure_ascii=False))

    def __eq__(self, other):
        return isinstance(other, self.__class__) and self.__dict__ == other.__dict__

    def __ne__(self, other):
        return not self == other

    @classmethod
    def _from_json(cls, data):
        """An instance from decoded JSON; unknown keys are ignored, values typed as the official SDK does."""
        if not isinstance(data, dict):
            return cls()
        return cls(
            **{
                attr: _decode(data[cls.attribute_map[attr]], type_name)
                for attr, type_name in cls.openapi_types.items()
                if cls.attribute_map[attr] in data
            }
        )


def _sanitize(obj):
    if isinstance(obj, _Model):
        return {
            obj.attribute_map[attr]: _sanitize(value)
            for attr in obj.openapi_types
            if (value := getattr(obj, attr)) is not None
        }
    if isinstance(obj, dict):
        return {key: _sanitize(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_sanitize(item) for item in obj]
    if obj is None or isinstance(obj, (str, int, float)):
        return obj
    import datetime

    return obj.isoformat() if isinstance(obj, datetime.date) else obj


_SCALARS = {"str": str, "int": int, "bool": bool}
_BOOL_TEXT = {"true": True, "false": False}


def _decode(value, type_name):
    if value is None:
        return None
    if type_name.startswith("list["):
        items = value if isinstance(value, list) else [value]
        return [_decode(item, type_name[5:-1]) for item in items]
    kind = _SCALARS.get(type_name)
    if kind is None:
        return globals()[type_name]._from_json(value)
    # The official SDK converts scalars with kind(value); bool("false") would be True, so text
    # is read as a JSON boolean instead, and what cannot be converted is kept as it came.
    if type(value) is kind or not isinstance(value, (str, int, float)):
        return value
    if kind is bool and isinstance(value, str):
        return _BOOL_TEXT.get(value.lower(), value)
    try:
        return kind(value)
    except (ValueError, OverflowError):
        return value


class SdkResponse:
    """The HTTP status and raw body of a response; each is set once."""

    def __init__(self):
        self._status_code = None
        self._raw_content = None

    @property
    def status_code(self):
        return self._status_code

    @status_code.setter
    def status_code(self, status_code):
        if not self._status_code:
            self._status_code = status_code

    @property
    def raw_content(self):
        return self._raw_content

    @raw_content.setter
    def raw_content(self, raw_content):
        if not self._raw_content:
            self._raw_content = raw_content

    def to_json_object(self, **kwargs):
        """The decoded response body, or None when there is none."""
        import json

        return json.loads(self._raw_content.decode("utf-8"), **kwargs) if self._raw_content else None


class _Response(SdkResponse, _Model):
    def to_dict(self):
        import warnings

        warnings.warn(
            "%s.to_dict() is deprecated and no longer maintained, "
            "use to_json_object() to get the response content." % self.__class__.__name__,
            DeprecationWarning,
            stacklevel=2,
        )
        return super().to_dict()


class CreateConnectorReq(_Model):
    openapi_types = {"specification": "str", "node_cnt": "int", "spec_code": "str"}


class CreateConnectorRequest(_Model):
    openapi_types = {"instance_id": "str", "body": "CreateConnectorReq"}


class CreateConnectorResponse(_Response):
    openapi_types = {"job_id": "str", "connector_id": "str"}


class DeleteConnectorRequest(_Model):
    openapi_types = {"instance_id": "str"}


class DeleteConnectorResponse(_Response):
    openapi_types = {"job_id": "str"}


class ShowBackgroundTaskRequest(_Model):
    openapi_types = {"instance_id": "str", "task_id": "str"}


class ShowBackgroundTaskResponse(_Response):
    openapi_types = {"task_count": "str", "tasks": "list[ListBackgroundTasksRespTasks]"}


class ListBackgroundTasksRespTasks(_Model):
    openapi_types = {
        "id": "str",
        "name": "str",
        "user_name": "str",
        "user_id": "str",
        "params": "str",
        "status": "str",
        "created_at": "str",
        "updated_at": "str",
    }


class ShowInstanceRequest(_Model):
    openapi_types = {"instance_id": "str"}


class ShowInstanceResponse(_Response):
    openapi_types = {
        "name": "str",
        "engine": "str",
        "engine_version": "str",
        "description": "str",
        "specification": "str",
        "storage_space": "int",
        "partition_num": "str",
        "used_storage_space": "int",
        "dns_enable": "bool",
        "connect_address": "str",
        "port": "int",
        "status": "str",
        "instance_id": "str",
        "resource_spec_code": "str",
        "charging_mode": "int",
        "vpc_id": "str",
        "vpc_name": "str",
        "created_at": "str",
        "subnet_name": "str",
        "subnet_cidr": "str",
        "user_id": "str",
        "user_name": "str",
        "access_user": "str",
        "order_id": "str",
        "maintain_begin": "str",
        "maintain_end": "str",
        "enable_publicip": "bool",
        "management_connect_address": "str",
        "ssl_enable": "bool",
        "broker_ssl_enable": "bool",
        "kafka_security_protocol": "str",
        "sasl_enabled_mechanisms": "list[str]",
        "ssl_two_way_enable": "bool",
        "cert_replaced": "bool",
        "public_management_connect_address": "str",
        "enterprise_project_id": "str",
        "is_logical_volume": "bool",
        "extend_times": "int",
        "enable_auto_topic": "bool",
        "type": "str",
        "product_id": "str",
        "security_group_id": "str",
        "security_group_name": "str",
        "subnet_id": "str",
        "available_zones": "list[str]",
        "available_zone_names": "list[str]",
        "total_storage_space": "int",
        "public_connect_address": "str",
        "public_connect_domain_name": "str",
        "storage_resource_id": "str",
        "storage_spec_code": "str",
        "service_type": "str",
        "storage_type": "str",
        "retention_policy": "str",
        "kafka_public_status": "str",
        "public_bandwidth": "int",
        "enable_log_collection": "bool",
        "new_auth_cert": "bool",
        "cross_vpc_info": "str",
        "public_cross_vpc_info": "str",
        "ipv6_enable": "bool",
        "ipv6_connect_addresses": "list[str]",
        "connector_enable": "bool",
        "connector_node_num": "int",
        "connector_id": "str",
        "rest_enable": "bool",
        "rest_connect_address": "str",
        "public_boundwidth": "int",
        "message_query_inst_enable": "bool",
        "vpc_client_plain": "bool",
        "support_features": "str",
        "trace_enable": "bool",
        "agent_enable": "bool",
        "pod_connect_address": "str",
        "disk_encrypted": "bool",
        "disk_encrypted_key": "str",
        "kafka_private_connect_address": "str",
        "kafka_private_connect_domain_name": "str",
        "ces_version": "str",
        "public_access_enabled": "str",
        "node_num": "int",
        "port_protocols": "PortProtocolsEntity",
        "enable_acl": "bool",
        "new_spec_billing_enable": "bool",
        "broker_num": "int",
        "tags": "list[TagEntity]",
        "dr_enable": "bool",
    }


class PortProtocolsEntity(_Model):
    openapi_types = {
        "private_plain_enable": "bool",
        "private_plain_address": "str",
        "private_plain_domain_name": "str",
        "private_sasl_ssl_enable": "bool",
        "private_sasl_ssl_address": "str",
        "private_sasl_ssl_domain_name": "str",
        "private_sasl_plaintext_enable": "bool",
        "private_sasl_plaintext_address": "str",
        "private_sasl_plaintext_domain_name": "str",
        "public_plain_enable": "bool",
        "public_plain_address": "str",
        "public_plain_domain_name": "str",
        "public_sasl_ssl_enable": "bool",
        "public_sasl_ssl_address": "str",
        "public_sasl_ssl_domain_name": "str",
        "public_sasl_plaintext_enable": "bool",
        "public_sasl_plaintext_address": "str",
        "public_sasl_plaintext_domain_name": "str",
    }


class TagEntity(_Model):
    openapi_types = {"key": "str", "value": "str"}
