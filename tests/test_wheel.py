"""`pip wheel .` builds one abi3 wheel with no runtime dependencies; it installs into a clean
virtualenv, where the quickstart and the `dmskafka` command run.

Slow: a release build of the Rust core (minutes). `pytest -m "not slow"` leaves it out.
"""

import configparser
import os
import pathlib
import pwd
import re
import subprocess
import sys
import zipfile

import pytest

pytestmark = pytest.mark.slow

ROOT = pathlib.Path(__file__).parent.parent


def build_env():
    # The tests' HOME is a temporary folder (conftest.py), where rustup and cargo would find no
    # toolchain: point them at the user's own, unless already set. pip keeps no cache in HOME.
    real_home = pathlib.Path(pwd.getpwuid(os.getuid()).pw_dir)
    env = dict(os.environ, PIP_NO_CACHE_DIR="1")
    env.setdefault("CARGO_HOME", str(real_home / ".cargo"))
    env.setdefault("RUSTUP_HOME", str(real_home / ".rustup"))
    return env


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheelhouse")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--wheel-dir", str(out)],
        env=build_env(),
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return sorted(out.iterdir())


def test_one_abi3_wheel_with_no_runtime_dependencies(wheelhouse):
    # pip wheel also builds or fetches every dependency: a single file means there is none.
    (wheel,) = wheelhouse
    assert re.fullmatch(r"dmskafka-[0-9.]+-cp39-abi3-[a-z0-9_]+\.whl", wheel.name), wheel.name
    print("\n%s: %d bytes" % (wheel.name, wheel.stat().st_size))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = [line for line in archive.read(info).decode().splitlines() if line.startswith("Requires-Dist:")]
        entry_points = configparser.ConfigParser()
        entry_points.read_string(archive.read(info.replace("METADATA", "entry_points.txt")).decode())
    assert requires and all("extra ==" in line for line in requires)  # test extras only
    assert entry_points["console_scripts"]["dmskafka"] == "dmskafka.cli:main"
    # The pytest plugin: a top-level package next to dmskafka (tests/test_emulator_lazy.py).
    assert entry_points["pytest11"]["dmskafka"] == "_dmskafka_pytestplugin"
    assert "_dmskafka_pytestplugin/__init__.py" in names
    for typed in ("dmskafka/py.typed", "dmskafka/_core.pyi", "dmskafka/client.pyi", "dmskafka/models.pyi"):
        assert typed in names
    assert not [n for n in names if n.startswith(("tests/", "examples/")) or "__pycache__" in n]


def test_it_installs_into_a_clean_virtualenv_and_runs_the_quickstart(wheelhouse, tmp_path):
    (wheel,) = wheelhouse
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python, env = venv / "bin" / "python", dict(os.environ, PIP_NO_CACHE_DIR="1")
    env.pop("PYTHONPATH", None)
    # --no-index: the wheel must install with nothing else.
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-index", str(wheel)], check=True, env=env)

    # Run from outside the checkout, so only the installed copy can be imported.
    location = subprocess.run(
        [python, "-c", "import dmskafka; print(dmskafka.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert location.stdout.startswith(str(venv)), location.stdout + location.stderr
    quickstart = subprocess.run(
        [python, str(ROOT / "examples" / "quickstart.py")], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert quickstart.returncode == 0, quickstart.stderr
    assert "status=RUNNING connector_enable=True" in quickstart.stdout
    assert "status=RUNNING" in quickstart.stdout.split("task:", 1)[1]

    command = subprocess.run([venv / "bin" / "dmskafka", "--help"], env=env, capture_output=True, text=True)
    assert command.returncode == 0 and "exit codes:" in command.stdout
