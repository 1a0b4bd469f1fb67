"""Pledges (bản đăng ký học tập và làm theo) and their dated revisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from directive03.formats import short_date
from organizations.fields import CleanCharField, CleanTextField
from organizations.models import Member, Organization

from .catalog import Directive
from .limits import COMMITMENT_MAX


class Pledge(models.Model):
    """One member's pledge for a year, or one cell's collective plan for a year.

    The commitments live in revisions (PledgeRevision), so a mid-year review (rà soát, bổ sung)
    keeps what was pledged before.
    """

    class Kind(models.TextChoices):
        SET_EXAMPLE = "set_example", _("Nêu gương")  # key cadres and heads of units
        EXEMPLARY = "exemplary", _("Gương mẫu thực hiện")  # every party member
        COLLECTIVE = "collective", _("Tập thể")  # a cell's collective plan

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges",
        verbose_name=_("đảng viên"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="collective_pledges",
        verbose_name=_("tập thể"),
    )
    cell = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("chi bộ"),
        help_text=_("Chi bộ của đảng viên khi đăng ký; với bản đăng ký tập thể là chính chi bộ đó."),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="+", verbose_name=_("chỉ thị"))
    kind = CleanCharField(_("hình thức đăng ký"), max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("bản đăng ký")
        verbose_name_plural = _("bản đăng ký")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, organization__isnull=True)
                | Q(member__isnull=True, organization__isnull=False),
                name="pledge_exactly_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(organization__isnull=True, kind__in=["set_example", "exemplary"])
                | Q(organization__isnull=False, kind="collective", cell=F("organization")),
                name="pledge_kind_fits_owner",
            ),
            models.UniqueConstraint(
                fields=["member", "year"], condition=Q(member__isnull=False), name="one_pledge_per_member_year"
            ),
            models.UniqueConstraint(
                fields=["organization", "year"], condition=Q(organization__isnull=False),
                name="one_collective_pledge_per_org_year",
            ),
        ]
        indexes = [models.Index(fields=["cell", "year"])]

    def __str__(self) -> str:
        owner = self.member if self.member_id else self.organization
        return f"{owner} – {self.year}"


class PledgeRevision(models.Model):
    """The pledge's commitments from a date on: number 1 is the registration, later ones amendments."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("lần"))
    valid_from = models.DateField(_("hiệu lực từ ngày"))
    reason = CleanTextField(_("lý do bổ sung, điều chỉnh"), blank=True, max_length=COMMITMENT_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người nhập")
    )
    created_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("lần đăng ký, bổ sung")
        verbose_name_plural = _("lần đăng ký, bổ sung")
        ordering = ["pledge_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "number"], name="unique_pledge_revision_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="pledge_revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.pledge} (lần {self.number}, từ {short_date(self.valid_from)})"


class PledgeCommitment(models.Model):
    """One commitment of a revision: what the member will do and how it will be checked."""

    revision = models.ForeignKey(PledgeRevision, on_delete=models.CASCADE, related_name="commitments")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    content = CleanTextField(_("nội dung cam kết"), max_length=COMMITMENT_MAX)
    verification = CleanTextField(_("cách thức kiểm tra, đánh giá"), blank=True, max_length=COMMITMENT_MAX)

    class Meta:
        verbose_name = _("nội dung cam kết")
        verbose_name_plural = _("nội dung cam kết")
        ordering = ["revision_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "position"], name="unique_commitment_position"),
        ]

    def __str__(self) -> str:
        return self.content[:80]
