from django.apps import AppConfig


class Directive03Config(AppConfig):
    name = "directive03"
    verbose_name = "Chỉ thị 03"

    def ready(self) -> None:
        from . import system  # noqa: F401  (registers the system libraries check)
