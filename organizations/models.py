"""The Party hierarchy: units (a tree), their dated versions, members and user roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .fields import CleanCharField, NameField, SearchKeyField


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp cơ sở")
    CELL = "cell", _("Chi bộ")


#: Higher number = higher in the hierarchy; a child is always strictly lower.
LEVEL_RANK = {Level.PROVINCE: 4, Level.DISTRICT: 3, Level.COMMUNE: 2, Level.CELL: 1}


class Kind(models.TextChoices):
    TINH_UY = "tinh_uy", _("Tỉnh ủy")
    THANH_UY = "thanh_uy", _("Thành ủy")
    HUYEN_UY = "huyen_uy", _("Huyện ủy")
    THI_UY = "thi_uy", _("Thị ủy")
    DANG_UY_KHOI = "dang_uy_khoi", _("Đảng ủy khối")
    DANG_UY_XA = "dang_uy_xa", _("Đảng ủy xã/phường/thị trấn")
    DANG_BO_CO_SO = "dang_bo_co_so", _("Đảng bộ cơ sở")
    CHI_BO_CO_SO = "chi_bo_co_so", _("Chi bộ cơ sở")
    CHI_BO_TRUC_THUOC = "chi_bo_truc_thuoc", _("Chi bộ trực thuộc")


#: Which kinds exist at which level.
KINDS_BY_LEVEL = {
    Level.PROVINCE: {Kind.TINH_UY, Kind.THANH_UY},
    Level.DISTRICT: {Kind.HUYEN_UY, Kind.THI_UY, Kind.THANH_UY, Kind.DANG_UY_KHOI},
    Level.COMMUNE: {Kind.DANG_UY_XA, Kind.DANG_BO_CO_SO},
    Level.CELL: {Kind.CHI_BO_CO_SO, Kind.CHI_BO_TRUC_THUOC},
}


class Organization(MP_Node):
    """A party organization (tổ chức đảng): a committee or a cell. The tree is the current one;
    OrganizationVersion keeps the dated parent links and names for earlier periods."""

    name = NameField(_("tên"), max_length=200)
    search_key = SearchKeyField(max_length=200, source="name")
    level = CleanCharField(_("cấp"), max_length=10, choices=Level.choices)
    kind = CleanCharField(_("loại hình"), max_length=20, choices=Kind.choices)
    issuer_code = CleanCharField(
        _("ký hiệu cơ quan ban hành"), max_length=10,
        help_text=_("Dùng trong số văn bản, ví dụ TU, HU, ĐU, CB."),
    )
    place_name = NameField(_("địa danh"), max_length=100, help_text=_("Dùng trong dòng ngày tháng, ví dụ Kiên Giang."))
    valid_from = models.DateField(_("hiệu lực từ ngày"))
    valid_to = models.DateField(
        _("hiệu lực đến ngày"), null=True, blank=True,
        help_text=_("Ngày thôi tồn tại (không tính ngày này). Để trống nếu còn hoạt động."),
    )
    secretary_name = NameField(
        _("họ tên bí thư"), max_length=120, blank=True,
        help_text=_("Người ký văn bản của cấp ủy. Với chi bộ, để trống: lấy đảng viên giữ chức Bí thư."),
    )

    node_order_by = None

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_cell(self) -> bool:
        return self.level == Level.CELL

    @property
    def is_active(self) -> bool:
        return self.valid_to is None

    def active_on(self, on) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)


class OrganizationVersion(models.Model):
    """One period in which a unit had a given parent and name. valid_to is exclusive."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="versions")
    parent = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = NameField(_("tên"), max_length=200)
    #: The place and issuer code then (a province renamed in 2025 still signs its 2024 documents
    #: with the 2024 place); blank in rows older than these fields: the unit's own values apply.
    place_name = NameField(_("địa danh"), max_length=100, blank=True)
    issuer_code = CleanCharField(_("ký hiệu cơ quan ban hành"), max_length=10, blank=True)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("lịch sử trực thuộc")
        verbose_name_plural = _("lịch sử trực thuộc")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(valid_to__isnull=True), name="one_open_version_per_org"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="version_period_not_empty",
            ),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from} – {self.valid_to or '…'})"


