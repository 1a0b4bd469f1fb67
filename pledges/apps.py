from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Đăng ký và sinh hoạt chi bộ")

    def ready(self) -> None:
        from organizations.memberships import register_guard

        from .services.history_guard import records_outside

        register_guard(records_outside)
