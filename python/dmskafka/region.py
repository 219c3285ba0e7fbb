"""Regions: the official `Region` and `KafkaRegion`, backed by the core's one region table."""

import warnings

from dmskafka import _core

__all__ = ["Region", "KafkaRegion"]


class Region:
    """A region id and its endpoints: `Region("id", "ep1", "ep2")` or `Region(id=..., endpoint=...)`."""

    def __init__(self, *args, **kwargs):
        self._id = None
        self._endpoints = None
        if len(args) > 1:
            self._id = args[0]
            self._endpoints = list(args[1:])
        if "id" in kwargs:
            self._id = kwargs["id"]
        if "endpoint" in kwargs:
            self._endpoints = [kwargs["endpoint"]]
        if not self._id:
            raise ValueError("id is required")
        if not self._endpoints:
            raise ValueError("at lease one endpoint is required")

    @property
    def id(self):
        return self._id

    @id.setter
    def id(self, value):
        self._id = value

    @property
    def endpoints(self):
        return self._endpoints

    @endpoints.setter
    def endpoints(self, value):
        self._endpoints = value

    @property
    def endpoint(self):
        warnings.warn("As of 3.1.27, use endpoints instead", DeprecationWarning, stacklevel=2)
        return self._endpoints[0] if self._endpoints else None

    @endpoint.setter
    def endpoint(self, value):
        warnings.warn("As of 3.1.27, use endpoints instead", DeprecationWarning, stacklevel=2)
        self._endpoints = [value]

    def with_endpoint_override(self, *args):
        return self.with_endpoints_override(list(args))

    def with_endpoints_override(self, endpoints):
        self._endpoints = endpoints
        return self

    def __repr__(self):
        return "Region(%r, %s)" % (self._id, ", ".join(repr(e) for e in self._endpoints or ()))

    def __eq__(self, other):
        return isinstance(other, Region) and (self._id, self._endpoints) == (other._id, other._endpoints)

    __hash__ = None


def _constant_name(region_id):
    return region_id.replace("-", "_").upper()


class KafkaRegion:
    """Every region of the official `KafkaRegion`, as class constants (`KafkaRegion.CN_NORTH_4`)."""

    static_fields = {rid: Region(rid, endpoint) for rid, endpoint in _core.kafka_regions()}

    @classmethod
    def value_of(cls, region_id, static_fields=None):
        """The region for an id, in the official order: `HUAWEICLOUD_SDK_REGION_KAFKA_<ID>`,
        then `~/.huaweicloud/regions.yaml` (or `$HUAWEICLOUD_SDK_REGIONS_FILE`), then the
        regions of `static_fields` (the built-in table by default)."""
        if not region_id:
            raise KeyError("Unexpected empty parameter: region_id")
        fields = static_fields or cls.static_fields
        configured = _core.configured_kafka_region(region_id)
        if configured is not None:
            rid, endpoints = configured
            return Region(rid, *endpoints)
        if region_id in fields:
            return fields[region_id]
        raise KeyError(
            "region_id '%s' is not in the following supported regions of service 'Kafka': [%s]"
            % (region_id, ", ".join(sorted(fields)))
        )


for _rid, _region in KafkaRegion.static_fields.items():
    setattr(KafkaRegion, _constant_name(_rid), _region)
del _rid, _region
