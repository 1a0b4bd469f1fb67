"""Reporting rounds (đợt sơ kết, tổng kết) and the reports units write in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.fields import CleanCharField, CleanTextField
from organizations.models import Level, Organization

SECTION_MAX = 30_000


class ReportingRound(models.Model):
    """A round of reports opened by the provincial propaganda board for one period."""

    class Kind(models.TextChoices):
        HALF_YEAR = "half_year", _("Sơ kết 6 tháng")
        YEAR = "year", _("Tổng kết năm")
        MULTI_YEAR = "multi_year", _("Sơ kết nhiều năm")
        FINAL = "final", _("Tổng kết")

    class Status(models.TextChoices):
        OPEN = "open", _("Đang mở")
        CLOSED = "closed", _("Đã khóa")

    province = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("tỉnh")
    )
    directive = models.ForeignKey("pledges.Directive", on_delete=models.PROTECT, verbose_name=_("chỉ thị"))
    title = CleanCharField(_("tên đợt báo cáo"), max_length=200)
    kind = CleanCharField(_("loại"), max_length=12, choices=Kind.choices)
    years = models.PositiveSmallIntegerField(_("số năm"), default=1, help_text=_("Với sơ kết, tổng kết nhiều năm."))
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    cutoff = models.DateField(
        _("ngày chốt số liệu"), help_text=_("Cây tổ chức và số đảng viên được tính theo ngày này.")
    )
    deadline_cell = models.DateField(_("hạn nộp của chi bộ"))
    deadline_commune = models.DateField(_("hạn nộp của cấp cơ sở"))
    deadline_district = models.DateField(_("hạn nộp của cấp huyện"))
    deadline_province = models.DateField(_("hạn hoàn thành của tỉnh"))
    status = CleanCharField(_("trạng thái"), max_length=6, choices=Status.choices, default=Status.OPEN)
    #: The date the round's documents carry when they are built together (a unit may issue its own
    #: document on another day from its report page); empty: the day each report was approved.
    issued_on = models.DateField(
        _("ngày ban hành văn bản"), null=True, blank=True,
        help_text=_("Ngày ghi trên các văn bản của đợt khi tạo cả đợt; để trống: ngày báo cáo được duyệt."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đợt báo cáo")
        verbose_name_plural = _("đợt báo cáo")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_start__lte=F("period_end")), name="round_period_order"),
            models.CheckConstraint(
                condition=Q(deadline_cell__lte=F("deadline_commune"), deadline_commune__lte=F("deadline_district"),
                            deadline_district__lte=F("deadline_province")),
                name="round_deadlines_bottom_up",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def deadline_for(self, level: str):
        return {
            Level.CELL: self.deadline_cell,
            Level.COMMUNE: self.deadline_commune,
            Level.DISTRICT: self.deadline_district,
            Level.PROVINCE: self.deadline_province,
        }[Level(level)]

    @property
    def last_deadline(self):
        return self.deadline_province

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Report(models.Model):
    """One unit's report in a round, for the tree as it stood at the round's cut-off date."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã gửi")
        RETURNED = "returned", _("Bị trả lại")
        APPROVED = "approved", _("Đã duyệt")

    #: The five narrative sections, in the order of the document.
    SECTIONS = ("results", "limitations", "lessons", "directions", "recommendations")

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="reports")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="reports")
    parent = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("Cấp trên trực tiếp tại ngày chốt số liệu: cấp duyệt báo cáo này."),
    )
    #: Ids of the unit's ancestors at the cut-off and its own, "/1/7/31/": the subtree of a round.
    tree_path = CleanCharField(max_length=255, db_index=True)
    level = CleanCharField(_("cấp"), max_length=10, choices=Level.choices)
    name = CleanCharField(_("tên đơn vị"), max_length=200, help_text=_("Tên tại ngày chốt số liệu."))
    state = CleanCharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.DRAFT)

    results = CleanTextField(_("1. Kết quả"), blank=True, max_length=SECTION_MAX)
    limitations = CleanTextField(_("2. Hạn chế, khuyết điểm và nguyên nhân"), blank=True, max_length=SECTION_MAX)
    lessons = CleanTextField(_("3. Bài học kinh nghiệm"), blank=True, max_length=SECTION_MAX)
    directions = CleanTextField(_("4. Phương hướng, nhiệm vụ"), blank=True, max_length=SECTION_MAX)
    recommendations = CleanTextField(_("5. Kiến nghị, đề xuất"), blank=True, max_length=SECTION_MAX)

    #: Live figures: from the cell's records, or the sums over the approved children.
    figures = models.JSONField(default=dict)
    figures_at = models.DateTimeField(null=True, blank=True)
    #: A cell's report: the cell's change mark (CellChange.version) read before its live figures were
    #: computed, and what else they were computed for (rollup.figures_key: the round's dates, the months
    #: counted so far, the figures counted). The figures are stale when the mark has moved past the
    #: version, or the key differs, or they were never computed (None). Committees: unused (None, "").
    figures_version = models.BigIntegerField(null=True, blank=True)
    figures_key = CleanCharField(max_length=80, blank=True, default="")
    #: Figures the unit typed from its own data (e.g. its own inspections).
    typed_figures = models.JSONField(default=dict, blank=True)
    #: Text and figures frozen at approval.
    snapshot = models.JSONField(null=True, blank=True)
    submit_note = CleanTextField(_("giải trình khi gửi"), blank=True, max_length=5_000)

    version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="one_report_per_unit_round"),
        ]
        indexes = [
            models.Index(fields=["round", "parent"]),
            models.Index(fields=["round", "level", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.round}"

    @property
    def is_cell(self) -> bool:
        return self.level == Level.CELL

    @property
    def is_editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED) and self.round.is_open

    @property
    def deadline(self):
        return self.round.deadline_for(self.level)

    def is_late(self, today=None) -> bool:
        today = today or timezone.localdate()
        if self.state in (self.State.SUBMITTED, self.State.APPROVED):
            return bool(self.submitted_at and timezone.localdate(self.submitted_at) > self.deadline)
        return today > self.deadline

    @property
    def is_missing(self) -> bool:
        """Nothing written or submitted yet."""
        return self.state == self.State.DRAFT and self.started_at is None

    def sections(self) -> list[tuple[str, str, str]]:
        return [(code, str(self._meta.get_field(code).verbose_name), getattr(self, code)) for code in self.SECTIONS]


class ReportCount(models.Model):
    """Kept counts of a round: for one report's unit (its subtree in the round's tree, itself included)
    and one level, how many reports are in each state and how many were sent after their deadline.
    Written by reports.counts: rebuilt when a round opens, moved by one UPDATE of the unit's ancestors
    whenever a report changes state (save, submit, approve, return, reopen). The dashboard and the
    roll-up read them instead of counting the round's reports."""

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    level = CleanCharField(max_length=10, choices=Level.choices)
    total = models.IntegerField(default=0)
    not_started = models.IntegerField(default=0)
    draft = models.IntegerField(default=0)
    submitted = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    #: submitted or approved, sent after the level's deadline
    sent_late = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "organization", "level"], name="one_count_per_unit_level"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.organization_id}/{self.level}: {self.total}"


