from django.apps import AppConfig


class Directive03Config(AppConfig):
    name = "directive03"
    verbose_name = "Chỉ thị 03"
