"""``huaweicloudsdkcore.region``."""
