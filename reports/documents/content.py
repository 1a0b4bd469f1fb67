"""What an official document says, independent of its format (the PDF and the .docx use it).

The header, number, place and date, title, sections, figures, "Nơi nhận" and the signature
block follow Hướng dẫn 36-HD/VPTW; the layout itself lives in one template and one stylesheet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

from django.utils import timezone

from directive03.formats import long_date
from organizations.models import Kind, Level, Member, Organization
from organizations.selectors import names_as_of
from organizations.text import clean_text, sort_key

from .. import figures as F_
from .. import rollup
from ..models import Report

SECTION_HEADINGS = {
    "results": "I. KẾT QUẢ THỰC HIỆN",
    "limitations": "II. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN",
    "lessons": "III. BÀI HỌC KINH NGHIỆM",
    "directions": "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ",
    "recommendations": "V. KIẾN NGHỊ, ĐỀ XUẤT",
}

#: Key figures shown as columns of the annex tables.
ANNEX_FIGURES = (
    "members", "pledged_pct", "meetings_pct", "avg_minutes", "exemplary_records",
    "commendations_collective", "commendations_individual", "models", "examples", "members_good_or_better_pct",
)

_BODY_PREFIXES = [
    (r"^Tỉnh ủy ", "Đảng bộ tỉnh "),
    (r"^Thành ủy ", "Đảng bộ thành phố "),
    (r"^Huyện ủy ", "Đảng bộ huyện "),
    (r"^Thị ủy ", "Đảng bộ thị xã "),
    (r"^Đảng ủy ", "Đảng bộ "),
]


def nfc(text: str) -> str:
    """Stored text as a document may show it (rows saved before input was cleaned included)."""
    return clean_text(text or "")


def party_body(name: str) -> str:
    """'Huyện ủy Hòn Đất' -> 'Đảng bộ huyện Hòn Đất': the organization a committee leads."""
    for pattern, replacement in _BODY_PREFIXES:
        if re.match(pattern, name):
            return re.sub(pattern, replacement, name, count=1)
    return name


def vn_upper(text: str) -> str:
    return nfc(text).upper()


def term_start(on: dt.date) -> int:
    """The first year of the five-year term (nhiệm kỳ 2020–2025, 2025–2030…) containing `on`."""
    return on.year - (on.year - 2020) % 5


def signature_role(level: str) -> str:
    if level == Level.CELL:
        return "T/M CHI BỘ"
    if level == Level.COMMUNE:
        return "T/M ĐẢNG ỦY"
    return "T/M BAN THƯỜNG VỤ"  # province and district-level committees act through their standing committee


@dataclass
class AnnexGroup:
    """A block of rows under a heading row, with its subtotal (e.g. the communes of a district)."""

    heading: str
    rows: list[list[str]]
    total: list[str] | None = None


@dataclass
class Annex:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    total: list[str] | None = None
    subtitle: str = ""
    groups: list[AnnexGroup] = field(default_factory=list)


@dataclass
class DocContent:
    superior: str
    issuer: str
    number_text: str
    place_date: str
    title: str
    subject: str
    draft: bool
    sections: list[tuple[str, list[str]]]
    figure_groups: list[tuple[str, list[tuple[str, str]]]]
    recipients: list[str]
    signature_role: str
    signature_title: str
    signer: str
    annexes: list[Annex] = field(default_factory=list)

    def all_text(self) -> str:
        parts = [self.superior, self.issuer, self.number_text, self.place_date, self.title, self.subject]
        for heading, paragraphs in self.sections:
            parts.append(heading)
            parts.extend(paragraphs)
        for group, rows in self.figure_groups:
            parts.append(group)
            parts.extend(f"{a} {b}" for a, b in rows)
        parts.extend(self.recipients)
        parts.extend([self.signature_role, self.signature_title, self.signer])
        return "\n".join(parts)


def report_source(report: Report) -> dict:
    """What the document is built from: the approved snapshot, or the live report for a draft."""
    if report.state == Report.State.APPROVED and report.snapshot:
        return {"sections": report.snapshot["sections"], "figures": report.snapshot["figures"],
                "approved": True, "at": report.snapshot.get("at")}
    return {"sections": {c: getattr(report, c) for c in Report.SECTIONS}, "figures": rollup.effective(report),
            "approved": False, "at": None}


def source_key(report: Report) -> str:
    """Changes whenever the document's content would: compare with Document.source_key."""
    payload = json.dumps([report.pk, report.state, report_source(report)], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", nfc(text)) if p.strip()]


def _secretary(report: Report, org: Organization) -> str:
    if org.secretary_name:
        return org.secretary_name
    if report.level == Level.CELL:
        sec = Member.objects.filter(cell_id=org.pk, position=Member.Position.SECRETARY).order_by("id").first()
        if sec:
            return sec.full_name
    return ""


def names_date(report: Report) -> dt.date:
    """The one date a document's names, place and issuer line are read at: the round's cut-off (the
    tree the report belongs to), until documents carry an issue date of their own."""
    return report.round.cutoff


def build_content(report: Report, *, number_text: str, issued_on: dt.date,
                  parents: dict[int, Report] | None = None) -> DocContent:
    rnd = report.round
    org = report.organization
    src = report_source(report)
    parent = None
    if report.parent_id:
        parent = (parents or {}).get(report.parent_id) or Report.objects.filter(
            round=rnd, organization_id=report.parent_id).only("name").first()
    superior = party_body(parent.name if parent else report.name)
    issuer = "TỈNH ỦY" if report.parent_id is None and org.kind == Kind.TINH_UY else report.name
    directive = rnd.directive
    subject = (f"{rnd.title} thực hiện Chỉ thị số {directive.code} ngày {directive.issued_on:%d/%m/%Y} "
               f"của {directive.issuer} về “{directive.title}”")
    sections = [(SECTION_HEADINGS[code], paragraphs(src["sections"].get(code, ""))) for code in Report.SECTIONS]
    figure_groups = [
        (str(group), [(str(f.label), f.display_value(src["figures"])) for f in figs])
        for group, figs in F_.groups()
    ]
    recipients = []
    if parent is not None:
        recipients.append(f"- {parent.name},")
    else:
        recipients.extend(["- Ban Tuyên giáo Trung ương,", "- Thường trực Tỉnh ủy,"])
    recipients.append("- Lưu Văn phòng." if report.level != Level.CELL else "- Lưu Chi bộ.")
    return DocContent(
        superior=vn_upper(superior),
        issuer=vn_upper(issuer),
        number_text=number_text,
        place_date=long_date(issued_on, names_as_of(org, names_date(report)).place_name),
        title="BÁO CÁO",
        subject=nfc(subject),
        draft=not src["approved"],
        sections=sections,
        figure_groups=figure_groups,
        recipients=recipients,
        signature_role=signature_role(report.level),
        signature_title="BÍ THƯ",
        signer=nfc(_secretary(report, org)),
    )


def _row(name: str, figs: dict) -> list[str]:
    return [nfc(name)] + [F_.BY_CODE[c].display_value(figs) for c in ANNEX_FIGURES]


def consolidated_annexes(report: Report) -> list[Annex]:
    """The province's annex tables: by district-level unit, by commune within each, completeness."""
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
    columns = ["Đơn vị"] + [str(F_.BY_CODE[c].label) for c in ANNEX_FIGURES]
    top = by_parent.get(report.organization_id, [])

    def total_of(children: list[Report]) -> dict:
        return rollup.sum_children(children) | {"cells_expected": 0}

    def value_row(r: Report) -> list[str]:
        if r.state != Report.State.APPROVED:
            return [nfc(r.name)] + ["(chưa duyệt)"] + [""] * (len(ANNEX_FIGURES) - 1)
        return _row(r.name, rollup.effective(r))

    annex1 = Annex(
        title="Phụ lục 1. SỐ LIỆU THEO ĐƠN VỊ TRỰC THUỘC TỈNH",
        columns=columns,
        rows=[value_row(r) for r in top],
        total=_row("Tổng cộng (các đơn vị đã duyệt)", total_of(top)),
    )
    annexes = [annex1]
    by_unit = Annex(title="Phụ lục 2. SỐ LIỆU THEO CƠ SỞ TRONG TỪNG ĐƠN VỊ TRỰC THUỘC TỈNH", columns=columns)
    for unit in top:
        children = by_parent.get(unit.organization_id, [])
        if children:
            by_unit.groups.append(AnnexGroup(
                heading=nfc(unit.name),
                rows=[value_row(r) for r in children],
                total=_row(f"Cộng {unit.name}", total_of(children)),
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
    annexes.append(Annex(
        title="Phụ lục 3. TÌNH HÌNH BÁO CÁO CỦA ĐỢT",
        columns=completeness_cols,
        rows=rows,
        total=["Tổng cộng"] + [str(n) for n in totals],
    ))
    return annexes

