"""``huaweicloudsdkcore.signer``."""
