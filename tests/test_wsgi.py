"""gunicorn preloads the app in its master and forks the workers (deploy/gunicorn.conf.py):
loading it must not open a database connection the workers would then share."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
from django.db import connections
import longsheng_care.wsgi  # noqa: F401  (what gunicorn's preload_app imports)
opened = [alias for alias in connections if connections[alias].connection is not None]
print("opened:", opened)
raise SystemExit(1 if opened else 0)
"""


def test_loading_the_wsgi_app_opens_no_database_connection():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "longsheng_care.settings",
        "SECRET_KEY": "wsgi-probe-" + "k" * 50,
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "opened: []" in result.stdout