class Member(models.Model):
    """A party member (đảng viên)."""

    class Gender(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")

    class Status(models.TextChoices):
        OFFICIAL = "official", _("Chính thức")
        PROBATIONARY = "probationary", _("Dự bị")

    class Position(models.TextChoices):
        SECRETARY = "secretary", _("Bí thư")
        DEPUTY = "deputy", _("Phó Bí thư")
        COMMITTEE = "committee", _("Chi ủy viên")
        MEMBER = "member", _("Đảng viên")

    card_number = CleanCharField(_("số thẻ đảng viên"), max_length=20, unique=True)
    full_name = NameField(_("họ và tên"), max_length=120)
    search_key = SearchKeyField(max_length=120, source="full_name")
    gender = CleanCharField(_("giới tính"), max_length=6, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    joined_on = models.DateField(_("ngày vào Đảng"))
    status = CleanCharField(_("tình trạng"), max_length=12, choices=Status.choices, default=Status.OFFICIAL)
    position = CleanCharField(
        _("chức vụ trong chi bộ"), max_length=10, choices=Position.choices, default=Position.MEMBER
    )
    is_key_cadre = models.BooleanField(_("cán bộ chủ chốt"), default=False)
    cell = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="members",
        verbose_name=_("chi bộ hiện tại"), help_text=_("Trống khi đã chuyển sinh hoạt ra ngoài."),
    )
    left_on = models.DateField(_("ngày chuyển đi"), null=True, blank=True)

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        indexes = [models.Index(fields=["cell", "search_key"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.cell_id is not None


class MemberCount(models.Model):
    """How many members a cell has now (Member.cell), kept by the database itself: triggers on the
    members table (migration 0007) add and subtract on every insert, delete and change of cell, whatever
    writes it (the member pages, transfers, imports, restructuring, the admin, the demo's bulk inserts).
    A separate table, so that saving an Organization never writes a stale count back. No row: 0."""

    cell = models.OneToOneField(Organization, on_delete=models.CASCADE, primary_key=True, related_name="member_tally")
    members = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("số đảng viên của chi bộ")
        verbose_name_plural = _("số đảng viên của chi bộ")

    def __str__(self) -> str:
        return f"{self.cell_id}: {self.members}"


class Membership(models.Model):
    """A period a member belonged to a cell (sinh hoạt tại chi bộ). end is exclusive."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    cell = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("quá trình sinh hoạt")
        verbose_name_plural = _("quá trình sinh hoạt")
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(end__isnull=True), name="one_open_membership"),
        ]
        indexes = [models.Index(fields=["cell", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.cell_id} ({self.start} – {self.end or '…'})"


class Role(models.Model):
    """A user's role on one unit; the unit's subtree is what the role reaches."""

    class Kind(models.TextChoices):
        CELL_SECRETARY = "cell_secretary", _("Bí thư chi bộ")
        REVIEWER = "reviewer", _("Cấp ủy theo dõi")
        APPROVER = "approver", _("Cấp ủy phê duyệt")
        BOARD = "board", _("Ban Tuyên giáo tỉnh")
        ADMIN = "admin", _("Quản trị")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    kind = CleanCharField(_("vai trò"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "kind"], name="unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.organization}"


class ImportBatch(models.Model):
    """An uploaded member list (nhập đảng viên từ tệp), parsed and checked, kept between the preview
    and the confirmation. Only its creator may see or apply it, and only on its unit."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Đang đọc và kiểm tra")
        FAILED = "failed", _("Không đọc được tệp")
        PENDING = "pending", _("Chờ xác nhận")
        APPLIED = "applied", _("Đã nhập")
        DISCARDED = "discarded", _("Đã hủy")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="import_batches", verbose_name=_("đơn vị")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("người tải lên")
    )
    created_at = models.DateTimeField(_("thời điểm tải lên"), auto_now_add=True)
    filename = CleanCharField(_("tên tệp"), max_length=255)
    rows = models.JSONField(_("các dòng đã chuẩn hóa"), default=list)
    errors = models.JSONField(_("lỗi"), default=list)
    status = CleanCharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("tiến độ kiểm tra (%)"), default=0)
    stored_file = CleanCharField(_("tệp chờ đọc"), max_length=100, blank=True,
                                   help_text=_("Tên tệp đã tải lên, trong thư mục nhập; xóa khi đọc xong."))
    applied_at = models.DateTimeField(_("thời điểm nhập"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("số đảng viên mới"), default=0)
    updated_count = models.PositiveIntegerField(_("số đảng viên cập nhật"), default=0)
    #: The version of the members the preview was made from (imports.plan.base_token): a confirmation
    #: is refused when another import or editor changed them since.
    base_token = CleanCharField(_("phiên bản dữ liệu khi kiểm tra"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("lần nhập đảng viên")
        verbose_name_plural = _("các lần nhập đảng viên")
        indexes = [models.Index(fields=["organization", "created_by", "status"])]

    def __str__(self) -> str:
        return f"{self.filename} – {self.organization}"


class RestructurePlan(models.Model):
    """A restructuring prepared as one operation (sắp xếp tổ chức): every change dated `effective_on`,
    checked together on the tree before and after, then applied in one transaction or not at all."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SCHEDULED = "scheduled", _("Chờ đến ngày hiệu lực")
        APPLIED = "applied", _("Đã áp dụng")
        FAILED = "failed", _("Không áp dụng được")
        DISCARDED = "discarded", _("Đã hủy")

    province = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("tỉnh"))
    title = CleanCharField(_("tên phương án"), max_length=200)
    effective_on = models.DateField(_("ngày hiệu lực"))
    status = CleanCharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    #: The problems found when a scheduled plan could not be applied on its date.
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("phương án sắp xếp tổ chức")
        verbose_name_plural = _("phương án sắp xếp tổ chức")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class PlanChange(models.Model):
    """One change of a plan: move, merge (the unit is absorbed by the target), rename, close, create."""

    class Op(models.TextChoices):
        MOVE = "move", _("Chuyển trực thuộc")
        MERGE = "merge", _("Hợp nhất vào")
        RENAME = "rename", _("Đổi tên")
        CLOSE = "close", _("Giải thể")
        CREATE = "create", _("Thành lập mới")

    plan = models.ForeignKey(RestructurePlan, on_delete=models.CASCADE, related_name="changes")
    position = models.PositiveIntegerField(default=0)
    op = CleanCharField(_("loại thay đổi"), max_length=8, choices=Op.choices)
    unit = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("đơn vị"),
    )
    target = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("đơn vị đích"), help_text=_("Cấp trên mới (chuyển, thành lập) hoặc đơn vị tiếp nhận (hợp nhất)."),
    )
    #: A unit created earlier in the same plan, as the target (e.g. cells moved into a new commune).
    target_change = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    new_name = NameField(_("tên mới"), max_length=200, blank=True)
    place_name = NameField(_("địa danh mới"), max_length=100, blank=True)
    level = CleanCharField(_("cấp"), max_length=10, choices=Level.choices, blank=True)
    unit_kind = CleanCharField(_("loại hình"), max_length=20, choices=Kind.choices, blank=True)
    issuer_code = CleanCharField(_("ký hiệu cơ quan ban hành"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("thay đổi")
        verbose_name_plural = _("các thay đổi")
        ordering = ["plan_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_op_display()} {self.unit_id or self.new_name}"
