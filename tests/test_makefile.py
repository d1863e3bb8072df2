"""`make run` serves where it is told (PORT, HOST), on 127.0.0.1:8000 by default."""

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")


def _dry_run(*variables: str) -> str:
    # -n prints the commands without running them (no install, no server).
    result = subprocess.run(
        ["make", "-n", "run", *variables], cwd=REPO, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_run_port_serves_on_that_port():
    out = _dry_run("PORT=8100")
    assert "manage.py runserver 127.0.0.1:8100" in out
    assert "http://127.0.0.1:8100" in out


def test_make_run_host_and_port():
    assert "manage.py runserver 0.0.0.0:8100" in _dry_run("HOST=0.0.0.0", "PORT=8100")


def test_make_run_defaults_to_8000_on_localhost():
    assert "manage.py runserver 127.0.0.1:8000" in _dry_run()
