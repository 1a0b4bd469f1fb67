from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Tổ chức đảng")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .text import register_sqlite

        connection_created.connect(register_sqlite, dispatch_uid="organizations.text.register_sqlite")
