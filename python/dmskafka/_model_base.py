"""The hand-written machinery of the models: output, equality, decoding and the response base.

The model classes themselves are generated from spec/models.json into dmskafka/models.py
(`make generate`); each is its field tables, a constructor and one property per field, and
inherits everything else from here.
"""

_MODELS = {}  # class name -> model class, for decoding nested types


def _field(name, doc):
    """The property of a field, stored under `_name` (where the generated `__init__` puts it)."""
    private = "_" + name

    def fget(self):
        return getattr(self, private)

    def fset(self, value):
        setattr(self, private, value)

    return property(fget, fset, doc=doc)


_MASK = "****"
# Every secret field's name: a dict given where a model goes (at any depth, e.g. a whole body
# as a dict) is masked by key, since no model tells which of its keys are secret.
_SECRET_NAMES = set()


class _Model:
    sensitive_list = []
    # Fields never shown (a password, OBS keys): masked in every output, still sent. The
    # official models print them; this is one of the intended differences.
    _secret = []
    openapi_types = {}
    attribute_map = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Nested types are named in `openapi_types`; `_decode` finds them here. A model of
        # dmskafka.models comes first, so a user's subclass never takes its name.
        if "openapi_types" in cls.__dict__:
            _MODELS.setdefault(cls.__name__, cls)
        _SECRET_NAMES.update(cls.__dict__.get("_secret", ()))

    def to_dict(self):
        result = {}
        for attr in self.openapi_types:
            value = getattr(self, attr)
            if attr in self._secret and value is not None:
                result[attr] = _MASK
            elif isinstance(value, list):
                result[attr] = [x.to_dict() if hasattr(x, "to_dict") else _masked(x) for x in value]
            elif hasattr(value, "to_dict"):
                result[attr] = value.to_dict()
            elif isinstance(value, dict):
                result[attr] = {k: v.to_dict() if hasattr(v, "to_dict") else v for k, v in _masked(value).items()}
            elif attr in self.sensitive_list:
                result[attr] = _MASK
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

        rows = [
            (attr, _MASK if attr in self._secret else _masked(value))
            for attr in self.openapi_types
            if (value := getattr(self, attr)) is not None
        ]
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


def _masked(value):
    """Dicts and lists as given where a model goes, every secret key masked at any depth
    (models inside are left to their own output, which masks them)."""
    if isinstance(value, dict):
        return {k: _MASK if k in _SECRET_NAMES and v is not None else _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _sanitize(obj):
    if isinstance(obj, _Model):
        return {
            obj.attribute_map[attr]: _MASK if attr in obj._secret else _sanitize(value)
            for attr in obj.openapi_types
            if (value := getattr(obj, attr)) is not None
        }
    if isinstance(obj, dict):
        return {k: _MASK if k in _SECRET_NAMES and v is not None else _sanitize(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_sanitize(item) for item in obj]
    if obj is None or isinstance(obj, (str, int, float)):
        return obj
    import datetime

    return obj.isoformat() if isinstance(obj, datetime.date) else obj


_SCALARS = {"str": str, "int": int, "bool": bool}
_BOOL_TEXT = {"true": True, "false": False}


def _decode(value, type_name):
    if value is None or type_name == "object":
        return value
    if type_name.startswith("list["):
        items = value if isinstance(value, list) else [value]
        return [_decode(item, type_name[5:-1]) for item in items]
    kind = _SCALARS.get(type_name)
    if kind is None:
        return _MODELS[type_name]._from_json(value)
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


# Public as dmskafka.models.SdkResponse (its name in the official SDK is
# huaweicloudsdkcore.sdk_response.SdkResponse); it shows under the path users import it from.
SdkResponse.__module__ = "dmskafka.models"


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
