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

from directive03.formats import cited_date, long_date
from organizations.models import Kind, Level, Organization
from organizations.selectors import names_as_of
from organizations.text import clean_text

from .. import rollup
from ..models import Report

SECTION_HEADINGS = {
    "results": "I. KẾT QUẢ THỰC HIỆN",
    "limitations": "II. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN",
    "lessons": "III. BÀI HỌC KINH NGHIỆM",
    "directions": "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ",
    "recommendations": "V. KIẾN NGHỊ, ĐỀ XUẤT",
}

#: The numbered sub-headings of section I, as the seeds lay it out (seed 004: first how the unit led and
#: organized the work, then "Một số kết quả cụ thể là: …" with the figures; seed 002: "1- …", "2- …").
RESULTS_PARTS = ("1. Công tác lãnh đạo, chỉ đạo, tổ chức thực hiện", "2. Những kết quả cụ thể")

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
    """The first year of the term containing `on` (see issue.term_start)."""
    from .issue import term_start as _term_start

    return _term_start(on)


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
    #: notes printed under the table (what is counted how, what changed after approval)
    notes: list[str] = field(default_factory=list)
    #: wide tables (many columns) go on landscape pages
    wide: bool = False
    #: columns holding words, not numbers (left-aligned)
    text_columns: tuple[int, ...] = (0,)
    #: a style of table (document.css): "" or "years" (a narrow first column)
    style: str = ""
    #: "PHỤ LỤC 1" on its own line above the title (set when the annexes are numbered)
    label: str = ""
    #: the table a document laid out in parts is cut in, between its groups (the province's communes
    #: by district-level unit: documents.build.split)
    cut: bool = False


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
    recipients: list[str]
    signature_lines: list[str]
    signer: str
    #: the opening paragraph(s) of section I: the key figures in prose
    opening: list[str] = field(default_factory=list)
    #: section I under its numbered sub-headings (RESULTS_PARTS): (sub-heading, paragraphs)
    parts: list[tuple[str, list[str]]] = field(default_factory=list)
    #: the tables after the signature (Phụ lục), numbered in order
    annexes: list[Annex] = field(default_factory=list)
    #: the line a draft carries above its title (draft_mark_for)
    draft_mark: str = ""

    @property
    def signature_role(self) -> str:
        return self.signature_lines[0] if self.signature_lines else ""

    def all_text(self) -> str:
        parts = [self.superior, self.issuer, self.number_text, self.place_date, self.title, self.subject]
        for index, (heading, paragraphs) in enumerate(self.sections):
            parts.append(heading)
            parts.extend(paragraphs)
            for sub, texts in (self.parts if index == 0 else []):
                parts.append(sub)
                parts.extend(texts)
        parts.extend(self.recipients)
        parts.extend([*self.signature_lines, self.signer])
        for annex in self.annexes:
            parts.extend([annex.label, annex.title, annex.subtitle, *annex.notes])
            for row in [annex.columns, *annex.rows, *([annex.total] if annex.total else [])]:
                parts.append(" ".join(row))
            for group in annex.groups:
                parts.append(group.heading)
                parts.extend(" ".join(row) for row in group.rows)
        return "\n".join(p for p in parts if p)


def report_source(report: Report) -> dict:
    """What the document is built from: the approved snapshot, or the live report for a draft."""
    if report.state == Report.State.APPROVED and report.snapshot:
        return {"sections": report.snapshot["sections"], "figures": report.snapshot["figures"],
                "approved": True, "at": report.snapshot.get("at")}
    return {"sections": {c: getattr(report, c) for c in Report.SECTIONS}, "figures": rollup.effective(report),
            "approved": False, "at": None}


def issue_key(report: Report, doc=None) -> list:
    """How the document is issued, as it would print: its date, who signs and the opening paragraph. The
    report's own document carries them (the consolidated document prints its report's); `doc` None: read it."""
    from ..models import Document
    from . import issue

    issuing = issue.issuing_document(report, doc) if doc is not None else (
        Document.objects.filter(report=report, kind=Document.Kind.REPORT).first())
    signed_as, signer = issue.signer_of(report, issuing)
    dated = doc if doc is not None and doc.issued_on else issuing
    return [str(issue.document_date(report, dated)), signed_as, signer, issuing.opening if issuing else ""]


