"""Issue 10 item 4: imports bounded by work, not bytes.

A 130 KB .xlsx with one row of 1.15 million inline cells (43.7 MB unzipped) and a 121 KB .xlsx with
47 MB of shared strings took a worker down. They are refused before openpyxl parses anything, with a
clear Vietnamese message; the reading happens in a task, not in the web request; and the parse of each
hostile file, run in a subprocess, raises the peak memory (ru_maxrss) by a bounded amount.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from organizations import imports
from organizations.imports import xlsx
from organizations.models import ImportBatch, Member

from .test_import import latest_batch, row, upload, url, xlsx_file

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Đảng viên" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_OPEN = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet ' \
             'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_CLOSE = "</sheetData></worksheet>"


def build_xlsx(sheet_rows: str, shared: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", SHEET_OPEN + sheet_rows + SHEET_CLOSE)
        zf.writestr("xl/sharedStrings.xml",
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + shared + "</sst>")
    return out.getvalue()


def one_row_of_inline_cells(n=1_150_000) -> bytes:
    """One row of 1.15 million inline cells: about 130 KB zipped, 43.7 MB unzipped."""
    return build_xlsx('<row r="1">' + '<c t="inlineStr"><is><t>x</t></is></c>' * n + "</row>")


def shared_strings(megabytes=47) -> bytes:
    """A small sheet whose shared strings unzip to 47 MB."""
    item = "<si><t>" + "x" * 2000 + "</t></si>"
    count = megabytes * 1024 * 1024 // len(item.encode())
    return build_xlsx('<row r="1"><c t="s"><v>0</v></c></row>', item * count)


def many_small_cells(n=250_000) -> bytes:
    """Under the size limits, but more cells with a value than a member list can have."""
    rows = "".join(f'<row r="{r}">' + "<c><v>1</v></c>" * 10 + "</row>" for r in range(1, n // 10 + 1))
    return build_xlsx(rows)


HOSTILE = {
    "inline": (one_row_of_inline_cells, "Tệp .xlsx khi giải nén quá lớn"),
    "shared": (shared_strings, "Tệp .xlsx khi giải nén quá lớn"),
    "cells": (many_small_cells, "Trang tính có quá nhiều ô (hơn 200.000 ô)"),
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, (build, _message) in HOSTILE.items():
        paths[name] = folder / f"{name}.xlsx"
        paths[name].write_bytes(build())
    return paths


def test_the_hostile_files_are_the_ones_of_the_issue(hostile_files):
    inline = zipfile.ZipFile(hostile_files["inline"])
    assert hostile_files["inline"].stat().st_size < 200 * 1024
    assert inline.getinfo("xl/worksheets/sheet1.xml").file_size > 43_500_000
    shared = zipfile.ZipFile(hostile_files["shared"])
    assert hostile_files["shared"].stat().st_size < 200 * 1024
    assert shared.getinfo("xl/sharedStrings.xml").file_size > 47_000_000


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_is_refused_with_a_clear_message_through_the_views(client, world, hostile_files, name):
    client.force_login(world.users.sec_a)
    before = Member.objects.count()
    page = upload(client, world.a, SimpleUploadedFile(f"{name}.xlsx", hostile_files[name].read_bytes()))
    body = page.content.decode()
    assert HOSTILE[name][1] in body and "is-invalid" in body
    batch = latest_batch()
    assert batch.status == ImportBatch.Status.FAILED and batch.rows == []
    assert Member.objects.count() == before
    assert not list(Path(settings.IMPORTS_ROOT).glob("*.upload"))  # the stored file is removed


def test_the_zip_directory_alone_refuses_the_inline_file(hostile_files):
    """The declared sizes are read from the zip's directory: nothing is unzipped."""
    with pytest.raises(imports.ImportFileError) as refused:
        xlsx.inspect(hostile_files["inline"])
    assert "khi giải nén quá lớn" in refused.value.message


PARSE = r"""
import json, os, resource, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directive03.settings")
django.setup()
from organizations.imports import ImportFileError
from organizations.imports.reading import read_bytes
data = open(sys.argv[1], "rb").read()
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    sheet = read_bytes(data)
    message, rows = None, len(sheet.rows)
except ImportFileError as exc:
    message, rows = exc.message, None
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"message": message, "rows": rows, "baseline_kib": baseline, "peak_kib": peak}))
"""


