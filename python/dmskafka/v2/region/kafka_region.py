"""``huaweicloudsdkkafka.v2.region.kafka_region``."""

from dmskafka.region import KafkaRegion

__all__ = ["KafkaRegion"]
