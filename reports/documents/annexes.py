"""The tables after the signature (Phụ lục): a report's figures, the classification of each year, and the
province's consolidated tables. Every figure of one document comes from one source: the approved
snapshots; a figure that changed after approval is marked where it appears."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils import timezone

from directive03.formats import cited_date
from organizations.models import Level
from organizations.text import sort_key
from pledges.models.yearend import Grade, GradeTerms, organization_grade_label, terms_of

from .. import figures as F_
from .. import rollup
from ..models import Report
from .content import ANNEX_FIGURES, Annex, AnnexGroup, nfc

PLEDGE_TITLE = "ĐĂNG KÝ HỌC TẬP VÀ LÀM THEO TỪNG NĂM"
CHANGED_MARK = "(*)"
CHANGED_NOTE = ("(*) Số liệu của đơn vị đã thay đổi sau khi được duyệt; bảng ghi số liệu đã duyệt "
                "(số hiện tại ghi trong ngoặc).")
PERIOD_COUNTING = {
    "cutoff": "tính tại ngày chốt số liệu {cutoff}",
    "last_year": "tính năm {last}",
    "period": "cộng cả giai đoạn {first}–{last}",
    "years": "tính từng năm (số cộng là lượt đảng viên, chi bộ của các năm)",
}


def counting_note(report: Report, level: str, *, pledges_by_year: bool = False) -> str:
    """What each figure counts over the round's period, in words."""
    rnd = report.round
    first, last = rnd.period_start.year, rnd.period_end.year
    values = {"cutoff": cited_date(rnd.cutoff), "first": first, "last": last}
    members = "Số đảng viên, cán bộ chủ chốt" + (", chi bộ phải báo cáo" if level != Level.CELL else "")
    if first == last:
        return (f"Ghi chú: {members} tính tại ngày chốt số liệu {values['cutoff']}; sinh hoạt chi bộ tính từ "
                f"{cited_date(rnd.period_start)} đến {cited_date(min(rnd.period_end, rnd.cutoff))}; khen thưởng "
                f"tính theo năm thành tích.")
    parts = [
        f"{members} {PERIOD_COUNTING['cutoff'].format(**values)}",
        f"đăng ký làm theo {PERIOD_COUNTING['last_year'].format(**values)}"
        + (f" (từng năm ở phụ lục “{PLEDGE_TITLE}”)" if pledges_by_year else ""),
        "kỳ sinh hoạt, lượt ghi sổ người tốt, việc tốt, khen thưởng (theo năm thành tích), mô hình, điển hình, "
        f"kiểm tra {PERIOD_COUNTING['period'].format(**values)}",
        f"đánh giá, xếp loại {PERIOD_COUNTING['years']}",
    ]
    return "Ghi chú: " + "; ".join(parts) + "."


def figures_annex(report: Report, figures: Mapping[str, int]) -> Annex:
    """Every figure the report's level means something for, grouped."""
    level = report.level
    years = rollup.classification_years(report.round)
    groups = []
    pledge_years = F_.pledge_years(figures)
    for group, figs in F_.groups(level):
        rows = [[str(f.label), f.display_value(figures)] for f in (F_.in_terms(f, years) for f in figs)]
        if level == Level.CELL and group == F_.G_CLASS and len(years) == 1:
            rows.append([f"Chi bộ được xếp loại năm {years[0]}", own_grade(figures, years[0], single=True)])
        heading = str(group)
        if group == F_.G_PLEDGE and pledge_years:
            # over several years the pledges are the last year's here; every year's are in their own annex
            heading = f"{heading} năm {pledge_years[-1]} (từng năm ở phụ lục “{PLEDGE_TITLE}”)"
        groups.append(AnnexGroup(heading=heading, rows=rows))
    return Annex(title="SỐ LIỆU CHỦ YẾU", columns=["Chỉ tiêu", "Số liệu"], groups=groups,
                 notes=[counting_note(report, level, pledges_by_year=bool(pledge_years))])