def parse_in_subprocess(path: Path) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "directive03.settings"}
    done = subprocess.run([sys.executable, "-c", PARSE, str(path)], capture_output=True, text=True, env=env,
                          cwd=settings.BASE_DIR, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_parse_of_a_hostile_file_keeps_memory_bounded(hostile_files, name):
    result = parse_in_subprocess(hostile_files[name])
    assert result["message"] and HOSTILE[name][1] in result["message"]
    grown_mib = (result["peak_kib"] - result["baseline_kib"]) / 1024
    assert grown_mib < 30, f"{name}: the parse raised the peak memory by {grown_mib:.0f} MiB"


def test_a_real_list_of_5000_members_parses_within_bounds(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Đảng viên")
    ws.append(imports.HEADERS)
    for i in range(5000):
        ws.append([f"{50000000 + i}", f"Nguyễn Văn Thử {i}", "Nam", 1980, "19/05/2010", "Chính thức",
                   "Đảng viên", "Không", "", "01/01/2015"])
    path = tmp_path / "5000.xlsx"
    wb.save(path)
    result = parse_in_subprocess(path)
    assert result["message"] is None and result["rows"] == 5000
    grown_mib = (result["peak_kib"] - result["baseline_kib"]) / 1024
    assert grown_mib < 120, f"the parse raised the peak memory by {grown_mib:.0f} MiB"


def test_the_web_request_only_stores_the_file(client, world):
    """The upload request writes the file and queues its reading; nothing is parsed before the task runs."""
    client.force_login(world.users.sec_a)
    file = xlsx_file([row("60000001")])
    with TestCase.captureOnCommitCallbacks() as queued:
        response = client.post(url("import_upload", world.a), {"file": file})
    batch = latest_batch()
    assert response.status_code == 302 and len(queued) == 1
    assert batch.status == ImportBatch.Status.CHECKING and batch.rows == [] and batch.progress == 0
    assert (Path(settings.IMPORTS_ROOT) / batch.stored_file).is_file()
    page = client.get(response["Location"]).content.decode()
    assert "Đang đọc và kiểm tra tệp" in page and 'hx-trigger="every 1s"' in page
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<progress" in partial.content.decode()
    queued[0]()  # the worker's turn
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING and batch.progress == 100 and batch.stored_file == ""
    done = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    # the task is idempotent: delivered again, it changes nothing
    rows = batch.rows
    queued[0]()
    batch.refresh_from_db()
    assert batch.rows == rows


# -- the in-process mode: the parse in a child process, the web process's memory flat -------------

IN_PROCESS = r"""
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directive03.settings")
django.setup()
from pathlib import Path
from organizations.imports import ImportFileError, child
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = []
baseline = peak()
for name in sys.argv[1:]:
    seen = []
    try:
        sheet = child.parse_in_child(Path(name), progress=seen.append)
        message, rows = None, len(sheet.rows)
        del sheet
    except ImportFileError as exc:
        message, rows = exc.message, None
    out.append({"file": Path(name).name, "message": message, "rows": rows, "peak_kib": peak(),
                "progress": seen[-1] if seen else None, "child_pid": child._child.proc.pid})
child._child.stop()
print(json.dumps({"pid": os.getpid(), "baseline_kib": baseline, "files": out,
                  "children_peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def test_in_process_mode_parses_in_a_child_and_the_web_process_stays_flat(hostile_files, tmp_path):
    """What the web process runs without a broker: parse_in_child() for a small list, the hostile
    files and a real list of 5,000 members. The parse happens in another process (one, kept between
    files), and the calling process's peak memory does not grow with the file: the biggest work
    (5,000 rows, ~100 MiB in the parse) raises it by the rows it gets back only."""
    import openpyxl

    small, big = tmp_path / "small.xlsx", tmp_path / "5000.xlsx"
    for path, n in ((small, 3), (big, 5000)):
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Đảng viên")
        ws.append(imports.HEADERS)
        for i in range(n):
            ws.append([f"{50000000 + i}", f"Nguyễn Văn Thử {i}", "Nam", 1980, "19/05/2010", "Chính thức",
                       "Đảng viên", "Không", "", "01/01/2015"])
        wb.save(path)
    files = [small, *hostile_files.values(), big]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "directive03.settings"}
    done = subprocess.run([sys.executable, "-c", IN_PROCESS, *map(str, files)], capture_output=True, text=True,
                          env=env, cwd=settings.BASE_DIR, timeout=600, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    by_name = {f["file"]: f for f in result["files"]}
    assert by_name["small.xlsx"]["rows"] == 3 and by_name["5000.xlsx"]["rows"] == 5000
    assert by_name["5000.xlsx"]["progress"] == 1.0  # the child's progress reached the caller
    for name, (_build, message) in HOSTILE.items():
        assert message in by_name[f"{name}.xlsx"]["message"]
    children = {f["child_pid"] for f in result["files"]}
    assert len(children) == 1 and result["pid"] not in children
    after_small = by_name["small.xlsx"]["peak_kib"]
    grown_hostile = (by_name["cells.xlsx"]["peak_kib"] - after_small) / 1024
    grown_big = (by_name["5000.xlsx"]["peak_kib"] - after_small) / 1024
    child_peak = result["children_peak_kib"] / 1024
    assert grown_hostile < 5, f"the hostile files raised the web process's peak by {grown_hostile:.0f} MiB"
    assert grown_big < 40, f"5,000 rows raised the web process's peak by {grown_big:.0f} MiB"
    assert child_peak > grown_big, f"the child's peak {child_peak:.0f} MiB: the parse was not there"


def test_the_upload_page_parses_in_another_process(client, world, caplog):
    """Through the views (the task run as the in-process mode runs it): the log names the child."""
    client.force_login(world.users.sec_a)
    with caplog.at_level("INFO", logger="organizations.imports.child"):
        page = upload(client, world.a, xlsx_file([row("61000001")]))
    assert "1 mới" in page.content.decode()
    pids = [r.args[1] for r in caplog.records if r.name == "organizations.imports.child" and "child process" in r.msg]
    assert pids and all(isinstance(pid, int) and pid != os.getpid() for pid in pids)
