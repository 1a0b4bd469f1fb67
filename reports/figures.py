"""The figures of a report, defined once and used everywhere (page, roll-up, PDFs, exports).

Counts are stored; ratios never are: they are recomputed from the summed numerators and
denominators wherever they are shown, so a committee's percentage is never an average.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from directive03 import formats


@dataclass(frozen=True)
class Figure:
    code: str
    label: Promise
    group: Promise
    #: How a cell gets the figure: "records" (computed from its records), "typed" (entered by
    #: the unit), "structure" (from the round's tree), "ratio" (derived, never stored).
    source: str = "records"
    unit: str = ""
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    #: ratio display: "percent" or "average"
    display: str = "percent"
    decimals: int = 1

    @property
    def is_ratio(self) -> bool:
        return self.source == "ratio"

    @property
    def is_typed(self) -> bool:
        return self.source == "typed"

    def value(self, figures: Mapping[str, int]) -> Decimal | int | None:
        """None when unknown: a zero denominator, or a figure these figures do not carry at all
        (a report approved before the figure existed keeps its frozen figures as they were)."""
        if figures and any(c not in figures for c in (self.numerator + self.denominator or (self.code,))):
            return None
        if not self.is_ratio:
            return figures.get(self.code, 0)
        num = sum(figures.get(c, 0) for c in self.numerator)
        den = sum(figures.get(c, 0) for c in self.denominator)
        if not den:
            return None
        factor = 100 if self.display == "percent" else 1
        return (Decimal(num) * factor / Decimal(den)).quantize(Decimal(1).scaleb(-self.decimals))

    def display_value(self, figures: Mapping[str, int]) -> str:
        value = self.value(figures)
        if value is None:
            return "–"
        if not self.is_ratio:
            return formats.number(value)
        text = formats.number(value, self.decimals)
        if self.decimals and text.endswith("," + "0" * self.decimals):
            text = text[: -(self.decimals + 1)]
        return f"{text}%" if self.display == "percent" else text


G_ORG = _("Tổ chức và đảng viên")
G_PLEDGE = _("Đăng ký làm theo")
G_MEETING = _("Sinh hoạt chi bộ")
G_RESULT = _("Kết quả làm theo")
G_CLASS = _("Đánh giá, xếp loại")
G_CHECK = _("Kiểm tra, kỷ luật")

FIGURES: tuple[Figure, ...] = (
    Figure("members", _("Số đảng viên"), G_ORG, unit=_("đảng viên")),
    Figure("key_cadres", _("Cán bộ chủ chốt"), G_ORG, unit=_("đồng chí")),
    Figure("cells_expected", _("Chi bộ phải báo cáo"), G_ORG, source="structure", unit=_("chi bộ")),
    Figure("cells_reporting", _("Chi bộ có báo cáo được duyệt"), G_ORG, unit=_("chi bộ")),
    Figure("reporting_pct", _("Tỷ lệ chi bộ có báo cáo được duyệt"), G_ORG, source="ratio",
           numerator=("cells_reporting",), denominator=("cells_expected",)),
    Figure("pledged", _("Đảng viên đăng ký làm theo"), G_PLEDGE, unit=_("đảng viên")),
    Figure("pledged_pct", _("Tỷ lệ đảng viên đăng ký"), G_PLEDGE, source="ratio",
           numerator=("pledged",), denominator=("members",)),
    Figure("pledged_set_example", _("Đăng ký “nêu gương”"), G_PLEDGE, unit=_("đảng viên")),
    # the share of key cadres who registered: a secretary or deputy who is not a key cadre may
    # register "nêu gương" too, so pledged_set_example / key_cadres could pass 100%
    Figure("key_cadres_set_example", _("Cán bộ chủ chốt đăng ký “nêu gương”"), G_PLEDGE, unit=_("đồng chí")),
    Figure("pledged_set_example_pct", _("Tỷ lệ cán bộ chủ chốt đăng ký “nêu gương”"), G_PLEDGE,
           source="ratio", numerator=("key_cadres_set_example",), denominator=("key_cadres",)),
    Figure("pledged_exemplary", _("Đăng ký “gương mẫu thực hiện”"), G_PLEDGE, unit=_("đảng viên")),
    Figure("pledged_exemplary_pct", _("Tỷ lệ đăng ký “gương mẫu thực hiện”"), G_PLEDGE, source="ratio",
           numerator=("pledged_exemplary",), denominator=("members",)),
    Figure("collective_pledges", _("Chi bộ có bản đăng ký tập thể"), G_PLEDGE, unit=_("chi bộ")),
    Figure("meetings_expected", _("Kỳ sinh hoạt phải tổ chức (chi bộ × tháng)"), G_MEETING, unit=_("kỳ")),
    Figure("meetings_held", _("Kỳ sinh hoạt có nội dung Chỉ thị"), G_MEETING, unit=_("kỳ")),
    Figure("meetings_pct", _("Tỷ lệ kỳ sinh hoạt có nội dung Chỉ thị"), G_MEETING, source="ratio",
           numerator=("meetings_held",), denominator=("meetings_expected",)),
    Figure("directive_minutes", _("Tổng thời lượng học tập, làm theo"), G_MEETING, unit=_("phút")),
    Figure("avg_minutes", _("Thời lượng bình quân mỗi kỳ (phút)"), G_MEETING, source="ratio",
           numerator=("directive_minutes",), denominator=("meetings_held",), display="average", decimals=0),
    Figure("attendance_present", _("Lượt đảng viên dự sinh hoạt"), G_MEETING, unit=_("lượt")),
    Figure("attendance_expected", _("Lượt đảng viên phải dự"), G_MEETING, unit=_("lượt")),
    Figure("attendance_pct", _("Tỷ lệ dự sinh hoạt"), G_MEETING, source="ratio",
           numerator=("attendance_present",), denominator=("attendance_expected",)),
    Figure("exemplary_records", _("Lượt đảng viên được ghi vào sổ người tốt, việc tốt"), G_RESULT, unit=_("lượt")),
    Figure("criticised", _("Lượt đảng viên bị phê bình do chưa làm theo"), G_RESULT, unit=_("lượt")),
    Figure("commendations_collective", _("Tập thể được khen thưởng"), G_RESULT, unit=_("tập thể")),
    Figure("commendations_individual", _("Cá nhân được khen thưởng"), G_RESULT, unit=_("cá nhân")),
    Figure("models", _("Mô hình, cách làm hay"), G_RESULT, unit=_("mô hình")),
    Figure("examples", _("Gương điển hình tiên tiến"), G_RESULT, unit=_("gương")),
    Figure("members_excellent", _("Đảng viên hoàn thành xuất sắc nhiệm vụ"), G_CLASS, unit=_("đảng viên")),
    Figure("members_good", _("Đảng viên hoàn thành tốt nhiệm vụ"), G_CLASS, unit=_("đảng viên")),
    Figure("members_complete", _("Đảng viên hoàn thành nhiệm vụ"), G_CLASS, unit=_("đảng viên")),
    Figure("members_incomplete", _("Đảng viên không hoàn thành nhiệm vụ"), G_CLASS, unit=_("đảng viên")),
    Figure("members_good_or_better_pct", _("Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên"), G_CLASS,
           source="ratio", numerator=("members_excellent", "members_good"),
           denominator=("members_excellent", "members_good", "members_complete", "members_incomplete")),
    Figure("cells_excellent", _("Chi bộ hoàn thành xuất sắc nhiệm vụ"), G_CLASS, unit=_("chi bộ")),
    Figure("cells_good", _("Chi bộ hoàn thành tốt nhiệm vụ"), G_CLASS, unit=_("chi bộ")),
    Figure("cells_complete", _("Chi bộ hoàn thành nhiệm vụ"), G_CLASS, unit=_("chi bộ")),
    Figure("cells_incomplete", _("Chi bộ không hoàn thành nhiệm vụ"), G_CLASS, unit=_("chi bộ")),
    Figure("inspections", _("Cuộc kiểm tra, giám sát việc thực hiện Chỉ thị"), G_CHECK, source="typed",
           unit=_("cuộc")),
    Figure("disciplinary_cases", _("Đảng viên bị kỷ luật"), G_CHECK, source="typed", unit=_("trường hợp")),
    Figure("complaints", _("Đơn thư khiếu nại, tố cáo cán bộ, đảng viên"), G_CHECK, source="typed", unit=_("đơn")),
)

BY_CODE: dict[str, Figure] = {f.code: f for f in FIGURES}
#: The figures stored in a report (everything but the ratios).
STORED: tuple[str, ...] = tuple(f.code for f in FIGURES if not f.is_ratio)
TYPED: tuple[str, ...] = tuple(f.code for f in FIGURES if f.is_typed)
SUMMED: tuple[str, ...] = tuple(f.code for f in FIGURES if f.source in ("records", "typed"))


def empty() -> dict[str, int]:
    return dict.fromkeys(STORED, 0)


def add(total: dict[str, int], other: Mapping[str, int], codes: Iterable[str] = SUMMED) -> dict[str, int]:
    for code in codes:
        total[code] = total.get(code, 0) + int(other.get(code, 0) or 0)
    return total


def groups() -> list[tuple[Promise, list[Figure]]]:
    out: list[tuple[Promise, list[Figure]]] = []
    for fig in FIGURES:
        if not out or out[-1][0] != fig.group:
            out.append((fig.group, []))
        out[-1][1].append(fig)
    return out


def diff(before: Mapping[str, int], after: Mapping[str, int]) -> list[tuple[Figure, int, int]]:
    """Stored figures whose value differs: (figure, before, after)."""
    return [
        (BY_CODE[code], int(before.get(code, 0)), int(after.get(code, 0)))
        for code in STORED
        # a figure added after `before` was frozen is not a change of the data
        if (code in before or not before) and int(before.get(code, 0)) != int(after.get(code, 0))
    ]
