"""``huaweicloudsdkcore.retry``."""
