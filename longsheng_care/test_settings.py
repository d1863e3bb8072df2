"""Settings for the test suite: the real settings plus a fixed key and a fast hasher."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-key")
# Fixed test keys, in the environment so that a worker or server the tests start reads
# the rows this process wrote (core/fields.py).
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTE=")
os.environ.setdefault("BLIND_INDEX_KEY", "test-only-blind-index-key-" + "b" * 32)

from longsheng_care.settings import *  # noqa: F403

# Argon2 is right for people and far too slow for thousands of test logins.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="longsheng-media-")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Jobs run inline in the tests (the task framework's immediate backend); tests/jobs/
# test_worker.py runs a real worker process against the database queue.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SMS_BACKEND = "notifications.sms.LocmemBackend"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PORTAL_URL = "https://care.example.test"
