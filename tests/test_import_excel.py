"""Issue 11 item 4: what Excel does to a member list, read as the user meant it.

- a card number typed as a number loses its leading zero (01234567 shows as 1234567);
- a table's borders drawn far below the data make thousands of empty rows;
- a "Chi bộ" cell merged over three rows holds its value in the first row only.
"""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl.styles import Border, Side

from organizations import imports
from organizations.models import Member

from .factories import MemberFactory
from .test_import import confirm, csv_file, latest_batch, row, upload, xlsx_file


def workbook_bytes(rows, *, merge=None, border_cell=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Đảng viên"
    ws.append(imports.HEADERS)
    for r in rows:
        ws.append(list(r))
    if merge:
        ws.merge_cells(merge)
    if border_cell:
        thin = Side(style="thin")
        ws[border_cell].border = Border(left=thin, right=thin, top=thin, bottom=thin)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_rows_appended(content: bytes, extra_rows_xml: str) -> bytes:
    """The same .xlsx with raw <row> elements added at the end of the first sheet's data."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", extra_rows_xml.encode() + b"</sheetData>")
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            target.writestr(info, data)
    return out.getvalue()


@pytest.fixture
def sec_a(client, world):
    client.force_login(world.users.sec_a)
    return client


# -- card numbers ------------------------------------------------------------------------------------

def test_a_card_typed_as_a_number_matches_the_member_with_the_leading_zero(sec_a, world):
    member = MemberFactory(cell=world.a, card_number="01234567", full_name="Đỗ Thu Lệ")
    rows = [row(1234567, "Đỗ Thu Lệ", year=member.birth_year)]  # an int in the .xlsx, as Excel stores it
    before = Member.objects.count()
    page = upload(sec_a, world.a, xlsx_file(rows)).content.decode()
    assert "0 mới, 0 cập nhật" in page
    assert "Số thẻ đọc là 01234567" in page
    confirm(sec_a, world.a, latest_batch())
    assert Member.objects.count() == before
    assert list(Member.objects.filter(full_name="Đỗ Thu Lệ").values_list("card_number", flat=True)) == ["01234567"]


def test_a_card_saved_as_csv_by_excel_matches_too(sec_a, world):
    MemberFactory(cell=world.a, card_number="00045678", full_name="Lê Văn Tám")
    page = upload(sec_a, world.a, csv_file([row("45678", "Lê Văn Tám")])).content.decode()
    assert "0 mới, 1 cập nhật" in page and "Số thẻ đọc là 00045678" in page  # joined date differs: an update


def test_a_new_card_typed_as_a_number_gets_its_zeros(sec_a, world):
    page = upload(sec_a, world.a, xlsx_file([row(7654321.0, "Phan Văn Mới")])).content.decode()
    assert "1 mới, 0 cập nhật" in page and "Số thẻ đọc là 07654321" in page
    confirm(sec_a, world.a, latest_batch())
    assert Member.objects.get(full_name="Phan Văn Mới").card_number == "07654321"


def test_a_short_card_that_exists_as_typed_stays_as_typed(sec_a, world):
    MemberFactory(cell=world.a, card_number="00123", full_name="Hồ Thị Đào")
    page = upload(sec_a, world.a, csv_file([row("00123", "Hồ Thị Đào")])).content.decode()
    assert "Số thẻ đọc là" not in page and "0 mới, 1 cập nhật" in page


def test_the_same_card_with_and_without_zeros_in_one_file_is_a_duplicate(sec_a, world):
    page = upload(sec_a, world.a, xlsx_file([row("01234567"), row(1234567, "Người Khác")])).content.decode()
    assert "Số thẻ 01234567 trùng với dòng 2." in page


# -- empty rows after the data -----------------------------------------------------------------------

def test_borders_drawn_down_to_row_25000_are_not_data(sec_a, world):
    content = workbook_bytes([row("40000001", "Trương Văn Một"), row("40000002", "Trương Văn Hai")],
                             border_cell="A4")
    style = re.search(rb'<c r="A4" s="(\d+)"', zipfile.ZipFile(io.BytesIO(content)).read(
        "xl/worksheets/sheet1.xml")).group(1).decode()
    columns = "ABCDEFGHIJ"
    extra = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="{style}"/>' for c in columns) + "</row>"
        for r in range(5, 25_001)
    )
    big = with_rows_appended(content, extra)
    page = upload(sec_a, world.a, SimpleUploadedFile("vien-den-25000.xlsx", big)).content.decode()
    assert "2 mới, 0 cập nhật" in page
    assert "quá nhiều" not in page
    confirm(sec_a, world.a, latest_batch())
    assert Member.objects.filter(card_number__in=["40000001", "40000002"]).count() == 2


def test_blank_lines_after_the_data_of_a_csv_are_not_data(sec_a, world):
    file = csv_file([row("40100001")])
    data = file.read() + b",,,,,,,,,\r\n" * 30_000
    page = upload(sec_a, world.a, SimpleUploadedFile("trong.csv", data)).content.decode()
    assert "1 mới, 0 cập nhật" in page


# -- merged cells --------------------------------------------------------------------------------------

def test_a_chi_bo_cell_merged_over_three_rows_names_each_row(client, world):
    client.force_login(world.users.admin_c1)
    rows = [row("40200001", "Vũ Văn Một", cell="Chi bộ ấp Xà Ngách"), row("40200002", "Vũ Văn Hai"),
            row("40200003", "Vũ Văn Ba"), row("40200004", "Vũ Văn Bốn", cell="Chi bộ ấp Hòn Quéo")]
    column = "ABCDEFGHIJ"[imports.HEADERS.index("Chi bộ")]
    content = workbook_bytes(rows, merge=f"{column}2:{column}4")
    page = upload(client, world.c1, SimpleUploadedFile("gop-o.xlsx", content)).content.decode()
    assert "Chưa ghi chi bộ" not in page and "4 mới, 0 cập nhật" in page
    confirm(client, world.c1, latest_batch())
    cells = dict(Member.objects.filter(card_number__startswith="402000").values_list("card_number", "cell__name"))
    assert cells == {"40200001": "Chi bộ ấp Xà Ngách", "40200002": "Chi bộ ấp Xà Ngách",
                     "40200003": "Chi bộ ấp Xà Ngách", "40200004": "Chi bộ ấp Hòn Quéo"}
