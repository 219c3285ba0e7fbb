"""The emulator stays in the wheel but out of the way (issue 12): `import dmskafka` loads nothing
of it, and the pytest plugin that every pytest run of an installation loads (the `pytest11`
entry point) imports nothing of dmskafka until a test uses the `dmskafka_emulator` fixture.

Each check runs in a fresh process: this process has long imported everything. The pytest runs
block the installed entry point (`-p no:dmskafka`) and load the plugin by name, so they test
this tree's plugin whatever the installed metadata says; the metadata is checked on its own."""

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import dmskafka

PLUGIN = "_dmskafka_pytestplugin"
ROOT = Path(__file__).resolve().parent.parent
# Where this process found dmskafka (a checkout's python/ or site-packages): the children too.
SOURCE = str(Path(dmskafka.__file__).resolve().parent.parent)
EMULATOR_PARTS = ("dmskafka.testing", "dmskafka.emulator", PLUGIN)


def child_env():
    path = [SOURCE] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def ours(modules):
    return sorted(m for m in modules if m.split(".")[0] in ("dmskafka", PLUGIN))


def run_pytest(tmp_path, plugin_args, test_source, conftest=""):
    """Runs pytest on one test file in tmp_path (its own rootdir and config, not this repo's);
    returns (the completed process, dmskafka's modules loaded when the session finished)."""
    out = tmp_path / "modules.json"
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "import json, sys\n"
        + conftest
        + "\n\ndef pytest_sessionfinish(session):\n"
        + "    with open(%r, 'w') as f:\n" % str(out)
        + "        json.dump(sorted(sys.modules), f)\n"
    )
    (tmp_path / "test_user.py").write_text(test_source)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", *plugin_args, "test_user.py"],
        cwd=tmp_path,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done, ours(json.loads(out.read_text()))


# The plugin as the entry point will load it, with the installed entry point's module blocked.
AS_INSTALLED = ["-p", "no:dmskafka", "-p", PLUGIN]

NO_FIXTURE = """
def test_plain_arithmetic():
    assert 1 + 1 == 2
"""

WITH_FIXTURE = """
import sys

def test_without_the_fixture_first():
    assert not [m for m in sys.modules if m == "dmskafka" or m.startswith("dmskafka.")]

def test_the_fixture_serves_a_working_emulator(dmskafka_emulator):
    from dmskafka import BasicCredentials, KafkaClient, ShowInstanceRequest

    emu = dmskafka_emulator
    instance_id = emu.add_instance(name="lazy")
    client = (KafkaClient.new_builder()
              .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
              .with_endpoints([emu.endpoint]).build())
    shown = client.show_instance(ShowInstanceRequest(instance_id=instance_id))
    assert (shown.instance_id, shown.name) == (instance_id, "lazy")
"""

ONLY_THE_FIXTURE = WITH_FIXTURE.replace("def test_without_the_fixture_first", "def _not_a_test")


def test_import_dmskafka_loads_nothing_of_the_emulator():
    code = "import dmskafka, json, sys; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], env=child_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = ours(json.loads(done.stdout))
    assert "dmskafka._core" in loaded  # the package itself did load, from this tree
    assert not [m for m in loaded if m.startswith(EMULATOR_PARTS)], loaded


def test_pyproject_registers_the_plugin_module():
    text = (ROOT / "pyproject.toml").read_text()
    section = re.search(r"^\[project\.entry-points\.pytest11\]\n(.*?)(?=^\[)", text, re.M | re.S)
    assert section, "pyproject.toml has no [project.entry-points.pytest11]"
    assert re.findall(r'^(\w+) = "([\w.:]+)"$', section.group(1), re.M) == [("dmskafka", PLUGIN)]
    # ... shipped in the wheel, next to the dmskafka package (tests/test_wheel.py checks the wheel).
    assert re.search(r'^python-packages = \["%s"\]$' % PLUGIN, text, re.M)


def test_the_installed_entry_point_is_the_plugin_module():
    eps = importlib.metadata.entry_points()
    group = eps.select(group="pytest11") if hasattr(eps, "select") else eps.get("pytest11", [])  # Python 3.9
    installed = {ep.value for ep in group if ep.name == "dmskafka"}
    assert installed == {PLUGIN}, (
        "the installed dmskafka registers %s as its pytest plugin, pyproject.toml %s: "
        "reinstall (make install, or pip install -e .) to refresh the entry point" % (sorted(installed), PLUGIN)
    )


def test_a_pytest_run_that_does_not_use_the_fixture_imports_nothing_of_dmskafka(tmp_path):
    done, loaded = run_pytest(tmp_path, AS_INSTALLED, NO_FIXTURE)
    assert "1 passed" in done.stdout
    assert loaded == [PLUGIN]  # the plugin was loaded, and brought in nothing: not even dmskafka


def test_a_test_that_uses_the_fixture_gets_a_working_emulator(tmp_path):
    done, loaded = run_pytest(tmp_path, AS_INSTALLED, WITH_FIXTURE)
    assert "2 passed" in done.stdout
    assert "dmskafka.testing" in loaded and "dmskafka.emulator" not in loaded


def test_an_install_from_before_the_plugin_module_still_provides_the_fixture(tmp_path):
    # Its entry point still names dmskafka.testing (until reinstalled), which lists the fixture in
    # its __dir__ for pytest's plugin scan and hands out the plugin's own object.
    done, _ = run_pytest(tmp_path, ["-p", "no:dmskafka", "-p", "dmskafka.testing"], ONLY_THE_FIXTURE)
    assert "1 passed" in done.stdout


def test_a_conftest_that_imports_the_fixture_by_name_gets_the_same_one(tmp_path):
    # The documented explicit import: one fixture object, so pytest neither complains (-W error)
    # nor sees two definitions.
    conftest = "from dmskafka.testing import dmskafka_emulator  # noqa: F401\n"
    done, _ = run_pytest(tmp_path, AS_INSTALLED, ONLY_THE_FIXTURE, conftest)
    assert "1 passed" in done.stdout
    from _dmskafka_pytestplugin import dmskafka_emulator

    from dmskafka.testing import dmskafka_emulator as via_testing

    assert via_testing is dmskafka_emulator
