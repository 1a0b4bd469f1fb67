"""Settings of the load benchmark's gunicorn (bench/load.py): production settings (DJANGO_DEBUG=false,
set by load.py), served over plain HTTP on 127.0.0.1, so the cookies may not be HTTPS-only; static
files are served from the source folders (nothing is collected into the work tree)."""

from directive03.settings import *  # noqa: F403
from directive03.settings import STORAGES

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
