"""WSGI entry point for gunicorn (see deploy/)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longsheng_care.settings")
application = get_wsgi_application()
