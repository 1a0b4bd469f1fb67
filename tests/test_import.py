"""Member import (upload → preview → confirm) and export for a cell or a commune."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import unicodedata

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from organizations import imports, services
from organizations.models import ImportBatch, Member, Membership

from .factories import MemberFactory

HEADERS = imports.HEADERS


def row(card, name="Nguyễn Văn Mới", *, gender="Nam", year=1985, joined="19/05/2010", status="Chính thức",
        position="Đảng viên", key="Không", cell=""):
    return [card, name, gender, year, joined, status, position, key, cell]


def xlsx_file(rows, header=HEADERS, name="danh-sach.xlsx"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def csv_file(rows, header=HEADERS, *, encoding="utf-8-sig", delimiter=",", name="danh-sach.csv"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for r in rows:
        writer.writerow(r)
    data = cp1258(out.getvalue()) if encoding == "cp1258" else out.getvalue().encode(encoding)
    return SimpleUploadedFile(name, data)


def cp1258(text):
    """Windows' Vietnamese code page: base letters precomposed, tone marks as combining characters."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def url(name, org, **kwargs):
    return reverse(f"organizations:{name}", kwargs={"pk": org.pk, **kwargs})


def upload(client, org, file):
    """Post the file; the task that reads it runs when the upload's transaction commits; then the page
    the user lands on (the preview, or the form with the file's error)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url("import_upload", org), {"file": file})
    if response.status_code != 302:
        return response
    return client.get(response["Location"], follow=True)


def latest_batch():
    return ImportBatch.objects.order_by("-pk").first()


def confirm(client, org, batch):
    return client.post(url("import_preview", org, batch_id=batch.pk), {"action": "confirm"}, follow=True)


@pytest.fixture
def sec_a(client, world):
    client.force_login(world.users.sec_a)
    return client


@pytest.fixture
def admin_c1(client, world):
    client.force_login(world.users.admin_c1)
    return client


# -- happy paths ---------------------------------------------------------------------------

def test_cell_import_from_xlsx_creates_and_updates(sec_a, world):
    known = world.members_a[0]
    rows = [
        row("90000001", "Nguyễn Thị Hoa", gender="Nữ", joined=dt.date(2012, 3, 2), key="Có", position="Chi ủy viên"),
        row(known.card_number, "Trần Thị Ánh Mới", year=known.birth_year, cell="chi bo ap hon queo"),
    ]
    before = Member.objects.count()
    response = upload(sec_a, world.a, xlsx_file(rows))
    assert response.status_code == 200
    batch = latest_batch()
    assert batch.errors == []
    assert "1 mới, 1 cập nhật" in response.content.decode()
    assert Member.objects.count() == before  # nothing written before the confirmation

    response = confirm(sec_a, world.a, batch)
    assert response.redirect_chain[-1][0] == url("detail", world.a)
    assert "Đã nhập danh sách đảng viên: 1 mới, 1 cập nhật." in response.content.decode()
    assert Member.objects.count() == before + 1
    hoa = Member.objects.get(card_number="90000001")
    assert (hoa.full_name, hoa.gender, hoa.joined_on, hoa.cell, hoa.is_key_cadre, hoa.position) == (
        "Nguyễn Thị Hoa", Member.Gender.FEMALE, dt.date(2012, 3, 2), world.a, True, Member.Position.COMMITTEE)
    assert hoa.search_key == "nguyen thi hoa"
    assert Membership.objects.get(member=hoa).start == timezone.localdate()
    known.refresh_from_db()
    assert known.full_name == "Trần Thị Ánh Mới" and known.search_key == "tran thi anh moi"
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.updated_count) == ("applied", 1, 1)


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("utf-8", ","), ("utf-8", ";")])
def test_cell_import_from_csv(sec_a, world, encoding, delimiter):
    header = ["  so the DANG vien ", "HỌ VÀ TÊN", "giới tính", "Năm sinh", "Ngày vào đảng", "Tình trạng",
              "Chức vụ", "Cán bộ chủ chốt", "Chi bộ"]
    rows = [row("90000002", "Lê Văn Tâm", joined="1/9/2015", status="dự bị", key="không"),
            row("90000003", "Lê Thị Na\u0300", gender="nữ")]  # NFD: stored NFC
    response = upload(sec_a, world.a, csv_file(rows, header, encoding=encoding, delimiter=delimiter))
    assert "2 mới, 0 cập nhật" in response.content.decode()
    confirm(sec_a, world.a, latest_batch())
    tam = Member.objects.get(card_number="90000002")
    assert tam.joined_on == dt.date(2015, 9, 1) and tam.status == Member.Status.PROBATIONARY
    assert Member.objects.get(card_number="90000003").full_name == "Lê Thị Nà"


def test_commune_import_across_two_cells_moves_members_with_history(admin_c1, world):
    mover = world.members_a[1]
    rows = [
        row("91000001", "Đặng Văn A", cell="Chi bộ ấp Hòn Quéo"),
        row("91000002", "Đặng Văn B", cell="CHI BO AP XA NGACH"),
        row(mover.card_number, mover.full_name, year=mover.birth_year, joined=mover.joined_on.strftime("%d/%m/%Y"),
            cell="Chi bộ ấp Xà Ngách"),
    ]
    response = upload(admin_c1, world.c1, xlsx_file(rows))
    body = response.content.decode()
    assert "2 mới, 1 cập nhật" in body and "Chuyển từ Chi bộ ấp Hòn Quéo" in body
    confirm(admin_c1, world.c1, latest_batch())
    assert Member.objects.get(card_number="91000001").cell == world.a
    assert Member.objects.get(card_number="91000002").cell == world.b
    mover.refresh_from_db()
    assert mover.cell == world.b
    history = list(Membership.objects.filter(member=mover).order_by("start").values_list("cell", "end"))
    assert history == [(world.a.pk, timezone.localdate()), (world.b.pk, None)]


def test_a_member_who_left_comes_back_through_the_import(sec_a, world):
    leaver = world.members_x[0]
    services.member_transfer(member=leaver, to_cell=None, on=dt.date(2024, 1, 1))
    rows = [row(leaver.card_number, leaver.full_name, year=leaver.birth_year, joined="19/05/2010")]
    assert "Chuyển đến" in upload(sec_a, world.a, xlsx_file(rows)).content.decode()
    confirm(sec_a, world.a, latest_batch())
    leaver.refresh_from_db()
    assert (leaver.cell, leaver.left_on) == (world.a, None)
    assert Membership.objects.filter(member=leaver).count() == 2


def test_a_member_cannot_move_twice_on_one_day(admin_c1, world):
    upload(admin_c1, world.c1, xlsx_file([row("91100001", cell="Chi bộ ấp Hòn Quéo")]))
    confirm(admin_c1, world.c1, latest_batch())
    assert_refused(admin_c1, world.c1, xlsx_file([row("91100001", cell="Chi bộ ấp Xà Ngách")]),
                   "vừa bắt đầu sinh hoạt tại Chi bộ ấp Hòn Quéo hôm nay")


def test_reimport_updates_without_duplicating(sec_a, world):
    rows = [row("92000001", "Võ Thị Sáu"), row("92000002", "Võ Văn Kiệt")]
    upload(sec_a, world.a, xlsx_file(rows))
    confirm(sec_a, world.a, latest_batch())
    count = Member.objects.count()

    response = upload(sec_a, world.a, xlsx_file(rows))
    assert "0 mới, 0 cập nhật" in response.content.decode()
    rows[1][6] = "Bí thư"
    response = upload(sec_a, world.a, xlsx_file(rows))
    assert "0 mới, 1 cập nhật" in response.content.decode()
    confirm(sec_a, world.a, latest_batch())
    assert Member.objects.count() == count
    assert Member.objects.get(card_number="92000002").position == Member.Position.SECRETARY
    assert Membership.objects.filter(member__card_number__in=["92000001", "92000002"]).count() == 2


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("unit", ["a", "c1"])
def test_an_exported_file_reimports_unchanged(client, world, fmt, unit):
    org = getattr(world, unit)
    client.force_login(world.users.admin_c1)
    MemberFactory(cell=world.a, full_name="Hồ Thị Đào", gender=Member.Gender.FEMALE, card_number="00123",
                  status=Member.Status.PROBATIONARY, position=Member.Position.DEPUTY, is_key_cadre=True)
    response = client.get(url("members_export", org), {"format": fmt})
    assert response.status_code == 200
    content = b"".join(response) if response.streaming else response.content
    before = list(Member.objects.order_by("pk").values())
    response = upload(client, org, SimpleUploadedFile(f"export.{fmt}", content))
    batch = latest_batch()
    assert batch.errors == []
    expected = 4 if unit == "a" else 6
    summary = imports.batch_summary(batch)
    assert (summary["same"], summary["create"], summary["update"], summary["move"]) == (expected, 0, 0, 0)
    confirm(client, org, latest_batch())
    assert list(Member.objects.order_by("pk").values()) == before


def test_the_template_has_the_columns_and_instructions(sec_a, world):
    response = sec_a.get(url("import_template", world.a))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb["Đảng viên"][1]] == HEADERS
    assert "Hướng dẫn" in wb.sheetnames
    # uploaded as is, it holds no member
    response = upload(sec_a, world.a, SimpleUploadedFile("mau.xlsx", response.content))
    assert "không có đảng viên nào" in response.content.decode()


# -- refusals: a clear Vietnamese message and nothing imported -----------------------------

def assert_refused(client, org, file, *messages):
    before = Member.objects.count()
    batches = ImportBatch.objects.count()
    response = upload(client, org, file)
    body = response.content.decode()
    for message in messages:
        assert message in body
    batch = latest_batch() if ImportBatch.objects.count() > batches else None
    if batch is not None:
        assert batch.errors
        confirm(client, org, batch)
        batch.refresh_from_db()
        assert batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.FAILED)
    assert Member.objects.count() == before
    return body


def test_wrong_columns(sec_a, world):
    header = [h for h in HEADERS if h != "Năm sinh"] + ["Quê quán"]
    body = assert_refused(sec_a, world.a, xlsx_file([], header=header),
                          "Các cột của tệp không đúng mẫu.", "Thiếu cột: “Năm sinh”", "Cột không đúng tên: “Quê quán”")
    assert latest_batch().status == ImportBatch.Status.FAILED and not latest_batch().rows
    assert "is-invalid" in body  # shown on the form


def test_bad_dates_and_years(sec_a, world):
    next_year = timezone.localdate().year + 1
    rows = [
        row("93000001", joined="31/02/2010"),
        row("93000002", joined="2010-05-19"),
        row("93000003", joined=f"01/01/{next_year}"),
        row("93000004", year=1990, joined="19/05/2005"),
        row("93000005", year="19x0"),
        row("93000006", joined=""),
        row("93000007", joined="19/05/2010"),  # fine, but the file has errors
    ]
    body = assert_refused(
        sec_a, world.a, csv_file(rows),
        "Ngày “31/02/2010” không có trên lịch.",
        "Ngày “2010-05-19” không đúng dạng ngày/tháng/năm (dd/mm/yyyy)",
        "ở sau ngày hôm nay",
        "quá sớm so với năm sinh 1990 (phải từ năm 2006 trở đi)",
        "Năm sinh “19x0” không hợp lệ",
        "Không được để trống.",
        "Tệp có 6 lỗi.",
    )
    assert "Xác nhận nhập" not in body


def test_unknown_values_and_empty_required_fields(sec_a, world):
    rows = [row("93100001", gender="Khác", status="Tạm", position="Trưởng", key="x"), row("", "")]
    assert_refused(sec_a, world.a, xlsx_file(rows), "Giá trị “Khác” không hợp lệ; chỉ nhận “Nam” / “Nữ”.",
                   "chỉ nhận “Chính thức” / “Dự bị”", "Không được để trống.")


def test_duplicate_rows(sec_a, world):
    rows = [row("94000001"), row("94000002"), row("94000001", "Người Khác")]
    assert_refused(sec_a, world.a, xlsx_file(rows), "Số thẻ 94000001 trùng với dòng 2.")


def test_a_member_of_another_unit_is_refused(client, world):
    other = world.members_b[0]
    client.force_login(world.users.sec_a)  # cannot see cell B: its name is not shown
    body = assert_refused(client, world.a, xlsx_file([row(other.card_number)]), "là của đảng viên thuộc đơn vị khác")
    assert "Xà Ngách" not in body
    client.force_login(world.users.admin_c1)  # can see it
    assert_refused(client, world.a, xlsx_file([row(other.card_number)]),
                   f"Số thẻ {other.card_number} là của đảng viên đang sinh hoạt tại Chi bộ ấp Xà Ngách")


def test_a_commune_file_must_name_its_cells(admin_c1, world):
    rows = [row("95000001", cell=""), row("95000002", cell="Chi bộ khu phố 3")]
    assert_refused(admin_c1, world.c1, xlsx_file(rows), "Chưa ghi chi bộ", "Không có chi bộ “Chi bộ khu phố 3”")


def test_a_cell_file_names_only_that_cell(sec_a, world):
    assert_refused(sec_a, world.a, xlsx_file([row("95100001", cell="Chi bộ ấp Xà Ngách")]),
                   "không phải chi bộ đang nhập")


def test_a_5_mb_random_file(sec_a, world):
    body = assert_refused(sec_a, world.a, SimpleUploadedFile("rac.xlsx", os.urandom(5 * 1024 * 1024)),
                          "Tệp quá lớn (5,0 MB). Dung lượng tối đa là 2 MB.")
    assert not ImportBatch.objects.exists()
    assert "is-invalid" in body


@pytest.mark.parametrize("name", ["rac.xlsx", "rac.csv", "rac.bin"])
def test_a_small_random_file(sec_a, world, name):
    assert_refused(sec_a, world.a, SimpleUploadedFile(name, os.urandom(100_000)),
                   "Tệp không đúng định dạng .xlsx hoặc .csv.")


def test_a_damaged_xlsx(sec_a, world):
    content = xlsx_file([row("96000001")]).read()
    assert_refused(sec_a, world.a, SimpleUploadedFile("hong.xlsx", content[: len(content) // 2]),
                   "Tệp không đúng định dạng .xlsx hoặc .csv.")


@pytest.mark.parametrize("encoding", ["cp1258", "utf-16"])
def test_a_csv_not_in_utf8(sec_a, world, encoding):
    file = csv_file([row("97000001", "Nguyễn Văn Đức")], encoding=encoding)
    assert_refused(sec_a, world.a, file, "Tệp CSV không dùng bảng mã UTF-8", "CSV UTF-8")


def test_a_formula_in_an_xlsx_cell(sec_a, world):
    rows = [row("98000001", '=HYPERLINK("http://evil.example","Bấm vào")'), row("98000002", year="=1900+85")]
    assert_refused(sec_a, world.a, xlsx_file(rows), "Ô có công thức; chỉ được ghi giá trị, không dùng công thức.")
    assert_refused(sec_a, world.a, csv_file(rows),
                   "Giá trị không được bắt đầu bằng = + - @ (dễ bị hiểu là công thức).")


@pytest.mark.parametrize("name", ["+84 Nguyễn", "-Nguyễn", "@SUM(A1)"])
def test_a_text_that_a_spreadsheet_would_run(sec_a, world, name):
    assert_refused(sec_a, world.a, csv_file([row("98100001", name)]), "dễ bị hiểu là công thức")


def test_too_many_rows_and_too_long_text(sec_a, world, settings):
    rows = [row(f"9{i:07d}") for i in range(imports.MAX_ROWS + 1)]
    assert_refused(sec_a, world.a, csv_file(rows), "mỗi lần chỉ nhập tối đa 5.000 dòng")
    assert_refused(sec_a, world.a, csv_file([row("98200001", "A" * 121)]), "Quá dài (tối đa 120 ký tự).")


def test_a_batch_with_errors_cannot_be_confirmed_by_a_forged_post(sec_a, world):
    upload(sec_a, world.a, xlsx_file([row("99000001"), row("99000002", joined="32/13/2010")]))
    batch = latest_batch()
    assert batch.errors
    before = Member.objects.count()
    response = confirm(sec_a, world.a, batch)
    assert "Tệp còn lỗi nên không nhập được." in response.content.decode()
    assert Member.objects.count() == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING


def test_a_batch_is_applied_once(sec_a, world):
    upload(sec_a, world.a, xlsx_file([row("99100001")]))
    batch = latest_batch()
    confirm(sec_a, world.a, batch)
    response = confirm(sec_a, world.a, batch)
    assert "đã được xác nhận hoặc đã hủy" in response.content.decode()
    assert Member.objects.filter(card_number="99100001").count() == 1


def test_a_batch_is_checked_again_on_confirmation(sec_a, world):
    upload(sec_a, world.a, xlsx_file([row("99200001")]))
    batch = latest_batch()
    MemberFactory(cell=world.b, card_number="99200001")  # meanwhile registered in cell B
    response = confirm(sec_a, world.a, batch)
    assert "là của đảng viên thuộc đơn vị khác" in response.content.decode()
    assert Member.objects.get(card_number="99200001").cell == world.b


def test_discard(sec_a, world):
    upload(sec_a, world.a, xlsx_file([row("99300001")]))
    batch = latest_batch()
    response = sec_a.post(url("import_preview", world.a, batch_id=batch.pk), {"action": "discard"}, follow=True)
    assert "Đã hủy lần nhập" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    confirm(sec_a, world.a, batch)
    assert not Member.objects.filter(card_number="99300001").exists()


# -- permissions -----------------------------------------------------------------------------

def test_outsider_gets_404_everywhere(client, world):
    client.force_login(world.users.sec_a)
    upload(client, world.a, xlsx_file([row("99400001")]))
    batch = latest_batch()
    client.force_login(world.users.outsider)
    for name, kwargs in [("members_export", {}), ("import_template", {}), ("import_upload", {}),
                         ("import_preview", {"batch_id": batch.pk})]:
        assert client.get(url(name, world.a, **kwargs)).status_code == 404


def test_reader_gets_403_on_import_and_200_on_export(client, world):
    client.force_login(world.users.commune1)  # reviewer of commune C1: reads, does not manage members
    for org in (world.c1, world.a):
        assert client.get(url("import_upload", org)).status_code == 403
        assert client.post(url("import_upload", org), {"file": xlsx_file([row("99500001")])}).status_code == 403
        assert client.get(url("members_export", org)).status_code == 200
        assert client.get(url("members_export", org), {"format": "csv"}).status_code == 200
        assert client.get(url("import_template", org)).status_code == 200
    page = client.get(url("detail", world.a)).content.decode()
    assert "Xuất danh sách (.csv)" in page and "Nhập đảng viên từ tệp" not in page


def test_another_cell_secretary_can_neither_import_nor_use_the_batch(client, world):
    client.force_login(world.users.sec_a)
    upload(client, world.a, xlsx_file([row("99600001")]))
    batch = latest_batch()
    client.force_login(world.users.sec_b)
    assert client.get(url("import_upload", world.a)).status_code == 404
    assert client.post(url("import_upload", world.a), {"file": xlsx_file([row("99600002")])}).status_code == 404
    assert client.get(url("import_preview", world.a, batch_id=batch.pk)).status_code == 404
    assert client.get(url("import_preview", world.b, batch_id=batch.pk)).status_code == 404
    assert client.post(url("import_preview", world.b, batch_id=batch.pk), {"action": "confirm"}).status_code == 404
    # not even a committee admin who may import into cell A: a batch is its creator's
    client.force_login(world.users.admin_c1)
    assert client.post(url("import_preview", world.a, batch_id=batch.pk), {"action": "confirm"}).status_code == 404
    assert not Member.objects.filter(card_number="99600001").exists()


def test_only_cells_and_communes(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    for org in (world.p, world.d1):
        for name in ("members_export", "import_template", "import_upload"):
            assert client.get(url(name, org)).status_code == 404
    assert client.get(url("import_upload", world.y)).status_code == 200  # a grassroots cell


def test_methods_and_login(client, world):
    assert client.get(url("import_upload", world.a)).status_code == 302  # to the login page
    client.force_login(world.users.sec_a)
    assert client.delete(url("import_upload", world.a)).status_code == 405
    assert client.post(url("members_export", world.a)).status_code == 405
    assert client.post(url("import_template", world.a)).status_code == 405
    assert client.get(url("members_export", world.a), {"format": "pdf"}).status_code == 400
    upload(client, world.a, xlsx_file([row("99700001")]))
    batch_url = url("import_preview", world.a, batch_id=latest_batch().pk)
    assert client.put(batch_url).status_code == 405
    assert client.post(batch_url, {"action": "other"}).status_code == 400


def test_unit_page_shows_the_buttons(sec_a, world):
    page = sec_a.get(url("detail", world.a)).content.decode()
    assert url("import_upload", world.a) in page and "?format=xlsx" in page


# -- export safety and cost ------------------------------------------------------------------

def test_export_neutralizes_formulas(sec_a, world):
    MemberFactory(cell=world.a, full_name='=HYPERLINK("http://evil.example","x")', card_number="@123")
    content = sec_a.get(url("members_export", world.a), {"format": "csv"}).content
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == HEADERS
    assert "'=HYPERLINK" in text and "'@123" in text
    for line in csv.reader(io.StringIO(text)):
        assert not any(v.startswith(("=", "+", "-", "@")) for v in line)
    wb = openpyxl.load_workbook(io.BytesIO(sec_a.get(url("members_export", world.a)).content))
    cells = [c for r in wb.active.iter_rows() for c in r]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in [c.value for c in cells]


def test_queries_do_not_grow_with_rows(sec_a, world, django_assert_max_num_queries):
    for n in (5, 200):
        rows = [row(f"8{n:03d}{i:05d}", f"Đảng viên {i}") for i in range(n)]
        rows += [row(m.card_number, f"{m.full_name} {n}", year=m.birth_year, joined="19/05/2010")
                 for m in world.members_a]
        # the web request stores the file and queues the check; the task reads and checks it
        with django_assert_max_num_queries(8), TestCase.captureOnCommitCallbacks() as queued:
            response = sec_a.post(url("import_upload", world.a), {"file": xlsx_file(rows)})
        assert response.status_code == 302 and len(queued) == 1
        # + at most 9 progress updates, + 2: the members and histories of the preview's version
        with django_assert_max_num_queries(8 + 9 + 2):
            queued[0]()
        with django_assert_max_num_queries(6):
            assert sec_a.get(response["Location"]).status_code == 200
        # writing: one INSERT per batch of members (SQLite takes 999 parameters: 90 members), else constant
        # +1: the known members' cell histories; +3: the cells locked, the version check's two reads
        with django_assert_max_num_queries(16 + math.ceil(n / 90)):
            response = sec_a.post(response["Location"], {"action": "confirm"})
        assert response.status_code == 302
        assert latest_batch().updated_count == 3
        with django_assert_max_num_queries(6):
            assert sec_a.get(url("members_export", world.a)).status_code == 200
        with django_assert_max_num_queries(6):
            assert sec_a.get(url("members_export", world.a), {"format": "csv"}).status_code == 200
