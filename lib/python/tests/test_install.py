# SPDX-License-Identifier: MIT
"""`pip install ./lib/python` works and installs a pure-Python package (no extension)."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.normpath(os.path.join(HERE, ".."))


def test_pip_install_pure_python():
    with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as s:
        # from a copy: the build leaves build/ and *.egg-info in the tree it builds
        src = os.path.join(s, "python")
        shutil.copytree(PKG, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache"))
        r = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                            "--no-index", "--target", d, src], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        files = [os.path.relpath(os.path.join(p, f), d) for p, _, fs in os.walk(d) for f in fs]
        assert "axidma/__init__.py" in files and "axidma/pynq.py" in files and "axidma/py.typed" in files
        assert not [f for f in files if f.endswith((".so", ".pyd"))]
        r = subprocess.run([sys.executable, "-c", "import axidma, axidma.pynq; print(axidma.__file__)"],
                           capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=d), cwd=d)
        assert r.returncode == 0 and r.stdout.startswith(d), r.stderr
