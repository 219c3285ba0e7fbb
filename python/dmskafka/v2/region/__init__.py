"""``huaweicloudsdkkafka.v2.region``."""
