"""The figures of a report, defined once and used everywhere (page, roll-up, PDFs, exports).

Counts are stored; ratios never are: they are recomputed from the summed numerators and
denominators wherever they are shown, so a committee's percentage is never an average.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from directive03 import formats
from pledges.models.yearend import member_grade_label, organization_grade_label


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
    #: Only meaningful for a committee (about its cells): never shown in a cell's own report.
    committee_only: bool = False
    #: How a period of several years counts it: "cutoff" (at the cut-off date), "period" (summed over
    #: the period), "last_year" (the last year of the period), "years" (each year; the sum over the years).
    counted: str = "period"
    #: For classification figures: whose grade ("member", "organization") and which grade, so the
    #: label uses the terms of the year classified.
    graded: str = ""
    grade: str = ""
    #: Also given for each year of a period of several years ('pledged-2012'): the pledges of each year and
    #: the members (key cadres) they are a share of, at the end of that year. The figure itself stays the
    #: last year's (`counted`), and the documents say so.
    by_year: bool = False

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
        factor = 100 if self.display == "percent" else 1
        return formats.ratio(num, den, factor=factor, decimals=self.decimals)

    def display_value(self, figures: Mapping[str, int]) -> str:
        value = self.value(figures)
        if value is None:
            return "–"
        if not self.is_ratio:
            return formats.number(value)
        text = formats.decimal_text(value, self.decimals)
        return f"{text}%" if self.display == "percent" else text


G_ORG = _("Tổ chức và đảng viên")
G_PLEDGE = _("Đăng ký làm theo")
G_MEETING = _("Sinh hoạt chi bộ")
G_RESULT = _("Kết quả làm theo")
G_CLASS = _("Đánh giá, xếp loại")
G_CHECK = _("Kiểm tra, kỷ luật")

FIGURES: tuple[Figure, ...] = (
    Figure("members", _("Số đảng viên"), G_ORG, unit=_("đảng viên"), counted="cutoff", by_year=True),
    Figure("key_cadres", _("Cán bộ chủ chốt"), G_ORG, unit=_("đồng chí"), counted="cutoff", by_year=True),
    Figure("cells_expected", _("Chi bộ phải báo cáo"), G_ORG, source="structure", unit=_("chi bộ"),
           committee_only=True, counted="cutoff"),
    Figure("cells_reporting", _("Chi bộ có báo cáo được duyệt"), G_ORG, unit=_("chi bộ"), committee_only=True,
           counted="cutoff"),
    Figure("reporting_pct", _("Tỷ lệ chi bộ có báo cáo được duyệt"), G_ORG, source="ratio",
           numerator=("cells_reporting",), denominator=("cells_expected",), committee_only=True, counted="cutoff"),
    Figure("pledged", _("Đảng viên đăng ký làm theo"), G_PLEDGE, unit=_("đảng viên"), counted="last_year",
           by_year=True),
    Figure("pledged_pct", _("Tỷ lệ đảng viên đăng ký"), G_PLEDGE, source="ratio",
           numerator=("pledged",), denominator=("members",), counted="last_year", by_year=True),
    Figure("pledged_set_example", _("Đăng ký “nêu gương”"), G_PLEDGE, unit=_("đảng viên"), counted="last_year",
           by_year=True),
    # the share of key cadres who registered: a secretary or deputy who is not a key cadre may
    # register "nêu gương" too, so pledged_set_example / key_cadres could pass 100%
    Figure("key_cadres_set_example", _("Cán bộ chủ chốt đăng ký “nêu gương”"), G_PLEDGE, unit=_("đồng chí"),
           counted="last_year", by_year=True),
    Figure("pledged_set_example_pct", _("Tỷ lệ cán bộ chủ chốt đăng ký “nêu gương”"), G_PLEDGE,
           source="ratio", numerator=("key_cadres_set_example",), denominator=("key_cadres",), counted="last_year",
           by_year=True),
    Figure("pledged_exemplary", _("Đăng ký “gương mẫu thực hiện”"), G_PLEDGE, unit=_("đảng viên"), counted="last_year",
           by_year=True),
    Figure("pledged_exemplary_pct", _("Tỷ lệ đăng ký “gương mẫu thực hiện”"), G_PLEDGE, source="ratio",
           numerator=("pledged_exemplary",), denominator=("members",), counted="last_year", by_year=True),
    Figure("collective_pledges", _("Chi bộ có bản đăng ký tập thể"), G_PLEDGE, unit=_("chi bộ"), committee_only=True,
           counted="last_year", by_year=True),
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
    # by kind, counted in the year they reward ("năm thành tích"), whenever the decision came
    Figure("commendations_merit", _("Bằng khen"), G_RESULT, unit=_("khen thưởng")),
    Figure("commendations_certificate", _("Giấy khen"), G_RESULT, unit=_("khen thưởng")),
    Figure("commendations_other", _("Hình thức khen thưởng khác"), G_RESULT, unit=_("khen thưởng")),
    Figure("models", _("Mô hình, cách làm hay"), G_RESULT, unit=_("mô hình")),
    Figure("examples", _("Gương điển hình tiên tiến"), G_RESULT, unit=_("gương")),
    Figure("members_excellent", _("Đảng viên hoàn thành xuất sắc nhiệm vụ"), G_CLASS, unit=_("đảng viên"),
           counted="years", graded="member", grade="excellent"),
    Figure("members_good", _("Đảng viên hoàn thành tốt nhiệm vụ"), G_CLASS, unit=_("đảng viên"),
           counted="years", graded="member", grade="good"),
    Figure("members_complete", _("Đảng viên hoàn thành nhiệm vụ"), G_CLASS, unit=_("đảng viên"),
           counted="years", graded="member", grade="complete"),
    Figure("members_incomplete", _("Đảng viên không hoàn thành nhiệm vụ"), G_CLASS, unit=_("đảng viên"),
           counted="years", graded="member", grade="incomplete"),
    Figure("members_good_or_better_pct", _("Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên"), G_CLASS,
           source="ratio", numerator=("members_excellent", "members_good"),
           denominator=("members_excellent", "members_good", "members_complete", "members_incomplete"),
           counted="years"),
    Figure("cells_excellent", _("Chi bộ hoàn thành xuất sắc nhiệm vụ"), G_CLASS, unit=_("chi bộ"),
           committee_only=True, counted="years", graded="organization", grade="excellent"),
    Figure("cells_good", _("Chi bộ hoàn thành tốt nhiệm vụ"), G_CLASS, unit=_("chi bộ"),
           committee_only=True, counted="years", graded="organization", grade="good"),
    Figure("cells_complete", _("Chi bộ hoàn thành nhiệm vụ"), G_CLASS, unit=_("chi bộ"),
           committee_only=True, counted="years", graded="organization", grade="complete"),
    Figure("cells_incomplete", _("Chi bộ không hoàn thành nhiệm vụ"), G_CLASS, unit=_("chi bộ"),
           committee_only=True, counted="years", graded="organization", grade="incomplete"),
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


YEAR_SEP = "-"


def empty() -> dict[str, int]:
    return dict.fromkeys(STORED, 0)


def yearly(code: str, year: int) -> str:
    """The key of a figure for one year of a period: 'members_good@2012'."""
    return f"{code}{YEAR_SEP}{year}"


def split_code(code: str) -> tuple[str, int | None]:
    base, sep, year = code.partition(YEAR_SEP)
    return (base, int(year)) if sep and year.isdigit() else (code, None)


def yearly_keys(figures: Mapping[str, int]) -> list[str]:
    return [k for k in figures if YEAR_SEP in k]


def years_of(figures: Mapping[str, int], codes: Iterable[str] | None = None) -> list[int]:
    """The years a period's figures carry one by one (empty for a period of one year or less); `codes`:
    only the years some of these figures are given for."""
    wanted = set(codes) if codes is not None else None
    return sorted({y for k in yearly_keys(figures) if (parts := split_code(k))[1] is not None
                   and (wanted is None or parts[0] in wanted) for y in [parts[1]]})


#: The classification figures, given for each year (a row per year).
CLASSIFIED: tuple[str, ...] = tuple(f.code for f in FIGURES if f.counted == "years")
#: The stored pledge figures given for each year, and the members they are a share of.
PLEDGES_BY_YEAR: tuple[str, ...] = tuple(f.code for f in FIGURES if f.by_year and not f.is_ratio)


def classification_years(figures: Mapping[str, int]) -> list[int]:
    return years_of(figures, CLASSIFIED)


def pledge_years(figures: Mapping[str, int]) -> list[int]:
    return years_of(figures, ("pledged",))


def add(total: dict[str, int], other: Mapping[str, int], codes: Iterable[str] = SUMMED) -> dict[str, int]:
    """Add `other`'s figures to `total`: the given codes, and every figure of a single year."""
    for code in codes:
        total[code] = total.get(code, 0) + int(other.get(code, 0) or 0)
    for code in yearly_keys(other):
        total[code] = total.get(code, 0) + int(other.get(code, 0) or 0)
    return total


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def label_for(fig: Figure, year: int | None) -> str:
    """The figure's label; a grade in the terms in force in `year`."""
    if year is None or not fig.graded:
        return str(fig.label)
    if fig.graded == "member":
        return str(_("Đảng viên %(term)s")) % {"term": _lower_first(member_grade_label(fig.grade, year))}
    return str(_("Chi bộ %(term)s")) % {"term": _lower_first(organization_grade_label(fig.grade, year))}


