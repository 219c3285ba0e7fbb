# Stubs of region.py. The constants are the official KafkaRegion's, from the core's region table.

from typing import ClassVar

__all__ = ["Region", "KafkaRegion"]

class Region:
    id: str
    endpoints: list[str]
    # Deprecated in the official SDK (3.1.27): use endpoints.
    endpoint: str | None
    def __init__(self, *args: str, id: str = ..., endpoint: str = ...) -> None: ...
    def with_endpoint_override(self, *args: str) -> Region: ...
    def with_endpoints_override(self, endpoints: list[str]) -> Region: ...
    def __eq__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class KafkaRegion:
    static_fields: ClassVar[dict[str, Region]]
    AE_AD_1: ClassVar[Region]
    AF_NORTH_1: ClassVar[Region]
    AF_SOUTH_1: ClassVar[Region]
    AP_SOUTHEAST_1: ClassVar[Region]
    AP_SOUTHEAST_2: ClassVar[Region]
    AP_SOUTHEAST_3: ClassVar[Region]
    AP_SOUTHEAST_4: ClassVar[Region]
    AP_SOUTHEAST_5: ClassVar[Region]
    CN_EAST_2: ClassVar[Region]
    CN_EAST_3: ClassVar[Region]
    CN_EAST_4: ClassVar[Region]
    CN_EAST_5: ClassVar[Region]
    CN_NORTH_1: ClassVar[Region]
    CN_NORTH_11: ClassVar[Region]
    CN_NORTH_12: ClassVar[Region]
    CN_NORTH_2: ClassVar[Region]
    CN_NORTH_4: ClassVar[Region]
    CN_NORTH_9: ClassVar[Region]
    CN_SOUTHWEST_2: ClassVar[Region]
    CN_SOUTHWEST_3: ClassVar[Region]
    CN_SOUTH_1: ClassVar[Region]
    CN_SOUTH_2: ClassVar[Region]
    CN_SOUTH_4: ClassVar[Region]
    EU_WEST_0: ClassVar[Region]
    EU_WEST_101: ClassVar[Region]
    LA_NORTH_2: ClassVar[Region]
    LA_SOUTH_2: ClassVar[Region]
    ME_EAST_1: ClassVar[Region]
    MY_KUALALUMPUR_1: ClassVar[Region]
    NA_MEXICO_1: ClassVar[Region]
    RU_MOSCOW_1: ClassVar[Region]
    RU_NORTHWEST_2: ClassVar[Region]
    SA_BRAZIL_1: ClassVar[Region]
    TR_WEST_1: ClassVar[Region]
    @classmethod
    def value_of(cls, region_id: str, static_fields: dict[str, Region] | None = None) -> Region: ...
