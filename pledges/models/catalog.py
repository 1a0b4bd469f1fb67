"""Reference data: the directives, the yearly study themes and each unit's pressing issues."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.fields import CleanCharField, CleanTextField
from organizations.models import Level, Organization

from .limits import COMMITMENT_MAX, TEXT_MAX, TITLE_MAX


class Directive(models.Model):
    """A Politburo directive the campaign runs under (chỉ thị), e.g. 03-CT/TW, later 05-CT/TW."""

    code = CleanCharField(_("số hiệu"), max_length=30, unique=True, help_text=_("Ví dụ 03-CT/TW."))
    title = CleanCharField(_("trích yếu"), max_length=TITLE_MAX)
    issued_on = models.DateField(_("ngày ban hành"))
    issuer = CleanCharField(_("cơ quan ban hành"), max_length=100, help_text=_("Ví dụ Bộ Chính trị khóa XI."))
    description = CleanTextField(_("mô tả ngắn"), blank=True, max_length=COMMITMENT_MAX)

    class Meta:
        verbose_name = _("chỉ thị")
        verbose_name_plural = _("chỉ thị")
        ordering = ["issued_on"]

    def __str__(self) -> str:
        return self.code


class AnnualTheme(models.Model):
    """The study theme of a year (chuyên đề năm): national, or chosen by a province (since 2022)."""

    directive = models.ForeignKey(
        Directive, on_delete=models.PROTECT, related_name="themes", verbose_name=_("chỉ thị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    title = CleanTextField(_("tên chuyên đề"), max_length=COMMITMENT_MAX)
    province = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"level": Level.PROVINCE}, verbose_name=_("tỉnh ủy, thành ủy"),
        help_text=_("Để trống nếu là chuyên đề toàn quốc."),
    )

    class Meta:
        verbose_name = _("chuyên đề năm")
        verbose_name_plural = _("chuyên đề năm")
        ordering = ["year", "province_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "year", "province"], condition=Q(province__isnull=False),
                name="unique_provincial_theme",
            ),
            models.UniqueConstraint(
                fields=["directive", "year"], condition=Q(province__isnull=True), name="unique_national_theme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.title}"


class PressingIssue(models.Model):
    """A pressing issue (vấn đề bức xúc, nổi cộm) a unit chose to resolve in the year."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="pressing_issues", verbose_name=_("tổ chức đảng")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    title = CleanCharField(_("vấn đề"), max_length=TITLE_MAX)
    description = CleanTextField(_("mô tả, giải pháp"), blank=True, max_length=TEXT_MAX)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("vấn đề bức xúc, nổi cộm")
        verbose_name_plural = _("vấn đề bức xúc, nổi cộm")
        ordering = ["organization_id", "year", "position", "id"]
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return self.title