def in_terms(fig: Figure, years: list[int]) -> Figure:
    """A period's figure labelled in the terms of its years: a 2014 round's "Chi bộ trong sạch, vững mạnh";
    over several years, the sum of the years (the terms of each, when they changed)."""
    if not fig.graded or not years or split_code(fig.code)[1] is not None:
        return fig
    names: list[str] = []
    for year in years:
        if (name := label_for(fig, year)) not in names:
            names.append(name)
    label = " / ".join(names)
    if len(years) > 1:
        label = str(_("%(label)s (lượt, cộng các năm)")) % {"label": label}
    return replace(fig, label=label)


def figure_for(code: str) -> Figure | None:
    """The figure of a code, including a figure of one year ('members_good@2012'), labelled in that
    year's terms; None for an unknown code."""
    base, year = split_code(code)
    fig = BY_CODE.get(base)
    if fig is None or year is None:
        return fig if year is None else None
    if fig.counted != "years" and not fig.by_year:
        return None
    return replace(fig, code=code, label=label_for(fig, year),
                   numerator=tuple(yearly(c, year) for c in fig.numerator),
                   denominator=tuple(yearly(c, year) for c in fig.denominator))


def shown(fig: Figure, level: str) -> bool:
    """Whether a figure means something in a report of `level` (a cell's report has no committee figure)."""
    return not (fig.committee_only and level == "cell")