def source_key(report: Report, doc=None) -> str:
    """Changes whenever the document's content would (compare with Document.source_key): the report's
    content and figures, and how it is issued (date, signer, opening), so a document built before its
    date or signer was changed is out of date and gets rebuilt (its number never changes: build.py)."""
    payload = json.dumps([report.pk, report.state, report_source(report), issue_key(report, doc)],
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", nfc(text)) if p.strip()]


def unit_phrase(report: Report) -> str:
    """Whose work the subject line is about, as the seeds say it: "tại Chi bộ Ban Quản lý các KCN tỉnh Hưng
    Yên" (seed 004, a cell), "của Đảng bộ …" (seed 000, a committee: the party organization it leads)."""
    name = nfc(report.name).strip()
    if report.level == Level.CELL:
        return f"tại {name}"
    return f"của {party_body(name)}"


def subject_of(report: Report) -> str:
    """The subject line (trích yếu): the round's title, the directive it carries out (unless the title names
    it already: "Tổng kết 4 năm thực hiện Chỉ thị số 03-CT/TW…"), then the unit (`unit_phrase`)."""
    rnd = report.round
    directive = rnd.directive
    title = nfc(rnd.title).strip().rstrip(".")
    about = f"ngày {cited_date(directive.issued_on)} của {directive.issuer} về “{directive.title}”"
    if directive.code in title:  # "… thực hiện Chỉ thị số 03-CT/TW": say which one, once
        subject = title if directive.title.lower() in title.lower() else f"{title} {about}"
    elif "chỉ thị" in title.lower():
        subject = title
    else:
        subject = (f"{title} thực hiện Chỉ thị số {directive.code} ngày {cited_date(directive.issued_on)} "
                   f"của {directive.issuer} về “{directive.title}”")
    unit = unit_phrase(report)
    return subject if unit.split(" ", 1)[1].lower() in subject.lower() else f"{subject} {unit}"


def names_date(report: Report) -> dt.date:
    """The one date a document's names, place and issuer line are read at: the round's cut-off (the
    tree the report belongs to), until documents carry an issue date of their own."""
    return report.round.cutoff


def number_placeholder(org: Organization) -> str:
    """A draft has no number yet: the blank is filled when it is issued."""
    return f"Số      -BC/{org.issuer_code}"


def draft_mark_for(report: Report) -> str:
    """What a draft says above its title: a unit's report waits for the level above to approve it; the
    province's own report has no level above in the app: it is final once sent ("ban hành")."""
    if report.parent_id is None:
        return "DỰ THẢO – báo cáo chưa ban hành"
    return "DỰ THẢO – báo cáo chưa được cấp trên duyệt"


def build_content(report: Report, *, doc=None, number_text: str | None = None, issued_on: dt.date | None = None,
                  parents: dict[int, Report] | None = None) -> DocContent:
    """What the report's document says. `doc` (a Document) gives its number, date, signer and opening
    paragraph as issued; without it, the defaults."""
    from . import annexes, issue, opening

    rnd = report.round
    org = report.organization
    src = report_source(report)
    parent = None
    if report.parent_id:
        parent = (parents or {}).get(report.parent_id) or Report.objects.filter(
            round=rnd, organization_id=report.parent_id).only("name").first()
    superior = party_body(parent.name if parent else report.name)
    issuer = "TỈNH ỦY" if report.parent_id is None and org.kind == Kind.TINH_UY else report.name
    if number_text is None:
        number_text = (doc.number_text if doc is not None else "") or number_placeholder(org)
    # the consolidated document is the province's report with more annexes: it prints how the report is issued
    issuing = issue.issuing_document(report, doc) if doc is not None else None
    if issued_on is None:
        issued_on = issue.document_date(report, doc if doc is not None and doc.issued_on else issuing)
    sections = [(SECTION_HEADINGS[code], paragraphs(src["sections"].get(code, ""))) for code in Report.SECTIONS]
    written = issuing.opening if issuing is not None else ""
    opening_text = paragraphs(written) if written.strip() else opening.paragraphs_for(report, src["figures"])
    # section I: how the unit led the work (its own text), then the concrete results (the figures in prose)
    parts = [(RESULTS_PARTS[0], sections[0][1]), (RESULTS_PARTS[1], opening_text)]
    sections[0] = (sections[0][0], [])
    recipients = []
    if parent is not None:
        recipients.append(f"- {parent.name},")
    else:
        recipients.extend(["- Ban Tuyên giáo Trung ương,", "- Thường trực Tỉnh ủy,"])
    recipients.append("- Lưu Văn phòng." if report.level != Level.CELL else "- Lưu Chi bộ.")
    signed_as, signer = issue.signer_of(report, issuing)
    return DocContent(
        superior=vn_upper(superior),
        issuer=vn_upper(issuer),
        number_text=number_text,
        place_date=long_date(issued_on, names_as_of(org, names_date(report)).place_name),
        title="BÁO CÁO",
        subject=nfc(subject_of(report)),
        draft=not src["approved"],
        sections=sections,
        recipients=recipients,
        signature_lines=issue.signature_lines(org, signed_as),
        signer=nfc(signer),
        opening=opening_text,
        parts=parts,
        annexes=annexes.figure_annexes(report, src["figures"], number_text=number_text, issued_on=issued_on),
        draft_mark="" if src["approved"] else draft_mark_for(report),
    )


