"""Turn a DocContent into a PDF (WeasyPrint, through the app-only URL fetcher) or a .docx."""

from __future__ import annotations

import dataclasses
import io
import unicodedata

from django.template.loader import render_to_string

from organizations.text import clean_text

from .content import DocContent
from .fetcher import AppOnlyFetcher

BASE_URL = "app:/static/"


def writable(value):
    """The render boundary: every string of a document's content through the one text cleaner, so
    neither WeasyPrint nor the .docx writer ever sees a character it cannot write (a vertical tab
    or a NUL in a row stored before input was cleaned)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return type(value)(writable(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: writable(getattr(value, f.name))
                                             for f in dataclasses.fields(value)})
    return value


def render_html(doc: DocContent) -> str:
    # autoescape is on: user text is shown as text, never as markup
    html = render_to_string("documents/report.html", {"doc": writable(doc)})
    return unicodedata.normalize("NFC", html)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=AppOnlyFetcher()).render()
    return document.write_pdf(), len(document.pages)


def render_pdf(doc: DocContent) -> tuple[bytes, int]:
    return html_to_pdf(render_html(doc))


def render_docx(doc: DocContent) -> bytes:
    from docx import Document as Docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = writable(doc)
    d = Docx()
    section = d.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    style = d.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)

    def para(text="", *, bold=False, italic=False, size=14, align=None, underline=False):
        p = d.add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        return p

    header = d.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    for cell, lines in (
        (left, [(doc.superior, False, False), (doc.issuer, True, False), ("*", False, False),
                (doc.number_text, False, False)]),
        (right, [("ĐẢNG CỘNG SẢN VIỆT NAM", True, False), (doc.place_date, False, True)]),
    ):
        cell.paragraphs[0].text = ""
        for i, (text, bold, italic) in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            run.underline = cell is right and i == 0
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.draft:
        para("DỰ THẢO – báo cáo chưa được cấp trên duyệt", bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc.title, bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc.subject, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para("-----", align=WD_ALIGN_PARAGRAPH.CENTER)
    for index, (heading, paragraphs) in enumerate(doc.sections):
        para(heading, bold=True)
        if index == 0:
            para("Số liệu chủ yếu", bold=True, italic=True)
            rows = sum(len(r) + 1 for _, r in doc.figure_groups) + 1
            table = d.add_table(rows=rows, cols=2)
            table.style = "Table Grid"
            # row by row: table.cell(i, j) re-reads the whole grid on every call (quadratic)
            body = iter(table.rows)
            head = next(body).cells
            head[0].text, head[1].text = "Chỉ tiêu", "Số liệu"
            for group, figs in doc.figure_groups:
                first, second = next(body).cells
                first.merge(second).text = group
                for label, value in figs:
                    cells = next(body).cells
                    cells[0].text, cells[1].text = label, value
        for text in paragraphs or ["(Không có nội dung.)"]:
            p = para(text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            p.paragraph_format.first_line_indent = Mm(10)
    closing = d.add_table(rows=1, cols=2)
    rec, sig = closing.rows[0].cells
    rec.paragraphs[0].add_run("Nơi nhận:").bold = True
    for line in doc.recipients:
        rec.add_paragraph(line)
    sig.paragraphs[0].text = ""
    for i, (text, bold) in enumerate([(doc.signature_role, True), (doc.signature_title, True), ("", False),
                                      ("", False), (doc.signer, True)]):
        p = sig.paragraphs[0] if i == 0 else sig.add_paragraph()
        p.add_run(text).bold = bold
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for annex in doc.annexes:
        d.add_page_break()
        para(annex.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        if annex.subtitle:
            para(annex.subtitle, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        body = [annex.columns, *annex.rows] + ([annex.total] if annex.total else [])
        for group in annex.groups:
            body.append([group.heading] + [""] * (len(annex.columns) - 1))
            body.extend(group.rows + ([group.total] if group.total else []))
        table = d.add_table(rows=len(body), cols=len(annex.columns))
        table.style = "Table Grid"
        for table_row, values in zip(table.rows, body, strict=True):
            for cell, value in zip(table_row.cells, values, strict=True):
                cell.text = value
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()
