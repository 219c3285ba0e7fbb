"""The official ``huaweicloudsdkcore`` import paths, so migrating is changing import lines."""
