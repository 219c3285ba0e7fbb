"""`~/.huaweicloud/regions.yaml` (or `$HUAWEICLOUD_SDK_REGIONS_FILE`), parsed in the core,
against the official `KafkaRegion.value_of` reading the same file: the order (environment,
file, built-in table), the file's shape, and a malformed file."""

import os
import re

import pytest
import yaml
from huaweicloudsdkcore.region import cache as official_cache
from huaweicloudsdkcore.utils.six_utils import SingletonMeta
from huaweicloudsdkkafka.v2.region.kafka_region import KafkaRegion as OfficialKafkaRegion

from dmskafka import KafkaRegion

REGIONS = """\
# endpoints by service
ECS:
  - id: cn-north-4
    endpoint: https://ecs.example.com
Kafka:
  - id: cn-north-4
    endpoints:
      - https://a.example.com
      - https://b.example.com
    endpoint: https://c.example.com
  - id: my-own-1
    endpoint: https://own.example.com
  - endpoint: https://no-id.example.com
  - id: ap-southeast-3
    endpoints: []
  - id: my-own-1
    endpoint: https://own-again.example.com
    note: keys the official ignores are ignored
"""

IDS = ["cn-north-4", "my-own-1", "ap-southeast-3", "ap-southeast-1", "mars-1"]


def official(region_id):
    # The official reads the file once per process (a singleton): read it afresh here.
    SingletonMeta._instances.pop(official_cache.ProfileRegionCache, None)
    return OfficialKafkaRegion.value_of(region_id)


def outcome(value_of, region_id):
    try:
        region = value_of(region_id)
    except KeyError as e:
        return "KeyError", str(e)
    return region.id, list(region.endpoints)


def assert_same(ids=IDS):
    for region_id in ids:
        assert outcome(KafkaRegion.value_of, region_id) == outcome(official, region_id), region_id


@pytest.fixture
def regions_file(tmp_path, monkeypatch):
    path = tmp_path / "regions.yaml"
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGIONS_FILE", str(path))
    return path


def test_the_file_then_the_built_in_table_as_the_official(regions_file):
    regions_file.write_text(REGIONS)
    assert_same()
    assert KafkaRegion.value_of("cn-north-4").endpoints == [
        "https://a.example.com",
        "https://b.example.com",
        "https://c.example.com",
    ]
    assert KafkaRegion.value_of("my-own-1").endpoints == ["https://own-again.example.com"]
    assert KafkaRegion.value_of("ap-southeast-1") is KafkaRegion.AP_SOUTHEAST_1


def test_the_environment_comes_before_the_file(regions_file, monkeypatch):
    regions_file.write_text(REGIONS)
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_KAFKA_CN_NORTH_4", "https://env1,https://env2")
    assert_same()
    assert KafkaRegion.value_of("cn-north-4").endpoints == ["https://env1", "https://env2"]


def test_the_file_is_read_at_each_lookup(regions_file):
    assert_same(["cn-north-4"])
    regions_file.write_text(REGIONS)
    assert KafkaRegion.value_of("cn-north-4").endpoints[0] == "https://a.example.com"


def test_the_default_file_is_in_the_home_folder(home, monkeypatch):
    monkeypatch.delenv("HUAWEICLOUD_SDK_REGIONS_FILE", raising=False)
    path = os.path.join(home, ".huaweicloud", "regions.yaml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        with open(path, "w") as f:
            f.write(REGIONS)
        assert_same()
        assert KafkaRegion.value_of("my-own-1").endpoints == ["https://own-again.example.com"]
    finally:
        os.remove(path)


def test_a_file_listing_nothing_leaves_the_table(regions_file):
    regions_file.write_text("kafka: []\n")
    assert_same()


@pytest.mark.parametrize(
    "text",
    [
        "kafka:\n  - id: cn-north-4\n    endpoint: [unclosed\n",
        "kafka:\n  - id: cn-north-4\n\tendpoint: https://tab.example.com\n",
        "kafka:\n  - id: cn-north-4\n  - just-a-string\n",
        "kafka:\n  - id: cn-north-4\n    endpoints: https://not-a-list.example.com\n    endpoint: https://x\n",
        "- kafka\n",
    ],
)
def test_a_malformed_file_is_an_error_naming_the_file_and_the_line(regions_file, text):
    regions_file.write_text(text)
    with pytest.raises(ValueError) as info:
        KafkaRegion.value_of("cn-north-4")
    message = str(info.value)
    assert str(regions_file) in message
    line = re.search(r"line (\d+)", message)
    assert line, message
    # The official fails too (a YAML error, or a crash on the unexpected shape).
    with pytest.raises(Exception):  # noqa: B017
        official("cn-north-4")
    try:
        yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:  # a syntax error: a line PyYAML reports too
        marks = [m.line + 1 for m in (e.context_mark, e.problem_mark) if m is not None]
        assert int(line.group(1)) in marks, (message, marks)


def test_a_mistake_under_another_service_is_skipped_as_the_official_skips_it(regions_file):
    regions_file.write_text("ECS:\n  - id: cn-north-4\n    endpoints: not-a-list\n" + REGIONS.split("\n", 1)[1])
    assert_same()
    assert KafkaRegion.value_of("my-own-1").endpoints == ["https://own-again.example.com"]
