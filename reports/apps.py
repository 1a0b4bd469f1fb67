from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self) -> None:
        from organizations.restructuring.checks import register_closure_check
        from pledges.signals import review_decided

        from . import (
            document_tasks,  # noqa: F401 - registers the Celery tasks
            notifications,
            rollup,
        )
        from .closures import open_reports

        register_closure_check(open_reports)
        review_decided.connect(notifications.on_review_decided, dispatch_uid="reports.notify_review")
        review_decided.connect(rollup.on_review_decided, dispatch_uid="reports.rollup_review")
