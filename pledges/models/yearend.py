"""Year end: classification of members and organizations, commendations, models and examples."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.fields import CleanCharField, CleanTextField
from organizations.models import Member, Organization

from .limits import COMMITMENT_MAX, TEXT_MAX, TITLE_MAX


class Grade(models.TextChoices):
    """Year-end classification (đánh giá, xếp loại chất lượng). The stored value is the rank; what each
    rank was called depends on the year classified (see `member_grade_label`, `organization_grade_label`):
    the labels here are the terms in force since 2018."""

    EXCELLENT = "excellent", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", _("Hoàn thành tốt nhiệm vụ")
    COMPLETE = "complete", _("Hoàn thành nhiệm vụ")
    INCOMPLETE = "incomplete", _("Không hoàn thành nhiệm vụ")


@dataclass(frozen=True)
class GradeTerms:
    """The terms of the four grades in force from `since` (the year classified), and where they are set."""

    since: int
    source: str
    member: dict
    organization: dict


#: The terms of each period, oldest first; a year uses the last period that started by then. Kept as data:
#: an old record is never renamed, it is shown in the terms of its year.
#:
#: - 2011–2013: Quy định 338-QĐ/TW (26/11/2010) and Hướng dẫn 07-HD/BTCTW (2011). Members "đủ tư cách, …"
#:   with the third grade "hoàn thành nhiệm vụ nhưng còn hạn chế"; grassroots organizations "Trong sạch,
#:   vững mạnh / Hoàn thành tốt nhiệm vụ / Hoàn thành nhiệm vụ / Yếu kém" (DOMAIN.md: "before 2018
#:   organizations were: …").
#: - 2014–2017: Hướng dẫn 27-HD/BTCTW (25/9/2014), applied from the 2014 year-end: members "Hoàn thành xuất
#:   sắc / tốt / Hoàn thành / Không hoàn thành nhiệm vụ" (its rule "chi bộ có trên 1/2 số đảng viên xếp loại
#:   'Không hoàn thành nhiệm vụ'" names the member grade); organizations unchanged ("… xếp loại 'Yếu kém'").
#: - since 2018: Quy định 132-QĐ/TW (08/3/2018) and Hướng dẫn 16-HD/BTCTW (24/9/2018): the four grades of
#:   `Grade`, for members and organizations alike.
#:
#: The seed report 004 (a cell's 2011–2014 summary, January 2015) says "hoàn thành tốt nhiệm vụ trở lên"
#: of the members, which every period's terms allow.
GRADE_TERMS: tuple[GradeTerms, ...] = (
    GradeTerms(2011, "Quy định 338-QĐ/TW (2010), Hướng dẫn 07-HD/BTCTW (2011)", member={
        Grade.EXCELLENT: _("Đủ tư cách, hoàn thành xuất sắc nhiệm vụ"),
        Grade.GOOD: _("Đủ tư cách, hoàn thành tốt nhiệm vụ"),
        Grade.COMPLETE: _("Đủ tư cách, hoàn thành nhiệm vụ nhưng còn hạn chế"),
        Grade.INCOMPLETE: _("Vi phạm tư cách hoặc không hoàn thành nhiệm vụ"),
    }, organization={
        Grade.EXCELLENT: _("Trong sạch, vững mạnh"),
        Grade.GOOD: _("Hoàn thành tốt nhiệm vụ"),
        Grade.COMPLETE: _("Hoàn thành nhiệm vụ"),
        Grade.INCOMPLETE: _("Yếu kém"),
    }),
    GradeTerms(2014, "Hướng dẫn 27-HD/BTCTW (25/9/2014)", member={g: g.label for g in Grade}, organization={
        Grade.EXCELLENT: _("Trong sạch, vững mạnh"),
        Grade.GOOD: _("Hoàn thành tốt nhiệm vụ"),
        Grade.COMPLETE: _("Hoàn thành nhiệm vụ"),
        Grade.INCOMPLETE: _("Yếu kém"),
    }),
    GradeTerms(2018, "Quy định 132-QĐ/TW (08/3/2018), Hướng dẫn 16-HD/BTCTW (24/9/2018)",
               member={g: g.label for g in Grade}, organization={g: g.label for g in Grade}),
)
#: The first year classified under Quy định 132-QĐ/TW: the same four terms for members and organizations.
TERMS_SINCE = GRADE_TERMS[-1].since


def terms_of(year: int) -> GradeTerms:
    """The terms in force for the classification of `year` (a year before the first period: the first)."""
    return next((t for t in reversed(GRADE_TERMS) if year >= t.since), GRADE_TERMS[0])


def member_grade_label(grade: str, year: int) -> str:
    """The term of a member's grade as it was named in `year`."""
    return str(terms_of(year).member[Grade(grade)])