def own_grade(figures: Mapping[str, int], year: int, *, single: bool = False) -> str:
    """A cell's own grade for `year` (its cells_* figure is 1 for that grade), in that year's terms."""
    for grade in ("excellent", "good", "complete", "incomplete"):
        code = f"cells_{grade}" if single else F_.yearly(f"cells_{grade}", year)
        if figures.get(code, 0):
            return organization_grade_label(grade, year)
    return "chưa xếp loại"


GRADES = ("excellent", "good", "complete", "incomplete")


def _terms(year: int, prefix: str) -> list[str]:
    """Column headings: the terms of the four grades in `year` ('Đảng viên hoàn thành tốt nhiệm vụ')."""
    return [F_.figure_for(F_.yearly(f"{prefix}_{grade}", year)).label for grade in GRADES]


def terms_note(years: list[int], *, cells: bool) -> str:
    """When the terms changed within the period: each period's terms and the rule that set them, so a row of
    2012 reads in the terms of 2012 (the columns are named in the terms of the last year)."""
    periods: list[tuple[GradeTerms, list[int]]] = []
    for year in years:
        terms = terms_of(year)
        if periods and periods[-1][0] is terms:
            periods[-1][1].append(year)
        else:
            periods.append((terms, [year]))
    if len(periods) < 2:
        return ""
    parts = []
    for terms, in_force in periods:
        span = str(in_force[0]) if len(in_force) == 1 else f"{in_force[0]}–{in_force[-1]}"
        members = "; ".join(f"“{str(terms.member[g])}”" for g in Grade)
        text = f"năm {span} ({terms.source}): đảng viên {members}"
        if cells:
            text += "; tổ chức đảng " + "; ".join(f"“{str(terms.organization[g])}”" for g in Grade)
        parts.append(text)
    return ("Ghi chú: các mức xếp loại theo quy định của từng năm, cột ghi theo tên gọi năm "
            f"{years[-1]} — " + " | ".join(parts) + ".")


def classification_annex(report: Report, figures: Mapping[str, int]) -> Annex | None:
    """A row per year: how many members (and, for a committee, cells) got each grade, in that year's terms."""
    years = F_.per_year(figures, report.level)
    if not years:
        return None
    last = years[-1][0]
    columns = ["Năm", *_terms(last, "members"), "Tỷ lệ hoàn thành tốt nhiệm vụ trở lên"]
    rows = []
    for year, _figs in years:
        codes = [F_.yearly(f"members_{g}", year) for g in ("excellent", "good", "complete", "incomplete")]
        pct = F_.figure_for(F_.yearly("members_good_or_better_pct", year))
        rows.append([str(year), *[F_.BY_CODE["members"].display_value({"members": figures.get(c, 0)})
                                  for c in codes], pct.display_value(figures)])
    whom = "ĐẢNG VIÊN" if report.level == Level.CELL else "ĐẢNG VIÊN VÀ CHI BỘ"  # a committee: its cells too
    annex = Annex(title=f"KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI {whom} TỪNG NĂM", columns=columns, rows=rows, wide=True,
                  style="years")
    if report.level == Level.CELL:
        # the cell's own grade each year, in that year's terms
        annex.columns.append("Xếp loại chi bộ")
        annex.text_columns = (0, len(annex.columns) - 1)
        for row, (year, _figs) in zip(annex.rows, years, strict=True):
            row.append(own_grade(figures, year))
    else:
        annex.columns.extend(_terms(last, "cells"))
        for row, (year, _figs) in zip(annex.rows, years, strict=True):
            row.extend(str(figures.get(F_.yearly(f"cells_{g}", year), 0)) for g in GRADES)
    note = terms_note([y for y, _figs in years], cells=report.level != Level.CELL)
    if note:
        annex.notes.append(note)
    return annex