class CellChange(models.Model):
    """A cell's change mark: a counter the DATABASE moves (triggers of migration 0008) on every write of a
    row a cell's live figures are counted from (rollup.sources): the cell's memberships, the key-cadre flag
    and the pledges of their members, its collective pledges, monthly records and their rows,
    commendations, models and examples, classifications, and the unit's own dates. Whatever writes them
    (the pages, the services, imports, restructuring, the admin, the demo's multi-row INSERTs) marks the
    cell, so `rollup.refresh_round` recomputes only the cells whose mark moved past the version their
    report's figures were computed at (Report.figures_version). A counter, not a time: the application's
    and the database's clocks may differ. No row: version 0.

    Marks may be moved for units that are not cells (commendations of a committee) or by a write that
    changes no figure (a draft's rows): a cell then is recomputed for nothing, never left stale. No
    foreign key constraint: a trigger may mark a unit that is being deleted in the same transaction."""

    cell = models.OneToOneField(Organization, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True,
                                related_name="change_mark")
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.cell_id}: {self.version}"


class ReportDayCount(models.Model):
    """Kept timeline of a round: for one report's unit (its subtree) and one day, how many reports now
    sent (submitted or approved) were sent that day and how many now approved were approved that day.
    Kept by reports.counts with ReportCount."""

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "organization", "day"], name="one_day_count_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.organization_id}/{self.day}: {self.sent}, {self.approved}"


