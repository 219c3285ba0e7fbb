"""``huaweicloudsdkcore.auth``."""
