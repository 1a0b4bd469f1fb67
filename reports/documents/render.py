"""Turn a DocContent into a PDF (WeasyPrint, through the app-only URL fetcher) or a .docx."""

from __future__ import annotations

import atexit
import dataclasses
import functools
import hashlib
import io
import re
import unicodedata

from django.template.loader import render_to_string

from organizations.text import clean_text

from .content import DocContent

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


STYLESHEET = "documents/document.css"


def render_html(doc: DocContent, *, linked_css: bool = True, annexes_only: bool = False) -> str:
    """The document as HTML. `linked_css=False` leaves out the stylesheet's link: the pipeline passes
    the stylesheet parsed once per process instead (`render_pdf`). `annexes_only`: only the tables
    after the signature (a later part of a document rendered in parts, see `join_parts`)."""
    # autoescape is on: user text is shown as text, never as markup
    html = render_to_string("documents/report.html", {"doc": writable(doc), "linked_css": linked_css,
                                                      "annexes_only": annexes_only})
    return unicodedata.normalize("NFC", html)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """WeasyPrint alone on a whole HTML page, its stylesheet and fonts fetched and parsed for this one
    document: the benchmarks' floor."""
    # imported here: without Pango the app still starts and says what to install (directive03.system)
    from weasyprint import HTML

    from .fetcher import AppOnlyFetcher

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=AppOnlyFetcher()).render()
    return document.write_pdf(), len(document.pages)


_shared: dict[str, object] = {}
atexit.register(_shared.clear)  # the font configuration's files go while the interpreter still can


def resolve_stylesheet() -> str:
    from .fetcher import resolve

    return resolve(f"{BASE_URL}{STYLESHEET}").read_text(encoding="utf-8")


def parse_stylesheet(text: str):
    """A stylesheet parsed with the process's font configuration (the faces it declares loaded once)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from .fetcher import AppOnlyFetcher

    fonts = _shared.setdefault("fonts", FontConfiguration())
    return CSS(string=text, base_url=BASE_URL, url_fetcher=AppOnlyFetcher(), font_config=fonts)


def _sheet_text(extra: str = "") -> str:
    """The stylesheet's text plus `extra` rules, read once per process: what `_stylesheet` parses and
    `part_key` digests are the same text."""
    key = f"text:{extra}"
    if key not in _shared:
        _shared[key] = resolve_stylesheet() + extra
    return _shared[key]


def _stylesheet(extra: str = ""):
    """The document stylesheet (plus `extra` rules) parsed once per process, with the font
    configuration its four faces are loaded into: parsing the CSS and loading the faces cost a
    fifth of a cell's render when done per document (bench/README.md, documents)."""
    key = f"css:{extra}"
    if key not in _shared:
        _shared[key] = parse_stylesheet(_sheet_text(extra))
    return _shared[key]


def layout(html: str, *, extra_css: str = "", sheet=None):
    """Lay out HTML made by `render_html(…, linked_css=False)` with the process's stylesheet (or `sheet`)."""
    from weasyprint import HTML

    from .fetcher import AppOnlyFetcher

    sheet = sheet or _stylesheet(extra_css)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=AppOnlyFetcher()).render(
        stylesheets=[sheet], font_config=_shared["fonts"])


def render_pdf(doc: DocContent) -> tuple[bytes, int]:
    document = layout(render_html(doc, linked_css=False))
    return document.write_pdf(), len(document.pages)


# -- a document in parts -------------------------------------------------------------------------
# A long document is laid out in parts (by separate workers), then joined. Each part is laid out
# without its page numbers; the joined pages get theirs from one pass of the same stylesheet over as
# many empty pages (same sizes), laid over them: the numbering stays the stylesheet's (where, which
# pages, the first page's none), and runs on across the parts.

_MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                 "bottom-left-corner", "bottom-left", "bottom-center", "bottom-right", "bottom-right-corner",
                 "left-top", "left-middle", "left-bottom", "right-top", "right-middle", "right-bottom")
WITHOUT_NUMBERS = "@page { " + " ".join(f"@{box} {{ content: none !important; }}" for box in _MARGIN_BOXES) + " }"


def render_part(html: str) -> bytes:
    """One part of a document in parts (HTML from `render_html(…, linked_css=False)`): no page numbers."""
    return layout(html, extra_css=WITHOUT_NUMBERS).write_pdf()


#: Raise it when something `part_key` cannot see changes how `render_part` lays a part out (its
#: options, the numbering rules above, the fetcher): every stored part is then laid out again.
PART_VERSION = 1
_ASSET_URL = re.compile(r"""url\(\s*["']?(app:/static/[^"')\s]+)""")


def _sheet_key() -> str:
    """sha256 (hex) of what a part is laid out with besides its HTML, once per process: PART_VERSION,
    WeasyPrint's version, the stylesheet's text with the rules of `render_part`, and the bytes of every
    file the stylesheet refers to (its faces)."""
    if "part_key" not in _shared:
        import weasyprint

        from .fetcher import resolve

        text = _sheet_text(WITHOUT_NUMBERS)
        digest = hashlib.sha256(f"{PART_VERSION}\0{weasyprint.__version__}\0{text}".encode())
        for url in sorted(set(_ASSET_URL.findall(text))):
            digest.update(b"\0" + url.encode() + b"\0" + resolve(url).read_bytes())
        _shared["part_key"] = digest.hexdigest()
    return _shared["part_key"]