class ReportEvent(models.Model):
    """Audit of a report: every transition, who, when, why."""

    class Action(models.TextChoices):
        SAVE = "save", _("Lưu")
        SUBMIT = "submit", _("Gửi")
        APPROVE = "approve", _("Duyệt")
        RETURN = "return", _("Trả lại")
        REOPEN = "reopen", _("Mở lại")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = CleanCharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = CleanTextField(blank=True, max_length=5_000)

    class Meta:
        verbose_name = _("nhật ký báo cáo")
        verbose_name_plural = _("nhật ký báo cáo")
        ordering = ["report_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.report_id}"


class ReturnReason(models.Model):
    """A reason for returning a report, attached to a section, a figure, or the whole report."""

    event = models.ForeignKey(ReportEvent, on_delete=models.CASCADE, related_name="reasons")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="return_reasons")
    #: "" for the whole report, "section:<code>" or "figure:<code>".
    target = CleanCharField(max_length=60, blank=True)
    text = CleanTextField(max_length=5_000)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.target or '*'}: {self.text[:50]}"


class Reminder(models.Model):
    """A deadline reminder sent to a unit for a round; one per unit per day at most."""

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="reminders")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "organization", "sent_on"], name="one_reminder_per_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.sent_on}"


class Notification(models.Model):
    """An in-app notification for a user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = CleanCharField(max_length=500)
    url = CleanCharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    #: When it went out by e-mail (the daily digest, or a reminder's own e-mail); None: not yet.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["emailed_at", "user"])]

    def __str__(self) -> str:
        return self.text


class Digest(models.Model):
    """The one e-mail digest of a user's notifications on a day: claimed before it is sent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    notifications = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="one_digest_per_user_per_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.sent_on}"


class DocumentCounter(models.Model):
    """Document numbers run per document type within a committee's term (nhiệm kỳ)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    doc_type = CleanCharField(max_length=4)  # BC, KH, HD, TB
    term_start = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "doc_type", "term_start"], name="one_counter_per_term"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.organization_id} {self.term_start}: {self.last_number}"


class DocumentRun(models.Model):
    """One press of "build the documents" for a round: levels built bottom-up, deepest first."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Có lỗi")

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="document_runs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = CleanCharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    #: The tree depth being built now (deepest first); 0 once every level is done.
    current_depth = models.PositiveSmallIntegerField(default=0)
    #: When a level was last sent to the workers (by the run or by the sweep that resumes it).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"], condition=Q(status="running"), name="one_running_document_run_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} @ {self.started_at:%Y-%m-%d %H:%M}"


class Document(models.Model):
    """The official document (PDF + .docx) of one report; one per report and kind, the latest."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Báo cáo")
        CONSOLIDATED = "consolidated", _("Báo cáo tổng hợp kèm phụ lục")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        BUILDING = "building", _("Đang tạo")
        READY = "ready", _("Sẵn sàng")
        FAILED = "failed", _("Lỗi")

    class SignedAs(models.TextChoices):
        SECRETARY = "secretary", _("Bí thư ký (T/M)")
        DEPUTY = "deputy", _("Phó Bí thư ký thay (K/T Bí thư)")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="documents")
    kind = CleanCharField(max_length=12, choices=Kind.choices, default=Kind.REPORT)
    run = models.ForeignKey(DocumentRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents")
    depth = models.PositiveSmallIntegerField(default=0)
    status = CleanCharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    number = models.PositiveIntegerField(null=True, blank=True)
    number_text = CleanCharField(max_length=40, blank=True)
    #: Set once, when the document gets its number: rebuilding never changes either.
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    signed_as = CleanCharField(_("người ký"), max_length=10, choices=SignedAs.choices, default=SignedAs.SECRETARY)
    signer_name = CleanCharField(_("họ tên người ký"), max_length=120, blank=True)
    #: The opening paragraph of section I as issued; empty: generated from the figures.
    opening = CleanTextField(_("đoạn mở đầu phần kết quả"), blank=True, max_length=5_000)
    #: What the document was built from (report version and snapshot); differs => out of date.
    source_key = CleanCharField(max_length=64, blank=True)
    pdf_path = CleanCharField(max_length=300, blank=True)
    docx_path = CleanCharField(max_length=300, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = CleanTextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    #: The build's lease (reports.document_tasks): who holds it ("host/pid/nonce") and until when;
    #: the holder renews it while it works, anyone may take over a lease that lapsed or whose
    #: process is gone.
    lease_owner = CleanCharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="one_document_per_report_kind"),
        ]
        indexes = [models.Index(fields=["run", "depth", "status"]), models.Index(fields=["status", "lease_until"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.report_id} ({self.status})"

    @property
    def available(self) -> bool:
        """A built version exists and can be downloaded, whatever the job does now (a rebuild
        writes new files and swaps them in only once they are complete)."""
        return bool(self.pdf_path and self.built_at)
