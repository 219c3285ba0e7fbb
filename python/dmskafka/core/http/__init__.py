"""``huaweicloudsdkcore.http``."""
