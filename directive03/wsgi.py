import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directive03.settings")
application = get_wsgi_application()

# Without a broker, the periodic jobs (the document sweep) run in this process.
from directive03.dispatch import start_in_process_periodic_tasks  # noqa: E402

start_in_process_periodic_tasks()
