from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a background process (the Celery worker) proved it was alive."""

    name = models.CharField(_("tiến trình"), max_length=50, unique=True)
    seen_at = models.DateTimeField(_("lần cuối hoạt động"))
    detail = models.CharField(_("chi tiết"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tín hiệu hoạt động")
        verbose_name_plural = _("tín hiệu hoạt động")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