def part_key(html: str) -> str:
    """sha256 (hex, 64 characters) of everything `render_part(html)` is made from: the part's HTML and
    the stylesheet with its faces (`_sheet_key`). Equal keys give the same laid-out part, so a part
    stored under its key is reused by every build whose part has that HTML (build.build_in_parts)."""
    return hashlib.sha256(f"{_sheet_key()}\0{html}".encode()).hexdigest()


def _numbers_html(landscape: list[bool]) -> str:
    """As many empty pages as the joined document, each of its size (a landscape page is an annex
    page of a wide table, as in the document), for the stylesheet to number."""
    pages = ["<div></div>"] + [f'<section class="annex{" wide" if wide else ""}"></section>'
                               for wide in landscape[1:]]
    return f"<!doctype html><html lang=\"vi\"><body>{''.join(pages)}</body></html>"


@functools.lru_cache(maxsize=8)
def _numbers_pdf(landscape: tuple[bool, ...]) -> bytes:
    """The numbered empty pages for pages of these orientations, laid out once per process: a rebuild
    after an approval usually has the same pages (saves a WeasyPrint pass of the document's length)."""
    return layout(_numbers_html(list(landscape))).write_pdf()


def join_parts(parts: list[bytes]) -> tuple[bytes, int]:
    """The parts' pages in order, numbered continuously by the stylesheet (see above)."""
    from pypdf import PdfReader, PdfWriter

    pages = [page for part in parts for page in PdfReader(io.BytesIO(part)).pages]
    landscape = tuple(float(p.mediabox.width) > float(p.mediabox.height) for p in pages)
    numbers = PdfReader(io.BytesIO(_numbers_pdf(landscape))).pages
    if len(numbers) != len(pages):
        raise RuntimeError(f"numbering {len(pages)} pages made {len(numbers)}")
    writer = PdfWriter()
    for page, number in zip(pages, numbers, strict=True):
        writer.add_page(page).merge_page(number)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(pages)


def render_docx(doc: DocContent) -> bytes:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
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
        para(doc.draft_mark, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc.title, bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc.subject, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para("-----", align=WD_ALIGN_PARAGRAPH.CENTER)
    def body_text(texts):
        for text in texts or ["(Không có nội dung.)"]:
            p = para(text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            p.paragraph_format.first_line_indent = Mm(10)

    for index, (heading, paragraphs) in enumerate(doc.sections):
        para(heading, bold=True)
        if index == 0 and doc.parts:  # section I under its numbered sub-headings
            for sub, texts in doc.parts:
                para(sub, bold=True).paragraph_format.first_line_indent = Mm(10)
                body_text(texts)
        else:
            body_text(paragraphs)
    closing = d.add_table(rows=1, cols=2)
    rec, sig = closing.rows[0].cells
    rec.paragraphs[0].add_run("Nơi nhận:").bold = True
    for line in doc.recipients:
        rec.add_paragraph(line)
    sig.paragraphs[0].text = ""
    lines = [(text, True) for text in doc.signature_lines] + [("", False), ("", False), (doc.signer, True)]
    for i, (text, bold) in enumerate(lines):
        p = sig.paragraphs[0] if i == 0 else sig.add_paragraph()
        p.add_run(text).bold = bold
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for annex in doc.annexes:
        new = d.add_section(WD_SECTION.NEW_PAGE)
        if annex.wide:
            new.orientation = WD_ORIENT.LANDSCAPE
            new.page_width, new.page_height = Mm(297), Mm(210)
        else:
            new.orientation = WD_ORIENT.PORTRAIT
            new.page_width, new.page_height = Mm(210), Mm(297)
        if annex.label:
            para(annex.label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        para(annex.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        if annex.subtitle:
            para(annex.subtitle, italic=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
        body = [annex.columns, *annex.rows] + ([annex.total] if annex.total else [])
        group_rows = set()
        for group in annex.groups:
            group_rows.add(len(body))
            body.append([group.heading] + [""] * (len(annex.columns) - 1))
            body.extend(group.rows + ([group.total] if group.total else []))
        table = d.add_table(rows=len(body), cols=len(annex.columns))
        table.style = "Table Grid"
        # row by row: table.cell(i, j) re-reads the whole grid on every call (quadratic)
        for i, (table_row, values) in enumerate(zip(table.rows, body, strict=True)):
            cells = table_row.cells
            if i in group_rows:
                merged = cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]
                merged.text = values[0]
                continue
            for cell, value in zip(cells, values, strict=True):
                cell.text = value
        for note in annex.notes:
            para(note, italic=True, size=11)
    _page_numbers(d)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _page_numbers(d) -> None:
    """The page number as the PDF puts it (Hướng dẫn 36-HD/VPTW): centred at the top, size 14, from the
    second page on (a PAGE field in the header; the first page has an empty first-page header)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    for index, section in enumerate(d.sections):
        section.header_distance = Mm(10)
        if index == 0:
            section.different_first_page_header_footer = True
        header = section.header
        header.is_linked_to_previous = index > 0
        if index > 0:
            continue
        p = header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run()
        run.font.size = Pt(14)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        text = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "2"
        text.append(t)
        field.append(text)
        run._r.addnext(field)
