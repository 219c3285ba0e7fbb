"""Everything the benchmark needs before it measures: the release build, the raw-limit binary
and the official SDK's own virtualenv. Each step is skipped when already done."""

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VPY = VENV / "bin" / "python"
OFFICIAL_VENV = ROOT / "bench" / ".venv-official"
OFFICIAL_PY = OFFICIAL_VENV / "bin" / "python"
RAW_LIMIT = ROOT / "target" / "release" / "examples" / "raw_limit"
# Other builds on this machine take the same lock, so two cargo runs never compete.
BUILD_LOCK = "/tmp/dmskafka-build.lock"
OFFICIAL_PACKAGES = ["huaweicloudsdkcore", "huaweicloudsdkkafka", "matplotlib"]


def _run(cmd, **kwargs):
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kwargs)


def _locked(cmd):
    return ["flock", BUILD_LOCK] + cmd if shutil.which("flock") else cmd


def build_release():
    """A release build of the native module in .venv, and the raw-limit binary.

    `make bench` runs `make install` first, whose pip build is a release build: it is used as
    it is. Only a debug build (`maturin develop` without --release) is rebuilt. The raw-limit
    example is built with the `emulator` feature, what `python` adds besides pyo3, so cargo
    reuses the dependencies the module's build compiled (bench/README.md, "Running it")."""
    if not VPY.exists():
        _run([sys.executable, "-m", "venv", VENV])
    if installed_build() != "release":
        if not (VENV / "bin" / "maturin").exists():
            _run([VPY, "-m", "pip", "install", "--quiet", "maturin>=1.5,<2"])
        _run(_locked([VENV / "bin" / "maturin", "develop", "--release", "--quiet"]))
    _run(_locked(["cargo", "build", "--release", "--quiet", "--features", "emulator", "--example", "raw_limit"]))


def installed_build():
    """'release' or 'debug' for the native module .venv imports, None when there is none."""
    found = subprocess.run(
        [VPY, "-c", "import dmskafka._core as c; print(c.__file__)"], capture_output=True, text=True
    ).stdout.strip()
    return build_of(found) if found else None


def build_of(so_path):
    return "debug" if has_debug_info(so_path) else "release"


def official_venv():
    """The official SDK from PyPI, by name, in a virtualenv of its own (matplotlib too, for
    the chart; the SDK never imports it)."""
    marker = OFFICIAL_VENV / ".bench-installed"
    if marker.exists():
        return
    if not OFFICIAL_PY.exists():
        _run([sys.executable, "-m", "venv", OFFICIAL_VENV])
    _run([OFFICIAL_PY, "-m", "pip", "install", "--quiet"] + OFFICIAL_PACKAGES)
    marker.touch()


def versions():
    """What was measured: package versions and the native module's build."""
    code = "import importlib.metadata as m,sys;print(*[m.version(p) for p in sys.argv[1:]])"
    official = subprocess.run(
        [OFFICIAL_PY, "-c", code, "huaweicloudsdkcore", "huaweicloudsdkkafka"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    native = subprocess.run(
        [VPY, "-c", "import dmskafka._core as c; print(c.__file__, c.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        "dmskafka": native[1],
        "dmskafka_build": build_of(native[0]),
        "native_module": os.path.relpath(native[0], ROOT),
        "huaweicloudsdkcore": official[0],
        "huaweicloudsdkkafka": official[1],
        "python": subprocess.run([VPY, "-V"], capture_output=True, text=True).stdout.strip(),
    }


def has_debug_info(so_path):
    """True when the shared object has a .debug_info section: `maturin develop` without
    --release builds with the dev profile, which keeps it; the release profile does not."""
    with open(so_path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:  # 64-bit ELF only; anything else: assume debug
        return True
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    (names_off,) = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
    for i in range(shnum):
        (name_idx,) = struct.unpack_from("<I", data, shoff + i * shentsize)
        end = data.index(b"\0", names_off + name_idx)
        if data[names_off + name_idx : end] == b".debug_info":
            return True
    return False