def organization_grade_label(grade: str, year: int) -> str:
    """The term of an organization's grade as it was named in `year`."""
    return str(terms_of(year).organization[Grade(grade)])


def grade_choices(year: int, *, organization: bool = False) -> list[tuple[str, str]]:
    """The choices of a year's grade dropdown, in the terms of that year."""
    label = organization_grade_label if organization else member_grade_label
    return [(g.value, label(g.value, year)) for g in Grade]


class MemberClassification(models.Model):
    """A member's grade for a year, given by the cell the member belonged to."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="classifications", verbose_name=_("đảng viên")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    cell = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="member_classifications", verbose_name=_("chi bộ")
    )
    grade = CleanCharField(_("xếp loại"), max_length=10, choices=Grade.choices)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người nhập")
    )
    classified_at = models.DateTimeField(_("nhập lúc"), auto_now=True)

    class Meta:
        verbose_name = _("xếp loại đảng viên")
        verbose_name_plural = _("xếp loại đảng viên")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="one_member_classification_per_year"),
        ]
        indexes = [models.Index(fields=["cell", "year"])]

    def __str__(self) -> str:
        return f"{self.member} – {self.year}: {self.grade_term}"

    @property
    def grade_term(self) -> str:
        """The grade in the terms of its year."""
        return member_grade_label(self.grade, self.year)


class OrganizationClassification(models.Model):
    """A party organization's grade for a year, given by the committee above it."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="classifications", verbose_name=_("tổ chức đảng")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    grade = CleanCharField(_("xếp loại"), max_length=10, choices=Grade.choices)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người nhập")
    )
    classified_at = models.DateTimeField(_("nhập lúc"), auto_now=True)

    class Meta:
        verbose_name = _("xếp loại tổ chức đảng")
        verbose_name_plural = _("xếp loại tổ chức đảng")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="one_organization_classification_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.year}: {self.grade_term}"

    @property
    def grade_term(self) -> str:
        """The grade in the terms of its year."""
        return organization_grade_label(self.grade, self.year)


class Commendation(models.Model):
    """A commendation (Giấy khen, Bằng khen…) of a member or a collective, recorded by a unit."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("Giấy khen")
        MERIT = "merit", _("Bằng khen")
        OTHER = "other", _("Khác")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="commendations_recorded",
        verbose_name=_("đơn vị ghi nhận"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    awarded_on = models.DateField(_("ngày khen thưởng"))
    kind = CleanCharField(_("hình thức"), max_length=12, choices=Kind.choices)
    issuer = CleanCharField(_("cấp khen thưởng"), max_length=TITLE_MAX, help_text=_("Ví dụ Bí thư Chi bộ."))
    recipient_member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="commendations",
        verbose_name=_("cá nhân được khen"),
    )
    recipient_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="commendations",
        verbose_name=_("tập thể được khen"),
    )
    content = CleanTextField(_("nội dung, thành tích"), max_length=COMMITMENT_MAX)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người nhập")
    )
    recorded_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("khen thưởng")
        ordering = ["-awarded_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_member__isnull=False, recipient_org__isnull=True)
                | Q(recipient_member__isnull=True, recipient_org__isnull=False),
                name="commendation_exactly_one_recipient",
            ),
        ]
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        recipient = self.recipient_member if self.recipient_member_id else self.recipient_org
        return f"{self.get_kind_display()} – {recipient} ({self.year})"


class ModelExample(models.Model):
    """A good model or practice (mô hình, cách làm hay) or an advanced example (gương điển hình tiên tiến)."""

    class Kind(models.TextChoices):
        MODEL = "model", _("Mô hình, cách làm hay")
        EXAMPLE = "example", _("Gương điển hình tiên tiến")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="model_examples", verbose_name=_("tổ chức đảng")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = CleanCharField(_("loại"), max_length=10, choices=Kind.choices)
    title = CleanCharField(_("tên"), max_length=TITLE_MAX)
    description = CleanTextField(_("mô tả"), blank=True, max_length=TEXT_MAX)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="model_examples",
        verbose_name=_("đảng viên"), help_text=_("Để trống nếu là tập thể."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người nhập")
    )
    recorded_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("mô hình, điển hình")
        verbose_name_plural = _("mô hình, điển hình")
        ordering = ["organization_id", "year", "kind", "id"]
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return self.title
