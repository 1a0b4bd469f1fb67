"""The opening paragraph of section I, written from the figures as real reports state them
("… có 11 lượt đảng viên được ghi vào Sổ …, 03 đảng viên được tặng Giấy khen …", seed 004).
The unit may rewrite it before issuing (Document.opening); the full tables go to the annex."""

from __future__ import annotations

from collections.abc import Mapping

from directive03.formats import cited_date, number
from organizations.models import Level

from .. import figures as F_
from ..models import Report
from .content import party_body


def count(value: int) -> str:
    """Counts from 1 to 9 are written with a leading zero in Party documents ('03 đảng viên'); none is '0'."""
    return f"{value:02d}" if 0 < value < 10 else number(value)


def _pct(code: str, figures: Mapping[str, int]) -> str | None:
    fig = F_.figure_for(code)
    return None if fig is None or fig.value(figures) is None else fig.display_value(figures)


def _commendations(figures: Mapping[str, int]) -> str:
    kinds = [(figures.get("commendations_merit", 0), "Bằng khen"),
             (figures.get("commendations_certificate", 0), "Giấy khen"),
             (figures.get("commendations_other", 0), "hình thức khen thưởng khác")]
    parts = [f"{count(n)} {label}" for n, label in kinds if n]
    total = figures.get("commendations_individual", 0) + figures.get("commendations_collective", 0)
    if not total:
        return ""
    who = []
    if figures.get("commendations_individual"):
        who.append(f"{count(figures['commendations_individual'])} lượt cá nhân")
    if figures.get("commendations_collective"):
        who.append(f"{count(figures['commendations_collective'])} lượt tập thể")
    text = f"{count(total)} lượt khen thưởng ({', '.join(who)}"
    return text + (f"; gồm {', '.join(parts)})" if parts else ")")


def paragraphs_for(report: Report, figures: Mapping[str, int]) -> list[str]:
    rnd = report.round
    is_cell = report.level == Level.CELL
    unit = "Chi bộ" if is_cell else party_body(report.name)
    first, last = rnd.period_start.year, rnd.period_end.year
    span = f"Trong {last - first + 1} năm ({first}–{last})" if last > first else f"Trong kỳ báo cáo ({rnd.title})"
    if not figures:
        return []
    # one paragraph per subject, as the seeds give them: the unit and its meetings; the pledges; the results
    # (records, commendations, models); the classification
    unit_part: list[str] = []
    pledge_part: list[str] = []
    result_part: list[str] = []
    class_part: list[str] = []
    members = figures.get("members", 0)
    reporting, expected_cells = figures.get("cells_reporting", 0), figures.get("cells_expected", 0)
    # a committee's figures are the sums over its approved reports: while some cells are missing, say whose
    # figures they are (not "the provincial committee has 65 members" when it has 652)
    partial = not is_cell and expected_cells and reporting < expected_cells
    if partial and not reporting:
        head = (f"{span}, chưa có chi bộ nào trong {count(expected_cells)} chi bộ có báo cáo được duyệt, "
                "nên chưa có số liệu tổng hợp")
    elif partial:
        head = (f"{span}, số liệu được tổng hợp từ báo cáo đã được duyệt của {count(reporting)}/"
                f"{count(expected_cells)} chi bộ ({_pct('reporting_pct', figures) or '–'}); các chi bộ này có "
                f"{count(members)} đảng viên (tại ngày {cited_date(rnd.cutoff)})")
    else:
        head = f"{span}, {unit} có {count(members)} đảng viên (tại ngày {cited_date(rnd.cutoff)})"
    if figures.get("key_cadres") and reporting:
        head += f", trong đó {count(figures['key_cadres'])} đồng chí là cán bộ chủ chốt"
    unit_part.append(head)
    if not is_cell and expected_cells and not partial:
        cells = "Các chi bộ trực thuộc" if report.level == Level.COMMUNE else "Các chi bộ trong Đảng bộ"
        unit_part.append(
            f"{cells} đã báo cáo: {count(figures.get('cells_reporting', 0))}/"
            f"{count(figures['cells_expected'])} chi bộ có báo cáo được duyệt ({_pct('reporting_pct', figures) or '–'})")
    held, expected = figures.get("meetings_held", 0), figures.get("meetings_expected", 0)
    if expected:
        meeting = (f"{'Chi bộ' if is_cell else 'Các chi bộ'} đã tổ chức {count(held)}/{count(expected)} kỳ sinh "
                   f"hoạt có nội dung học tập và làm theo")
        if _pct("avg_minutes", figures):
            meeting += f", bình quân {_pct('avg_minutes', figures)} phút mỗi kỳ"
        if _pct("attendance_pct", figures):
            meeting += f"; tỷ lệ đảng viên dự sinh hoạt đạt {_pct('attendance_pct', figures)}"
        unit_part.append(meeting)
    pledge_years = F_.pledge_years(figures)
    if pledge_years:  # several years: each year's share, the year named (the annex has the full table)
        rates = []
        for y in pledge_years:
            pct = _pct(F_.yearly("pledged_pct", y), figures)
            rates.append(f"năm {y}: {pct or '–'}")
        if any(figures.get(F_.yearly("pledged", y)) for y in pledge_years):
            pledge_part.append("Tỷ lệ đảng viên đăng ký học tập và làm theo " + "; ".join(rates))
            cadres = [f"năm {y}: {_pct(F_.yearly('pledged_set_example_pct', y), figures)}" for y in pledge_years
                      if figures.get(F_.yearly("key_cadres", y)) and _pct(F_.yearly("pledged_set_example_pct", y),
                                                                          figures)]
            if cadres:
                pledge_part.append("Tỷ lệ cán bộ chủ chốt đăng ký “nêu gương” " + "; ".join(cadres))
    elif figures.get("pledged"):  # nobody registered: the annex says 0, the prose says nothing
        pledge = f"Năm {last}, {_pct('pledged_pct', figures)} đảng viên đăng ký làm theo"
        if figures.get("key_cadres") and _pct("pledged_set_example_pct", figures):
            pledge += f"; {_pct('pledged_set_example_pct', figures)} cán bộ chủ chốt đăng ký “nêu gương”"
        pledge_part.append(pledge)
    results = []
    if figures.get("exemplary_records"):
        results.append(f"{count(figures['exemplary_records'])} lượt đảng viên được ghi vào sổ người tốt, việc tốt")
    commended = _commendations(figures)
    if commended:
        results.append(commended)
    if figures.get("models"):
        results.append(f"{count(figures['models'])} mô hình, cách làm hay")
    if figures.get("examples"):
        results.append(f"{count(figures['examples'])} gương điển hình tiên tiến")
    if results:
        result_part.append(("Trong thời gian qua" if last > first else "Trong kỳ") + ", có " + "; ".join(results))
    years = F_.classification_years(figures)
    if years:  # the years nobody was classified in (not entered yet) are left out
        rates = [f"năm {y}: {pct}" for y in years
                 if (pct := _pct(F_.yearly("members_good_or_better_pct", y), figures))]
        if rates:
            class_part.append("Tỷ lệ đảng viên được đánh giá, xếp loại hoàn thành tốt nhiệm vụ trở lên "
                              + "; ".join(rates))
    elif _pct("members_good_or_better_pct", figures):
        class_part.append(f"{_pct('members_good_or_better_pct', figures)} đảng viên được đánh giá, xếp loại "
                          "hoàn thành tốt nhiệm vụ trở lên")
    out = [". ".join(part) + "." for part in (unit_part, pledge_part, result_part, class_part) if part]
    out[-1] += " Số liệu chi tiết tại phụ lục kèm theo."
    return out
