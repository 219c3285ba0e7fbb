"""``huaweicloudsdkcore.exceptions``."""