def pledge_annex(report: Report, figures: Mapping[str, int]) -> Annex | None:
    """A row per year of a period of several years: the members at that year's end and how many registered
    their pledge that year (each kind), with the shares; a committee adds its cells' collective plans."""
    years = F_.pledges_per_year(figures, report.level)
    if not years:
        return None
    codes = ["members", "pledged", "pledged_pct", "key_cadres", "key_cadres_set_example", "pledged_set_example_pct",
             "pledged_exemplary", "pledged_exemplary_pct"]
    if report.level != Level.CELL:
        codes.append("collective_pledges")
    columns = ["Năm", "Đảng viên (cuối năm)", "Đăng ký làm theo", "Tỷ lệ", "Cán bộ chủ chốt (cuối năm)",
               "Cán bộ chủ chốt đăng ký “nêu gương”", "Tỷ lệ", "Đăng ký “gương mẫu thực hiện”", "Tỷ lệ"]
    if report.level != Level.CELL:
        columns.append("Chi bộ có bản đăng ký tập thể")
    rows = []
    for year, _figs in years:
        row = [str(year)]
        for code in codes:
            fig = F_.figure_for(F_.yearly(code, year))
            row.append(fig.display_value(figures) if fig is not None else "–")
        rows.append(row)
    last = years[-1][0]
    on = min(dt.date(last, 12, 31), report.round.cutoff)
    notes = [f"Ghi chú: đảng viên, cán bộ chủ chốt của mỗi năm tính tại ngày 31/12 năm đó (năm {last}: ngày "
             f"{cited_date(on)}); đăng ký làm theo là bản đăng ký của năm đó."]
    return Annex(title=PLEDGE_TITLE, columns=columns, rows=rows, notes=notes, wide=True, style="years")


def figure_annexes(report: Report, figures: Mapping[str, int], *, number_text: str,
                   issued_on: dt.date) -> list[Annex]:
    out = [figures_annex(report, figures)]
    for annex in (classification_annex(report, figures), pledge_annex(report, figures)):
        if annex is not None:
            out.append(annex)
    return number(out, number_text, issued_on)


def number(annexes: list[Annex], number_text: str, issued_on: dt.date, start: int = 1) -> list[Annex]:
    """An annex laid out as Party documents lay it out: "PHỤ LỤC 1" on its own line, the title below it, then
    "(Kèm theo Báo cáo số 01-BC/CB, ngày 15/01/2015)"."""
    attached = f"(Kèm theo Báo cáo {number_text.replace('Số', 'số', 1)}, ngày {cited_date(issued_on)})"
    for i, annex in enumerate(annexes, start=start):
        annex.label = annex.label or f"PHỤ LỤC {i}"
        annex.subtitle = annex.subtitle or attached
    return annexes


# -- the province's consolidated tables -------------------------------------------------------

def _live(report: Report) -> dict:
    return {**report.figures, **{k: v for k, v in (report.typed_figures or {}).items() if v is not None}}


def _row(name: str, figs: Mapping[str, int], live: Mapping[str, int] | None = None) -> list[str]:
    """A unit's row: its approved figures; a column whose current value differs is marked."""
    cells = [nfc(name)]
    for code in ANNEX_FIGURES:
        fig = F_.BY_CODE[code]
        text = fig.display_value(figs)
        if live is not None and fig.value(figs) != fig.value(live):
            text = f"{text} {CHANGED_MARK} ({fig.display_value(live)})"
        cells.append(text)
    return cells


def _unit_row(r: Report) -> list[str]:
    if r.state != Report.State.APPROVED:
        return [nfc(r.name)] + ["(chưa duyệt)"] + [""] * (len(ANNEX_FIGURES) - 1)
    return _row(r.name, rollup.effective(r), _live(r) if r.snapshot else None)


def column_label(fig: F_.Figure, rnd) -> str:
    """A column's heading; over several years it says which year (pledges) or that the years are added up
    (classification), as the figures annex does."""
    first, last = rnd.period_start.year, rnd.period_end.year
    if first == last:
        return str(fig.label)
    if fig.counted == "last_year":
        return f"{fig.label} năm {last}"
    if fig.counted == "years":
        return f"{fig.label} (cộng các năm {first}–{last})"
    return str(fig.label)


