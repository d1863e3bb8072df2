"""gunicorn settings for production (see deploy/README.md).

    gunicorn -c deploy/gunicorn.conf.py longsheng_care.wsgi

gunicorn listens on the loopback only; nginx in front terminates TLS and forwards.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the portal is database-bound; 2 × cores + 1 is gunicorn's usual advice.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 60  # an export or an import of a large workbook may take a while
graceful_timeout = 30
keepalive = 5
# Load Django once in the master and fork the workers from it: a recycled worker starts in
# milliseconds instead of importing the project again (≈1 s of CPU each time). Safe because
# loading opens no database connection (no app queries in ready()); each worker opens its own.
preload_app = True
# Recycle workers now and then so that a slow leak can never take the site down; not so
# often that the per-worker caches (templates, dashboard figures) are always cold.
max_requests = 10000
max_requests_jitter = 1000
# Worker heartbeat files in memory, not on a disk that may stall (gunicorn docs).
worker_tmp_dir = "/dev/shm"  # noqa: S108

# Only nginx on this host may set X-Forwarded-Proto (HTTPS detection). The client address
# for django-axes and the access log is handled by Django (TRUSTED_PROXIES), not gunicorn.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Request limits (nginx caps the body at client_max_body_size).
limit_request_line = 8190
limit_request_fields = 100

# Logs go to the journal. The path is logged without its query string: searches carry
# children's names, which do not belong in a server log.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(D)sµs'
