"""The API document's Python samples, run with only their import lines changed."""

import contextlib
import io
import json
import os
import re

import pytest

DOC = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "api-create-connector.txt")


def python_samples():
    """Each Python sample of the document: from `# coding: utf-8` to the end of its indented block."""
    with open(DOC, encoding="utf-8") as f:
        lines = f.read().splitlines()
    samples, current = [], None
    for line in lines:
        if line.strip() == "# coding: utf-8":
            current = []
        if current is not None:
            if line.strip() and not line.startswith("    "):
                samples.append("\n".join(current))
                current = None
            else:
                current.append(line[4:])
    return samples


def migrate(source):
    """The whole migration: two import prefixes."""
    return source.replace("huaweicloudsdkcore", "dmskafka.core").replace("huaweicloudsdkkafka", "dmskafka")


def test_the_document_has_both_python_samples():
    samples = python_samples()
    assert len(samples) == 2
    assert all("client.create_connector(request)" in s for s in samples)


@pytest.mark.parametrize("index", [0, 1])
def test_sample_runs_against_the_emulator(index, dmskafka_emulator, monkeypatch):
    emu = dmskafka_emulator
    flavor = "new" if index == 0 else "old"
    instance_id = emu.add_instance(charging_mode="postPaid", flavor=flavor, specification="100MB")
    source = migrate(python_samples()[index])
    assert "huaweicloudsdk" not in source
    # Placeholders, filled as a user would; the region's endpoint points at the emulator.
    source = source.replace('"{project_id}"', repr(emu.project_id))
    source = source.replace('"{instance_id}"', repr(instance_id))
    source = source.replace('"<YOUR REGION>"', '"cn-north-4"')
    monkeypatch.setenv("CLOUD_SDK_AK", emu.ak)
    monkeypatch.setenv("CLOUD_SDK_SK", emu.sk)
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_KAFKA_CN_NORTH_4", emu.endpoint)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "seed-sample-%d" % index, "exec"), {"__name__": "__main__"})
    printed = json.loads(out.getvalue().strip())
    assert re.fullmatch(r"[0-9a-f-]{36}", printed["job_id"])
    assert re.fullmatch(r"[0-9a-f-]{36}", printed["connector_id"])
    assert emu.show_instance(instance_id)["status"] in ("EXTENDING", "RUNNING")
