"""The monthly cell meeting (sinh hoạt chi bộ định kỳ): its record, one row per member, its audit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.fields import CleanCharField, CleanTextField
from organizations.models import Member, Organization

from .limits import COMMITMENT_MAX, MINUTES_MAX, NOTE_MAX, TEXT_MAX


class MonthlyReview(models.Model):
    """The Directive 03 part of one cell's meeting in one month, as the cell secretary records it.

    `version` is an optimistic lock: every write increments it, and a write that started from
    an older version is refused. Attendance figures are derived from the entries, never stored.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Nháp")
        SUBMITTED = "submitted", _("Đã gửi")
        ACCEPTED = "accepted", _("Đã chấp nhận")
        RETURNED = "returned", _("Bị trả lại")

    #: The free-text sections, in the order of the record.
    TEXT_FIELDS = ("theme_content", "thrift_item", "self_criticism_fixes", "next_month_measures", "notes")
    #: What review_save may change.
    EDITABLE_FIELDS = ("meeting_date", "directive_minutes", *TEXT_FIELDS)

    cell = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="monthly_reviews", verbose_name=_("chi bộ")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    month = models.PositiveSmallIntegerField(_("tháng"))
    state = CleanCharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.DRAFT)
    meeting_date = models.DateField(_("ngày sinh hoạt"), null=True, blank=True)
    directive_minutes = models.PositiveSmallIntegerField(
        _("thời lượng học tập, làm theo (phút)"), null=True, blank=True
    )
    theme_content = CleanTextField(_("chuyên đề, nội dung học tập"), blank=True, max_length=TEXT_MAX)
    thrift_item = CleanTextField(
        _("thực hành tiết kiệm, chống lãng phí, chống tham nhũng"), blank=True, max_length=TEXT_MAX
    )
    self_criticism_fixes = CleanTextField(
        _("khắc phục hạn chế sau tự phê bình"), blank=True, max_length=TEXT_MAX
    )
    next_month_measures = CleanTextField(_("biện pháp tháng tới"), blank=True, max_length=TEXT_MAX)
    notes = CleanTextField(_("ghi chú"), blank=True, max_length=TEXT_MAX)
    return_reason = CleanTextField(_("lý do trả lại"), blank=True, max_length=COMMITMENT_MAX)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("người gửi"),
    )
    decided_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("người duyệt"),
    )

    class Meta:
        verbose_name = _("sinh hoạt chi bộ định kỳ")
        verbose_name_plural = _("sinh hoạt chi bộ định kỳ")
        ordering = ["cell_id", "year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["cell", "year", "month"], name="one_review_per_cell_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="review_month_in_range"),
            models.CheckConstraint(
                condition=Q(directive_minutes__isnull=True) | Q(directive_minutes__lte=MINUTES_MAX),
                name="review_minutes_in_range",
            ),
        ]
        indexes = [models.Index(fields=["year", "month", "state"])]

    def __str__(self) -> str:
        return f"{self.cell} – {self.month:02d}/{self.year}"

    @property
    def is_editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)


class ReviewEntry(models.Model):
    """One member's row in a monthly meeting: attendance, rating, recognition or criticism."""

    class Rating(models.TextChoices):
        GOOD = "good", _("Tốt")
        PASS = "pass", _("Đạt")
        FAIL = "fail", _("Chưa đạt")

    review = models.ForeignKey(MonthlyReview, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="review_entries", verbose_name=_("đảng viên")
    )
    present = models.BooleanField(_("có mặt"), default=True)
    absence_reason = CleanCharField(_("lý do vắng"), max_length=NOTE_MAX, blank=True)
    rating = CleanCharField(
        _("kết quả làm theo"), max_length=4, choices=Rating.choices, null=True, blank=True
    )
    note = CleanCharField(_("ghi chú"), max_length=NOTE_MAX, blank=True)
    exemplary = models.BooleanField(_("ghi vào sổ người tốt, việc tốt"), default=False)
    exemplary_deed = CleanTextField(_("việc tốt được ghi nhận"), blank=True, max_length=COMMITMENT_MAX)
    criticised = models.BooleanField(_("bị phê bình do chưa làm theo"), default=False)
    criticism_note = CleanTextField(_("nội dung phê bình"), blank=True, max_length=COMMITMENT_MAX)

    class Meta:
        verbose_name = _("kết quả của đảng viên trong kỳ sinh hoạt")
        verbose_name_plural = _("kết quả của đảng viên trong kỳ sinh hoạt")
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="one_entry_per_member_review"),
            models.CheckConstraint(condition=~Q(exemplary=True, exemplary_deed=""), name="exemplary_has_deed"),
            models.CheckConstraint(condition=~Q(criticised=True, criticism_note=""), name="criticism_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.review}"


class ReviewEvent(models.Model):
    """Audit of a monthly record: who saved, submitted, accepted, returned or reopened it, and when."""

    class Action(models.TextChoices):
        SAVE = "save", _("Lưu")
        SUBMIT = "submit", _("Gửi")
        ACCEPT = "accept", _("Chấp nhận")
        RETURN = "return", _("Trả lại")
        REOPEN = "reopen", _("Mở lại")

    review = models.ForeignKey(MonthlyReview, on_delete=models.CASCADE, related_name="events")
    action = CleanCharField(_("thao tác"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người thực hiện")
    )
    at = models.DateTimeField(_("lúc"), default=timezone.now)
    reason = CleanTextField(_("lý do"), blank=True, max_length=COMMITMENT_MAX)
    version = models.PositiveIntegerField(_("phiên bản sau thao tác"))

    class Meta:
        verbose_name = _("nhật ký biên bản")
        verbose_name_plural = _("nhật ký biên bản")
        ordering = ["review_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.review}"
