import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directive03.settings")

app = Celery("directive03")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
