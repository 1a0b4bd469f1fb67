"""Demo data for a year of Directive 03 work in a province: themes, pressing issues, pledges, the monthly
cell meetings with one row per member, their audit trail, and the year end.

`build_year(...)` writes with bulk inserts, a chunk of cells at a time, and no per-row services, so it
keeps by hand every invariant pledges.services keep:

- one pledge per member and year, registered in the cell the member belonged to on its date, which is
  in the year and not after `today`; revision 1 from mid-January, some amended in July with a reason;
  the collective plan's cell is its organization;
- one record per cell and month, only for months that have come, the meeting date inside the month and
  not after `today`, the minutes within 0..600; one row per member who belonged to the cell in that
  month and no one else; every member present is rated in a record that was submitted; an exemplary
  row has its deed, a criticised row its note; `version` is 1 + the number of audit rows, and the
  submitted/decided fields match the last submit and decision;
- at year end, a member is classified once, by the cell they belonged to last; "xuất sắc" members are at
  most 20% of the "tốt" members of each grassroots organization; commendations go to members who
  belonged under the recording cell in the year, dated in the year and not after `today`.

The same `rng` state gives the same data. Everything is read in a few queries for the whole province.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from organizations.models import Kind, Level, Member, Membership, Organization, Role

from .models import (
    AnnualTheme,
    Commendation,
    Grade,
    MemberClassification,
    ModelExample,
    MonthlyReview,
    OrganizationClassification,
    Pledge,
    PledgeCommitment,
    PledgeRevision,
    PressingIssue,
    ReviewEntry,
    ReviewEvent,
)
from .periods import month_bounds, overlaps, year_bounds
from .selectors import directive_for_year

BATCH_SIZE = 5_000
#: Cells handled (and their rows flushed) together.
CHUNK_CELLS = 200

PROVINCE_THEME = "Nâng cao trách nhiệm của cán bộ, đảng viên, công chức, viên chức trong thực thi công vụ"

#: What pledges.demo writes, in the order a reset deletes it (rows that point at others first).
#: Provincial themes are deleted with filter(province__isnull=False): the national ones come from a migration.
RESET_MODELS = [
    ReviewEvent, ReviewEntry, MonthlyReview, PledgeCommitment, PledgeRevision, Pledge, PressingIssue,
    MemberClassification, OrganizationClassification, Commendation, ModelExample,
]

#: Tables to ANALYZE after a bulk load (organizations.demo.analyze): without statistics the planners
#: pick scans over the ~1 M rows of a medium province.
ANALYZE_MODELS = [
    MonthlyReview, ReviewEntry, ReviewEvent, Pledge, PledgeRevision, PledgeCommitment, MemberClassification,
]

# -- texts --------------------------------------------------------------------------------------
SET_EXAMPLE = (
    ("Gương mẫu đi đầu trong thực hiện nhiệm vụ được giao, nói đi đôi với làm",
     "Kết quả thực hiện nhiệm vụ hằng tháng, được chi bộ đánh giá"),
    ("Giữ gìn phẩm chất đạo đức, lối sống giản dị; không để người thân lợi dụng chức vụ, quyền hạn",
     "Nhận xét của chi bộ và của nơi cư trú"),
    ("Thường xuyên đối thoại, lắng nghe và giải quyết kịp thời kiến nghị chính đáng của Nhân dân",
     "Số kiến nghị được giải quyết đúng hạn"),
    ("Chủ động nhận trách nhiệm và khắc phục các hạn chế đã chỉ ra khi kiểm điểm",
     "Báo cáo kết quả khắc phục tại sinh hoạt chi bộ hằng quý"),
    ("Không sử dụng tài sản công vào việc riêng; công khai, tiết kiệm trong chi tiêu của đơn vị",
     "Kết quả kiểm tra tài chính, công khai chi tiêu"),
    ("Đi cơ sở ít nhất 2 lần mỗi tháng để nắm tình hình, hướng dẫn tháo gỡ khó khăn",
     "Sổ theo dõi công tác, biên bản làm việc"),
    ("Kiên quyết đấu tranh với biểu hiện suy thoái về tư tưởng chính trị, đạo đức, lối sống",
     "Đánh giá của cấp ủy cấp trên"),
    ("Gương mẫu thực hiện \u201cDân vận khéo\u201d: gần dân, trọng dân, có trách nhiệm với dân",
     "Ý kiến của Nhân dân, Mặt trận và các đoàn thể"),
)
EXEMPLARY = (
    ("Chấp hành nghiêm giờ giấc làm việc, không đi muộn, về sớm", "Bảng chấm công, nhận xét của thủ trưởng"),
    ("Tham gia đầy đủ sinh hoạt chi bộ và các buổi học tập chuyên đề", "Sổ theo dõi sinh hoạt chi bộ"),
    ("Niềm nở, tận tình khi tiếp xúc, giải quyết công việc của người dân",
     "Không có phản ánh, khiếu nại của người dân"),
    ("Tiết kiệm điện, nước, văn phòng phẩm ở cơ quan và gia đình", "Nhận xét của tổ, của chi bộ"),
    ("Giúp đỡ ít nhất 1 hộ khó khăn trong khu dân cư", "Xác nhận của ban điều hành ấp, khu phố"),
    ("Không uống rượu, bia trong giờ làm việc và khi tham gia giao thông", "Nhận xét của chi bộ, nơi cư trú"),
    ("Vận động gia đình thực hiện tốt nếp sống văn minh, giữ danh hiệu gia đình văn hóa",
     "Kết quả bình xét gia đình văn hóa"),
    ("Hoàn thành đúng hạn, có chất lượng các nhiệm vụ chuyên môn được giao",
     "Kết quả đánh giá công chức, viên chức hằng tháng"),
    ("Tích cực tự học nâng cao trình độ lý luận chính trị và chuyên môn", "Kết quả học tập, bồi dưỡng"),
    ("Tham gia hoạt động tình nguyện, vệ sinh môi trường nơi cư trú", "Xác nhận của tổ dân phố, ấp"),
    ("Đóng đảng phí đầy đủ, đúng hạn", "Sổ thu đảng phí"),
    ("Sử dụng mạng xã hội có trách nhiệm, không chia sẻ thông tin sai sự thật", "Nhận xét của chi bộ"),
)
COLLECTIVE = (
    ("Duy trì nền nếp sinh hoạt chi bộ định kỳ, dành ít nhất 30 phút học tập chuyên đề",
     "Sổ biên bản sinh hoạt chi bộ"),
    ("100% đảng viên đăng ký học tập và làm theo, được đánh giá hằng tháng",
     "Bản đăng ký, kết quả đánh giá hằng tháng"),
    ("Xây dựng và nhân rộng ít nhất 1 mô hình, cách làm hay trong năm", "Báo cáo sơ kết, tổng kết"),
    ("Thực hành tiết kiệm, giảm 5% chi phí hành chính so với năm trước", "Báo cáo tài chính của đơn vị"),
    ("Tập trung giải quyết dứt điểm vấn đề bức xúc, nổi cộm đã chọn", "Ý kiến của Nhân dân, kết quả khảo sát"),
    ("Không có đảng viên vi phạm kỷ luật", "Kết quả kiểm tra, giám sát của cấp ủy"),
    ("Phát huy vai trò nêu gương của cán bộ chủ chốt, chi ủy viên", "Kết quả kiểm điểm cuối năm"),
)
REVISION_REASONS = (
    "Rà soát, bổ sung sau sơ kết 6 tháng",
    "Bổ sung theo chuyên đề năm của Tỉnh ủy",
    "Điều chỉnh do thay đổi vị trí công tác",
    "Bổ sung nội dung khắc phục hạn chế sau kiểm điểm giữa năm",
)
PRESSING_ISSUES = (
    ("Tình trạng xả rác, chất thải xuống kênh rạch", "Vận động hộ dân ký cam kết; ra quân dọn vệ sinh hằng tháng."),
    ("Thái độ, tác phong của một bộ phận cán bộ khi tiếp dân",
     "Niêm yết quy trình; lấy ý kiến hài lòng của người dân mỗi quý."),
    ("Giải quyết hồ sơ đất đai còn chậm, trễ hẹn", "Rà soát hồ sơ tồn đọng, công khai tiến độ tại bộ phận một cửa."),
    ("Tụ tập uống rượu, bia trong giờ hành chính", "Kiểm tra đột xuất; xử lý nghiêm người vi phạm."),
    ("Trộm cắp vặt, mất an ninh trật tự tại khu dân cư", "Duy trì tổ tự quản, tuần tra ban đêm."),
    ("Lấn chiếm hành lang giao thông, lòng lề đường", "Ra quân lập lại trật tự, vận động tháo dỡ."),
    ("Tệ nạn cờ bạc, số đề", "Phối hợp công an xã; vận động gia đình quản lý con em."),
    ("Thiếu nước sinh hoạt mùa khô", "Nạo vét kênh, vận động trữ nước, hỗ trợ lu chứa cho hộ nghèo."),
)
THEME_CONTENT = (
    "Học tập chuyên đề năm {year}: \u201c{theme}\u201d; liên hệ trách nhiệm của từng đảng viên trong công tác.",
    "Nghiên cứu bài \u201cNâng cao đạo đức cách mạng, quét sạch chủ nghĩa cá nhân\u201d của Chủ tịch Hồ Chí Minh; "
    "thảo luận, liên hệ bản thân.",
    "Kể chuyện \u201cBác Hồ với việc tiết kiệm\u201d; đảng viên nêu việc làm cụ thể đã thực hiện trong tháng.",
    "Quán triệt phong trào \u201cDân vận khéo\u201d; rút kinh nghiệm việc tiếp nhận, giải quyết kiến nghị của người "
    "dân trong tháng.",
    "Nghiên cứu Quy định số 144-QĐ/TW về chuẩn mực đạo đức cách mạng của cán bộ, đảng viên; liên hệ thực tế chi bộ.",
    "Cán bộ chủ chốt báo cáo việc thực hiện cam kết nêu gương; đảng viên báo cáo kết quả làm theo bản đăng ký.",
)
THRIFT = (
    "Tiết kiệm điện, nước tại trụ sở; tắt thiết bị khi không sử dụng.",
    "Tổ chức họp trực tuyến, giảm chi phí hội nghị và đi lại.",
    "Công khai thu, chi quỹ của ấp; không để xảy ra thất thoát.",
    "Vận động đảng viên tổ chức việc hiếu, hỉ tiết kiệm, văn minh.",
    "Dùng văn bản điện tử, giảm in ấn giấy tờ.",
    "Kiểm tra việc sử dụng xe công; không dùng tài sản công vào việc riêng.",
)
SELF_CRITICISM = (
    "", "",
    "Khắc phục tình trạng một số đảng viên còn ít phát biểu trong sinh hoạt.",
    "Đã chấn chỉnh việc đi muộn, về sớm; các đồng chí liên quan đã khắc phục.",
    "Tiếp tục khắc phục việc giải quyết hồ sơ còn trễ hẹn.",
    "Đảng viên thực hiện đúng cam kết sửa chữa sau kiểm điểm cuối năm trước.",
)
NEXT_MONTH = (
    "Ra quân dọn vệ sinh tuyến kênh; vận động bà con không xả rác.",
    "Thăm hỏi, tặng quà hộ nghèo, gia đình chính sách.",
    "Đôn đốc hoàn thành thu thuế, thu quỹ phòng, chống thiên tai.",
    "Đảng viên tự liên hệ, báo cáo kết quả thực hiện bản đăng ký tại kỳ sinh hoạt tới.",
    "Phân công đảng viên phụ trách hộ, nắm tình hình dư luận trong Nhân dân.",
    "Chuẩn bị nội dung sinh hoạt chuyên đề quý; mời báo cáo viên.",
    "Vận động Nhân dân hiến đất mở rộng đường giao thông nông thôn.",
)
ABSENCE = ("Ốm", "Đi công tác", "Việc gia đình", "Đi học tập trung", "Nghỉ thai sản", "Trực cơ quan")
NOTES = ("Phát biểu tích cực", "Hoàn thành tốt nhiệm vụ được giao", "Cần cố gắng hơn", "Đã khắc phục hạn chế",
         "Tham gia tốt phong trào ở địa phương")
DEEDS = (
    "Giúp đỡ hộ nghèo sửa chữa nhà ở", "Hiến đất làm đường giao thông nông thôn",
    "Nhặt được tài sản, trả lại người đánh mất", "Cứu người bị nạn trên sông",
    "Vận động quyên góp ủng hộ đồng bào bị thiên tai", "Hướng dẫn người dân làm thủ tục trực tuyến ngoài giờ",
    "Phát hiện, ngăn chặn kịp thời một vụ cháy",
)
CRITICISMS = (
    "Vắng sinh hoạt không có lý do", "Chưa thực hiện nội dung đã đăng ký",
    "Uống rượu, bia trong giờ làm việc", "Chậm đóng đảng phí", "Thái độ chưa đúng mực khi tiếp dân",
)
RETURN_REASONS = (
    "Chưa ghi nội dung học tập chuyên đề.", "Thời lượng học tập chưa đủ 30 phút theo hướng dẫn.",
    "Thiếu biện pháp tháng tới.", "Ngày sinh hoạt chưa khớp với sổ biên bản của chi bộ.",
    "Chưa ghi kết quả khắc phục hạn chế sau tự phê bình.",
)
MODELS = (
    "Mô hình \u201cTuyến đường hoa – sáng, xanh, sạch, đẹp\u201d", "Mô hình \u201cTổ tự quản an ninh trật tự\u201d",
    "Mô hình \u201cMỗi đảng viên giúp đỡ một hộ khó khăn\u201d", "Cách làm hay \u201cNgày thứ Bảy vì dân\u201d",
    "Mô hình \u201cDân vận khéo\u201d trong vận động hiến đất làm đường", "Mô hình \u201cNhà đoàn kết\u201d",
    "Mô hình \u201cMột cửa thân thiện\u201d",
)

#: How records of a month end up, by how many months ago the month was: (state or None = missing, weight).
STATE_MIX = {
    0: ((None, 30), ("draft", 35), ("submitted", 30), ("accepted", 5)),
    1: ((None, 3), ("draft", 7), ("submitted", 25), ("returned", 5), ("accepted", 60)),
    2: ((None, 3), ("draft", 2), ("submitted", 4), ("returned", 3), ("accepted", 88)),
}


@dataclass
class _Cell:
    pk: int
    path: str
    name: str
    valid_from: dt.date
    grassroots: int
    secretary: int  # user id who keeps the records
    reviewer: int  # user id of the committee above
    members: list[tuple[int, dt.date, dt.date | None, str, bool]] = field(default_factory=list)


#: The big tables, written as plain multi-row INSERTs of tuples in this column order (values ready for
#: the database): a model instance and bulk_create's per-value preparation cost ~100 µs a row, most of
#: the time for the ~1.6 M rows of the medium province. Every column without a database default is given.
RAW_COLUMNS = {
    Pledge: ("member_id", "organization_id", "cell_id", "year", "directive_id", "kind", "created_at"),
    PledgeRevision: ("pledge_id", "number", "valid_from", "reason", "created_by_id", "created_at"),
    PledgeCommitment: ("revision_id", "position", "content", "verification"),
    MonthlyReview: ("cell_id", "year", "month", "state", "meeting_date", "directive_minutes", "theme_content",
                    "thrift_item", "self_criticism_fixes", "next_month_measures", "notes", "return_reason",
                    "version", "created_at", "updated_at", "submitted_at", "submitted_by_id", "decided_at",
                    "decided_by_id"),
    ReviewEntry: ("review_id", "member_id", "present", "absence_reason", "rating", "note", "exemplary",
                  "exemplary_deed", "criticised", "criticism_note"),
    ReviewEvent: ("review_id", "action", "by_id", "at", "reason", "version"),
    MemberClassification: ("member_id", "year", "cell_id", "grade", "classified_by_id", "classified_at"),
}


class _Writer:
    """Collects rows per model and writes them in batches; keeps the counts."""

    def __init__(self) -> None:
        self.pending: dict[type, list] = defaultdict(list)
        self.counts: Counter = Counter()
        self.pledged: set[int] = set()  # members with a pledge for the year (one each)

    def add(self, obj) -> None:
        self.pending[type(obj)].append(obj)

    def row(self, model, values: tuple) -> None:
        """A row of one of RAW_COLUMNS' tables, its values in that order, ready for the database."""
        self.pending[model].append(values)

    def flush(self, *models) -> None:
        for model in models:
            rows = self.pending.pop(model, [])
            if not rows:
                continue
            if model in RAW_COLUMNS:
                _insert(model, RAW_COLUMNS[model], rows)
            else:
                model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            self.counts[model._meta.model_name] += len(rows)