def groups(level: str | None = None) -> list[tuple[Promise, list[Figure]]]:
    out: list[tuple[Promise, list[Figure]]] = []
    for fig in FIGURES:
        if level is not None and not shown(fig, level):
            continue
        if not out or out[-1][0] != fig.group:
            out.append((fig.group, []))
        out[-1][1].append(fig)
    return out


def per_year(figures: Mapping[str, int], level: str | None = None) -> list[tuple[int, list[Figure]]]:
    """The classification of each year of a period: (year, its figures in that year's terms)."""
    out = []
    for year in classification_years(figures):
        figs = [figure_for(yearly(f.code, year)) for f in FIGURES if f.counted == "years"]
        out.append((year, [f for f in figs if f is not None and (level is None or shown(f, level))]))
    return out


def pledges_per_year(figures: Mapping[str, int], level: str | None = None) -> list[tuple[int, list[Figure]]]:
    """The pledges of each year of a period: (year, the pledge figures of that year, with the members at
    that year's end they are a share of)."""
    out = []
    for year in pledge_years(figures):
        figs = [figure_for(yearly(f.code, year)) for f in FIGURES if f.by_year]
        out.append((year, [f for f in figs if f is not None and (level is None or shown(f, level))]))
    return out


def diff(before: Mapping[str, int], after: Mapping[str, int]) -> list[tuple[Figure, int, int]]:
    """Stored figures whose value differs: (figure, before, after)."""
    codes = list(STORED) + sorted(set(yearly_keys(before)) | set(yearly_keys(after)))
    out = []
    for code in codes:
        # a figure added after `before` was frozen is not a change of the data
        if before and code not in before:
            continue
        if int(before.get(code, 0)) != int(after.get(code, 0)):
            fig = figure_for(code)
            if fig is not None:
                out.append((fig, int(before.get(code, 0)), int(after.get(code, 0))))
    return out