def consolidated_annexes(report: Report, start: int = 1) -> list[Annex]:
    """The province's tables: by district-level unit, by commune within each, completeness.

    A unit's totals are its own approved figures, the same in every table (Phụ lục by unit and the
    subtotal of its communes), never a sum recomputed now."""
    rnd = report.round
    reports = list(Report.objects.filter(round=rnd).only(
        "id", "organization_id", "parent_id", "tree_path", "level", "name", "state", "figures",
        "typed_figures", "snapshot", "submitted_at"))
    by_parent: dict[int | None, list[Report]] = {}
    for r in reports:
        by_parent.setdefault(r.parent_id, []).append(r)
    for r in reports:
        r.round = rnd  # for is_late() without a query per report
    for group in by_parent.values():
        group.sort(key=lambda r: sort_key(r.name))
    own = next((r for r in reports if r.pk == report.pk), report)
    columns = ["Đơn vị"] + [column_label(F_.BY_CODE[c], rnd) for c in ANNEX_FIGURES]
    top = by_parent.get(report.organization_id, [])
    marked = any(CHANGED_MARK in cell for r in reports for cell in _unit_row(r))
    notes = [CHANGED_NOTE] if marked else []

    def total_row(unit: Report, label: str) -> list[str]:
        if unit.state == Report.State.APPROVED and unit.snapshot:
            return _row(label, rollup.effective(unit), _live(unit))
        return _row(label, rollup.effective(unit))

    annex1 = Annex(
        title="SỐ LIỆU THEO ĐƠN VỊ TRỰC THUỘC TỈNH", columns=columns, rows=[_unit_row(r) for r in top],
        total=total_row(own, "Tổng cộng (các đơn vị đã duyệt)"), notes=list(notes), wide=True,
    )
    annexes = [annex1]
    by_unit = Annex(title="SỐ LIỆU THEO CƠ SỞ TRONG TỪNG ĐƠN VỊ TRỰC THUỘC TỈNH", columns=columns, wide=True,
                    cut=True,  # a document in parts is cut in this table, between districts
                    notes=[*notes, "Dòng “Cộng” của mỗi đơn vị là số liệu đơn vị đó đã báo cáo và được duyệt, "
                           "như ở phụ lục trước."])
    for unit in top:
        children = by_parent.get(unit.organization_id, [])
        if children:
            by_unit.groups.append(AnnexGroup(
                heading=nfc(unit.name), rows=[_unit_row(r) for r in children],
                total=total_row(unit, f"Cộng {unit.name}") if unit.state == Report.State.APPROVED
                else [f"Cộng {nfc(unit.name)}", "(chưa duyệt)"] + [""] * (len(ANNEX_FIGURES) - 1),
            ))
    if by_unit.groups:
        annexes.append(by_unit)
    completeness_cols = ["Đơn vị", "Số đơn vị phải báo cáo", "Đã gửi", "Đã duyệt", "Bị trả lại", "Chưa gửi",
                         "Nộp muộn / quá hạn"]
    rows, totals = [], [0, 0, 0, 0, 0, 0]
    today = timezone.localdate()
    for unit in top:
        below = [r for r in reports if r.tree_path.startswith(unit.tree_path)]
        counts = [
            len(below),
            sum(r.state == Report.State.SUBMITTED for r in below),
            sum(r.state == Report.State.APPROVED for r in below),
            sum(r.state == Report.State.RETURNED for r in below),
            sum(r.state == Report.State.DRAFT for r in below),
            sum(r.is_late(today) for r in below),
        ]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        rows.append([nfc(unit.name)] + [str(n) for n in counts])
    annexes.append(Annex(title="TÌNH HÌNH BÁO CÁO CỦA ĐỢT", columns=completeness_cols, rows=rows,
                         total=["Tổng cộng"] + [str(n) for n in totals], wide=True))
    return annexes