def _insert(model, columns: tuple[str, ...], rows: list[tuple], *, returning: bool = False) -> list[int]:
    """INSERT ... VALUES (...), (...) by batches of up to BATCH_SIZE rows (within the driver's parameter
    limit); with `returning`, the new ids in the order of `rows` (RETURNING, as bulk_create does).

    Through the driver's own cursor, in the current transaction: Django's cursor would log each statement
    with its parameters quoted when DEBUG is on (a third of the time of the medium province) and, on
    SQLite, rewrite every %s of a 50,000-parameter statement.
    """
    connection.ensure_connection()
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        mark, limit = "?", connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    else:
        mark, limit = "%s", 65_535  # PostgreSQL's bind parameters per statement
    per = max(1, min(BATCH_SIZE, (limit - 1) // len(columns)))
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    one = "(" + ", ".join([mark] * len(columns)) + ")"
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    ids: list[int] = []
    cursor = connection.connection.cursor()
    try:
        for i in range(0, len(rows), per):
            batch = rows[i:i + per]
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, [v for row in batch for v in row])
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()
    return ids


def _db_date(value: dt.date | None):
    return None if value is None else connection.ops.adapt_datefield_value(value)


def _db_datetime(value: dt.datetime | None):
    """An aware datetime as the backend stores it (SQLite: naive UTC text; PostgreSQL: as is)."""
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def _weighted(rng: random.Random, options: Iterable[tuple]) -> object:
    options = list(options)
    total = sum(w for _v, w in options)
    x = rng.random() * total
    for value, weight in options:
        x -= weight
        if x < 0:
            return value
    return options[-1][0]


def _at(day: dt.date, rng: random.Random, now: dt.datetime, *, after: dt.datetime | None = None) -> dt.datetime:
    """An evening time on `day` (local), after `after`, never after `now`."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(19, rng.randint(0, 59))))
    if after is not None and moment <= after:
        moment = after + dt.timedelta(minutes=rng.randint(5, 90))
    return min(moment, now)


def _grassroots(units: dict[str, tuple], path: str) -> str:
    """The grassroots organization's path of a cell, as selectors.grassroots_of decides it."""
    level, kind = units[path][1], units[path][2]
    depth = len(path) // Organization.steplen
    if level == Level.COMMUNE or kind == Kind.CHI_BO_CO_SO or depth <= 1:
        return path
    for i in range(depth - 1, 0, -1):
        ancestor = path[: i * Organization.steplen]
        if ancestor not in units:
            continue
        if units[ancestor][1] == Level.COMMUNE:
            return ancestor
        if units[ancestor][1] in (Level.DISTRICT, Level.PROVINCE):
            return path
    return path


def _load(province: Organization, year: int, user) -> tuple[list[_Cell], list[int], dict[str, tuple]]:
    """Cells (with members of the year and who acts for them) and commune-level units: three queries."""
    units = {
        row[0]: row[1:] for row in Organization.objects.filter(path__startswith=province.path)
        .values_list("path", "pk", "level", "kind", "name", "valid_from", "valid_to").order_by("path")
    }
    by_pk = {row[0]: path for path, row in units.items()}
    secretaries: dict[int, int] = {}
    reviewers: dict[str, int] = {}
    for user_id, kind, org_id in Role.objects.filter(organization__path__startswith=province.path).order_by(
        "pk"
    ).values_list("user_id", "kind", "organization_id"):
        if kind == Role.Kind.CELL_SECRETARY:
            secretaries.setdefault(org_id, user_id)
        elif kind in (Role.Kind.REVIEWER, Role.Kind.APPROVER):
            reviewers.setdefault(by_pk[org_id], user_id)
    start, end = year_bounds(year)
    cells: dict[int, _Cell] = {}
    for path, (pk, level, _kind, name, valid_from, valid_to) in units.items():
        if level != Level.CELL or valid_to is not None or valid_from >= end:
            continue
        reviewer = next(
            (reviewers[path[:i * Organization.steplen]] for i in range(len(path) // Organization.steplen - 1, 0, -1)
             if path[:i * Organization.steplen] in reviewers), user.pk,
        )
        grassroots = units[_grassroots(units, path)][0]
        cells[pk] = _Cell(pk, path, name, valid_from, grassroots, secretaries.get(pk, user.pk), reviewer)
    for member_id, cell_id, m_start, m_end, position, key in (
        Membership.objects.filter(overlaps(start, end), cell__path__startswith=province.path)
        .order_by("cell_id", "member_id", "start")
        .values_list("member_id", "cell_id", "start", "end", "member__position", "member__is_key_cadre")
    ):
        if cell_id in cells:
            cells[cell_id].members.append((member_id, m_start, m_end, position, key))
    communes = [row[0] for row in units.values() if row[1] == Level.COMMUNE and row[5] is None]
    return sorted(cells.values(), key=lambda c: c.path), communes, units


def _proposed_kind(position: str, key_cadre: bool) -> str:
    """pledges.services.propose_kind on the loaded columns."""
    if key_cadre or position in (Member.Position.SECRETARY, Member.Position.DEPUTY):
        return Pledge.Kind.SET_EXAMPLE
    return Pledge.Kind.EXEMPLARY


def build_year(*, province: Organization, year: int, today: dt.date, rng: random.Random, user) -> dict:
    """Write `year`'s Directive 03 records for every active cell under `province`; return the counts.

    `today` bounds what has happened: no record of a month to come, no date after it. `user` acts
    where the province has no cell secretary or committee user (the demo's admin).
    """
    directive = directive_for_year(year)
    if directive is None or year > today.year:
        return {}
    now = min(timezone.now(), timezone.make_aware(dt.datetime.combine(today, dt.time(23, 59))))
    writer = _Writer()
    cells, communes, units = _load(province, year, user)
    theme, created = AnnualTheme.objects.get_or_create(
        directive=directive, year=year, province=province, defaults={"title": PROVINCE_THEME}
    )
    writer.counts["annualtheme"] += created

    has_issues = set(PressingIssue.objects.filter(year=year, organization_id__in=communes)
                     .values_list("organization_id", flat=True))
    for org_id in communes:
        if org_id in has_issues:
            continue
        for position, (title, description) in enumerate(rng.sample(PRESSING_ISSUES, rng.randint(1, 3)), start=1):
            writer.add(PressingIssue(organization_id=org_id, year=year, title=title, description=description,
                                     position=position))
    writer.flush(PressingIssue)

    last_month = 12 if year < today.year else today.month
    for i in range(0, len(cells), CHUNK_CELLS):
        chunk = cells[i:i + CHUNK_CELLS]
        _pledges(chunk, writer, rng, year=year, today=today, directive=directive)
        _reviews(chunk, writer, rng, year=year, today=today, last_month=last_month, now=now, theme=theme.title)
    if year < today.year or today.month == 12:
        _year_end(cells, writer, rng, year=year, today=today)
    counts = dict(writer.counts)
    counts["cells"] = len(cells)
    return counts


# -- pledges ------------------------------------------------------------------------------------
def _pledges(chunk: list[_Cell], writer: _Writer, rng: random.Random, *, year: int, today: dt.date, directive) -> None:
    start, end = year_bounds(year)
    created = _db_datetime(timezone.now())
    # (member, cell, kind, date, pool, author); a None member is the cell's collective plan
    registered: list[tuple[int | None, int, str, dt.date, tuple, int]] = []
    for cell in chunk:
        collective_on = dt.date(year, 1, rng.randint(8, 20))
        if collective_on <= today and cell.valid_from <= collective_on:
            registered.append((None, cell.pk, Pledge.Kind.COLLECTIVE, collective_on, COLLECTIVE, cell.secretary))
        seen: set[int] = set()
        for member_id, m_start, m_end, position, key in cell.members:
            if member_id in seen:
                continue
            on = max(dt.date(year, 1, rng.randint(10, 20)), m_start + dt.timedelta(days=rng.randint(0, 14)))
            if on >= end or on > today or (m_end is not None and on >= m_end) or on < start:
                continue  # not in this cell on a date of this year that has come
            # a member who moved between two cells in the year registers once, in the cell met first
            if member_id in writer.pledged:
                continue
            seen.add(member_id)
            writer.pledged.add(member_id)
            kind = _proposed_kind(position, key)
            pool = SET_EXAMPLE if kind == Pledge.Kind.SET_EXAMPLE else EXEMPLARY
            registered.append((member_id, cell.pk, kind, on, pool, cell.secretary))
    pledge_ids = _insert(Pledge, RAW_COLUMNS[Pledge], [
        (member_id, cell_id if member_id is None else None, cell_id, year, directive.pk, str(kind), created)
        for member_id, cell_id, kind, *_rest in registered
    ], returning=True)
    writer.counts["pledge"] += len(pledge_ids)
    revisions: list[tuple[tuple, list[tuple[str, str]]]] = []
    for pledge_id, (_m, _c, _k, on, pool, author) in zip(pledge_ids, registered, strict=True):
        chosen = rng.sample(pool, rng.randint(2, 4))
        revisions.append(((pledge_id, 1, _db_date(on), "", author, created), chosen))
        july = dt.date(year, 7, rng.randint(5, 25))
        if rng.random() < 0.10 and on < july <= today:
            amended = chosen + [c for c in rng.sample(pool, 2) if c not in chosen][:1]
            revisions.append(((pledge_id, 2, _db_date(july), rng.choice(REVISION_REASONS), author, created), amended))
    revision_ids = _insert(PledgeRevision, RAW_COLUMNS[PledgeRevision], [r for r, _c in revisions], returning=True)
    writer.counts["pledgerevision"] += len(revision_ids)
    writer.counts["pledgerevision:amended"] += sum(1 for r, _c in revisions if r[1] > 1)
    for revision_id, (_r, commitments) in zip(revision_ids, revisions, strict=True):
        for position, (content, verification) in enumerate(commitments, start=1):
            writer.row(PledgeCommitment, (revision_id, position, content, verification))
    writer.flush(PledgeCommitment)


# -- monthly records ----------------------------------------------------------------------------
def _reviews(chunk: list[_Cell], writer: _Writer, rng: random.Random, *, year: int, today: dt.date,
             last_month: int, now: dt.datetime, theme: str) -> None:
    planned: list[tuple[dict, list, list]] = []  # review, entries, events (without review ids)
    random_ = rng.random
    for cell in chunk:
        for month in range(1, last_month + 1):
            first, following = month_bounds(year, month)
            if cell.valid_from >= following:
                continue
            members = sorted({m[0] for m in cell.members if m[1] < following and (m[2] is None or m[2] > first)})
            if not members:
                continue
            age = min((today.year - year) * 12 + today.month - month, 2)
            state = _weighted(rng, STATE_MIX[age])
            if state is None:
                writer.counts["monthlyreview:missing"] += 1
                continue
            planned.append(_review(cell, month, members, state, rng, random_, year=year, today=today, now=now,
                                   theme=theme))
    created = _db_datetime(timezone.now())
    rows = []
    for review, _entries, _events in planned:
        review.update(created_at=created, updated_at=created, meeting_date=_db_date(review["meeting_date"]),
                      submitted_at=_db_datetime(review["submitted_at"]), decided_at=_db_datetime(review["decided_at"]))
        rows.append(tuple(review[c] for c in RAW_COLUMNS[MonthlyReview]))
    review_ids = _insert(MonthlyReview, RAW_COLUMNS[MonthlyReview], rows, returning=True)
    writer.counts["monthlyreview"] += len(review_ids)
    for review_id, (review, entries, events) in zip(review_ids, planned, strict=True):
        writer.counts[f"monthlyreview:{review['state']}"] += 1
        for entry in entries:
            writer.row(ReviewEntry, (review_id, *entry))
        for action, by, at, reason, version in events:
            writer.row(ReviewEvent, (review_id, action, by, _db_datetime(at), reason, version))
        if len(writer.pending[ReviewEntry]) >= BATCH_SIZE:
            writer.flush(ReviewEntry)
    writer.flush(ReviewEntry, ReviewEvent)


def _review(cell: _Cell, month: int, members: list[int], state: str, rng: random.Random, random_,
            *, year: int, today: dt.date, now: dt.datetime, theme: str) -> tuple[dict, list, list]:
    first, following = month_bounds(year, month)
    last_day = min(following - dt.timedelta(days=1), today)
    meeting = first + dt.timedelta(days=rng.randint(0, min(14, (last_day - first).days)))
    draft = state == MonthlyReview.State.DRAFT
    minutes = rng.choice((30, 35, 40, 45, 45, 50, 60)) if random_() > 0.06 else rng.randint(15, 29)
    review = dict(  # RAW_COLUMNS[MonthlyReview]; created_at and updated_at are added when written
        cell_id=cell.pk, year=year, month=month, state=state, meeting_date=meeting,
        directive_minutes=None if draft and random_() < 0.3 else minutes,
        theme_content=rng.choice(THEME_CONTENT).format(year=year, theme=theme),
        thrift_item=rng.choice(THRIFT), self_criticism_fixes=rng.choice(SELF_CRITICISM),
        next_month_measures=rng.choice(NEXT_MONTH), notes="", return_reason="",
        submitted_at=None, submitted_by_id=None, decided_at=None, decided_by_id=None,
    )
    entries = []
    for member_id in members:
        present = random_() > 0.07
        rating = None
        if present and not (draft and random_() < 0.15):
            x = random_()
            rating = "good" if x < 0.68 else "pass" if x < 0.97 else "fail"
        exemplary = present and random_() < 0.02
        criticised = random_() < 0.005
        absence = "" if present else rng.choice(ABSENCE)
        note = rng.choice(NOTES) if present and random_() < 0.08 else ""
        entries.append((  # RAW_COLUMNS[ReviewEntry] without the review
            member_id, present, absence, rating, note, exemplary, rng.choice(DEEDS) if exemplary else "",
            criticised, rng.choice(CRITICISMS) if criticised else "",
        ))
    # the audit trail: save (and submit, and a decision); some accepted records were returned once before
    actions = ["save"]
    if not draft:
        actions.append("submit")
        if state == MonthlyReview.State.RETURNED:
            actions.append("return")
        elif state == MonthlyReview.State.ACCEPTED:
            actions += ["return", "save", "submit", "accept"] if random_() < 0.05 else ["accept"]
    events, at = [], None
    day = meeting
    for action in actions:
        if action == "save":
            day = min(day + dt.timedelta(days=rng.randint(0, 2)), today)
        elif action in ("accept", "return"):
            day = min(day + dt.timedelta(days=rng.randint(1, 5)), today)
        by = cell.reviewer if action in ("accept", "return") else cell.secretary
        at = _at(day, rng, now, after=at)
        reason = rng.choice(RETURN_REASONS) if action == "return" else ""
        events.append((action, by, at, reason, len(events) + 2))
        if action == "submit":
            review.update(submitted_at=at, submitted_by_id=by, decided_at=None, decided_by_id=None, return_reason="")
        elif action in ("accept", "return"):
            review.update(decided_at=at, decided_by_id=by)
            if action == "return":
                review["return_reason"] = reason
    review["version"] = len(events) + 1
    return review, entries, events


# -- year end -----------------------------------------------------------------------------------
def _year_end(cells: list[_Cell], writer: _Writer, rng: random.Random, *, year: int, today: dt.date) -> None:
    """Members' grades (the 20% rule per grassroots organization), cells' grades, commendations, models."""
    already = set(MemberClassification.objects.filter(year=year).values_list("member_id", flat=True))
    last_cell: dict[int, tuple[dt.date, _Cell]] = {}
    for cell in cells:
        for member_id, m_start, _end, _position, _key in cell.members:
            if member_id not in already and (member_id not in last_cell or m_start >= last_cell[member_id][0]):
                last_cell[member_id] = (m_start, cell)
    classified_at = _db_datetime(timezone.now())
    by_grassroots: dict[int, list[tuple[int, _Cell]]] = defaultdict(list)
    for member_id in sorted(last_cell):
        cell = last_cell[member_id][1]
        by_grassroots[cell.grassroots].append((member_id, cell))
    for group_id in sorted(by_grassroots):
        group = by_grassroots[group_id]
        grades = [_weighted(rng, ((Grade.GOOD, 78), (Grade.COMPLETE, 19), (Grade.INCOMPLETE, 3))) for _g in group]
        goods = [i for i, g in enumerate(grades) if g == Grade.GOOD]
        # at most 20% of the remaining "tốt": e ≤ (G − e) / 5, i.e. e ≤ G // 6
        for i in rng.sample(goods, rng.randint(len(goods) // 12, len(goods) // 6) if goods else 0):
            grades[i] = Grade.EXCELLENT
        for (member_id, cell), grade in zip(group, grades, strict=True):
            writer.row(MemberClassification, (member_id, year, cell.pk, str(grade), cell.secretary, classified_at))
        if len(writer.pending[MemberClassification]) >= BATCH_SIZE:
            writer.flush(MemberClassification)
    writer.flush(MemberClassification)

    graded = set(OrganizationClassification.objects.filter(year=year).values_list("organization_id", flat=True))
    awarded_on = min(today, dt.date(year, 12, 28))
    for cell in cells:
        if cell.pk not in graded:
            grade = _weighted(rng, ((Grade.EXCELLENT, 15), (Grade.GOOD, 68), (Grade.COMPLETE, 15),
                                    (Grade.INCOMPLETE, 2)))
            writer.add(OrganizationClassification(organization_id=cell.pk, year=year, grade=grade,
                                                  classified_by_id=cell.reviewer))
        member_ids = sorted({m[0] for m in cell.members})
        if member_ids and rng.random() < 0.3:
            for member_id in rng.sample(member_ids, min(len(member_ids), rng.randint(1, 2))):
                writer.add(Commendation(
                    organization_id=cell.pk, year=year, awarded_on=awarded_on, kind=Commendation.Kind.CERTIFICATE,
                    issuer="Bí thư Chi bộ", recipient_member_id=member_id, recorded_by_id=cell.secretary,
                    content=f"Có thành tích tiêu biểu trong học tập và làm theo tư tưởng, đạo đức, phong cách "
                            f"Hồ Chí Minh năm {year}",
                ))
        if rng.random() < 0.08:
            writer.add(Commendation(
                organization_id=cell.pk, year=year, awarded_on=awarded_on, kind=Commendation.Kind.CERTIFICATE,
                issuer="Ban Chấp hành Đảng bộ cấp trên", recipient_org_id=cell.pk, recorded_by_id=cell.secretary,
                content=f"Tập thể tiêu biểu trong thực hiện Chỉ thị năm {year}",
            ))
        if rng.random() < 0.1:
            if member_ids and rng.random() < 0.4:
                writer.add(ModelExample(organization_id=cell.pk, year=year, kind=ModelExample.Kind.EXAMPLE,
                                        title="Gương điển hình tiên tiến trong học tập và làm theo Bác",
                                        member_id=rng.choice(member_ids), recorded_by_id=cell.secretary,
                                        description=rng.choice(DEEDS)))
            else:
                writer.add(ModelExample(organization_id=cell.pk, year=year, kind=ModelExample.Kind.MODEL,
                                        title=rng.choice(MODELS), recorded_by_id=cell.secretary,
                                        description="Được cấp ủy cấp trên ghi nhận, nhân rộng."))
    writer.flush(OrganizationClassification, Commendation, ModelExample)


def reset() -> dict[str, int]:
    """Delete what build_year writes (all years), provincial themes included; national themes stay."""
    deleted = {}
    for model in RESET_MODELS:
        deleted[model._meta.label] = model.objects.all().delete()[0]
    deleted["pledges.AnnualTheme"] = AnnualTheme.objects.filter(~Q(province=None)).delete()[0]
    return deleted
