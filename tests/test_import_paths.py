"""The official import paths, swapped: every name the official module lets one import."""

import importlib

import pytest

from dmskafka import SigningAlgorithm

PATHS = [
    ("huaweicloudsdkcore.signer.algorithm", "SigningAlgorithm"),
    ("huaweicloudsdkcore.http.http_config", "SigningAlgorithm"),
    ("huaweicloudsdkcore.http.http_config", "HttpConfig"),
]


@pytest.mark.parametrize("module, name", PATHS)
def test_the_official_path_swapped_imports_the_same_name(module, name):
    official = getattr(importlib.import_module(module), name)
    ours = getattr(importlib.import_module(module.replace("huaweicloudsdkcore", "dmskafka.core")), name)
    assert ours.__name__ == official.__name__
    if name == "SigningAlgorithm":
        assert ours is SigningAlgorithm
        assert [m.name for m in ours] == [m.name for m in official]
        assert ours.get_default().name == official.get_default().name


def test_signing_algorithm_is_exported_flat():
    import dmskafka

    assert "SigningAlgorithm" in dmskafka.__all__
    assert dmskafka.SigningAlgorithm is dmskafka.http_config.SigningAlgorithm
