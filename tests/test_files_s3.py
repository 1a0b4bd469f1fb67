"""Files on several machines (issue 15): documents and import uploads through the storage API, tested
against a real S3-compatible server process (moto's server, started here on a spare port, no
network beyond this host): a document built, downloaded and replaced through the views, the upload of
a member list read from the bucket by the task; and the settings that choose the backend."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from organizations.models import ImportBatch, Member
from reports import services
from reports.documents import build
from reports.models import Document, Report

from . import test_document_parts as document_parts
from . import test_documents
from .test_documents import approve, pdf_text
from .test_import import latest_batch, row, upload, xlsx_file
from .test_import import url as import_url

ROOT = Path(__file__).resolve().parent.parent
rnd, inline = test_documents.rnd, test_documents.inline  # the documents' fixtures
cut_small, laid_out, one_district_waits = (document_parts.cut_small, document_parts.laid_out,
                                           document_parts.one_district_waits)  # the parts' fixtures
CREDENTIALS = {"access_key": "chithi03-test", "secret_key": "chithi03-test-secret", "region_name": "us-east-1"}


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3-compatible server as a separate process (`python -m moto.server`)."""
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
        import storages.backends.s3  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CHITHI03_REQUIRE_S3"):
            pytest.fail(f"{exc}; CHITHI03_REQUIRE_S3 is set (pip install -e '.[dev]' installs moto[server])")
        pytest.skip(f"{exc}: the S3 tests need the dev extras (pip install -e '.[dev]')")
    port = _spare_port()
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("wb")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 120  # a busy machine imports moto slowly
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"moto's server did not start: {log.name}")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture
def bucket(settings, s3_endpoint, monkeypatch):
    """A new bucket; the "documents" and "imports" storages of this test are S3 (as FILE_STORAGE=s3
    makes them), and no local folder may be written."""
    import boto3

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    name = f"chithi03-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id=CREDENTIALS["access_key"],
                          aws_secret_access_key=CREDENTIALS["secret_key"], region_name=CREDENTIALS["region_name"])
    client.create_bucket(Bucket=name)
    options = {**CREDENTIALS, "bucket_name": name, "endpoint_url": s3_endpoint, "addressing_style": "path",
               "default_acl": None, "file_overwrite": True}
    settings.STORAGES = {**settings.STORAGES,
                         "documents": {"BACKEND": "storages.backends.s3.S3Storage",
                                       "OPTIONS": {**options, "location": "documents"}},
                         "imports": {"BACKEND": "storages.backends.s3.S3Storage",
                                     "OPTIONS": {**options, "location": "imports"}}}
    settings.DOCUMENTS_ROOT = settings.IMPORTS_ROOT = Path("/nonexistent/never-written")

    def keys(prefix=""):
        return sorted(o["Key"] for o in client.list_objects_v2(Bucket=name, Prefix=prefix).get("Contents", []))

    client.keys, client.bucket_name = keys, name
    return client


def _download(client, report) -> bytes:
    response = client.get(reverse("documents:download", args=[report.pk, "pdf"]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_a_document_is_built_downloaded_and_replaced_on_s3(
        world, rnd, client, bucket, inline, django_capture_on_commit_callbacks):
    report = Report.objects.get(round=rnd, organization=world.a)
    report = services.report_save(report=report, sections={"results": "Bản thứ nhất của chi bộ."}, typed={},
                                  expected_version=report.version, by=world.users.sec_a)
    client.force_login(world.users.sec_a)
    with inline():
        assert client.post(reverse("documents:build", args=[report.pk])).status_code == 302
    doc = Document.objects.get(report=report, kind=Document.Kind.REPORT)
    assert doc.status == Document.Status.READY, doc.error
    assert doc.docx_path == ""  # the .docx is made when first downloaded
    assert bucket.keys() == [f"documents/{doc.pdf_path}"]  # in the bucket, nowhere else
    assert "Bản thứ nhất của chi bộ." in pdf_text(_download(client, report))
    docx = client.get(reverse("documents:download", args=[report.pk, "docx"]))
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
    doc.refresh_from_db()
    first = [f"documents/{doc.pdf_path}", f"documents/{doc.docx_path}"]
    assert bucket.keys() == sorted(first)  # then kept there

    # the replacement: while it is queued the first version is still served from the bucket
    report = services.report_save(report=report, sections={"results": "Bản thứ hai, đã sửa."}, typed={},
                                  expected_version=report.version, by=world.users.sec_a)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("documents:build", args=[report.pk]))
    assert queued and Document.objects.get(pk=doc.pk).status == Document.Status.QUEUED
    assert "Bản thứ nhất của chi bộ." in pdf_text(_download(client, report))
    with inline():
        for callback in queued:
            callback()
    doc.refresh_from_db()
    assert doc.status == Document.Status.READY, doc.error
    text = pdf_text(_download(client, report))
    assert "Bản thứ hai, đã sửa." in text and "Bản thứ nhất" not in text
    # the swap removed the first version's objects (its .docx too): one PDF left
    assert doc.docx_path == "" and bucket.keys() == [f"documents/{doc.pdf_path}"]
    assert not set(first) & set(bucket.keys())

    # the permission checks stay on the server: another cell's secretary gets nothing
    client.force_login(world.users.sec_b)
    assert client.get(reverse("documents:download", args=[report.pk, "pdf"])).status_code == 404
    # a file gone from the bucket is a 404, not an error
    bucket.delete_object(Bucket=bucket.bucket_name, Key=f"documents/{doc.pdf_path}")
    client.force_login(world.users.sec_a)
    assert client.get(reverse("documents:download", args=[report.pk, "pdf"])).status_code == 404


def test_a_round_run_writes_every_document_to_s3(world, rnd, client, bucket, inline):
    """The board's run, bottom-up, with the consolidated PDF: every file in the bucket."""
    from .test_document_jobs import approve_all

    approve_all(rnd, world)
    client.force_login(world.users.board)
    with inline():
        client.post(reverse("documents:start", args=[rnd.pk]))
    docs = list(Document.objects.filter(report__round=rnd))
    assert docs and all(d.status == Document.Status.READY for d in docs), [d.error for d in docs]
    # the consolidated document's part (one: a small province is laid out in one pass) stays for its
    # next build (documents.build.build_in_parts)
    consolidated = next(d for d in docs if d.kind == Document.Kind.CONSOLIDATED)
    parts = bucket.keys("documents/parts/")
    assert len(parts) == 1 and parts[0].startswith(f"documents/parts/{consolidated.report_id}-consolidated-")
    assert [k for k in bucket.keys("documents/") if k not in parts] == sorted(
        f"documents/{getattr(d, f)}" for d in docs for f in ("pdf_path", "docx_path") if getattr(d, f))
    response = client.get(reverse("documents:consolidated", args=[rnd.pk, "pdf"]))
    assert response.status_code == 200
    assert "PHỤ LỤC 1" in pdf_text(b"".join(response.streaming_content))  # the annexes as issue 12 lays them out


def test_a_rebuild_on_s3_lays_out_only_the_changed_parts(world, one_district_waits, bucket, inline, laid_out):
    """The consolidated document's parts in the bucket: after one approval, the rebuild lays out the
    changed district's piece and the counts, keeps the other two, and removes the two it replaced."""
    document_parts.run(one_district_waits, world, inline)
    before = set(bucket.keys("documents/parts/"))
    assert len(before) == 4 and len(laid_out) == 4
    laid_out.clear()
    approve(one_district_waits, world.c2, world.users.root, "Kết quả của phường Vĩnh Thanh.")
    doc = document_parts.run(one_district_waits, world, inline)
    after = set(bucket.keys("documents/parts/"))
    assert len(laid_out) == 2 and len(after) == 4 and len(after & before) == 2
    assert len(document_parts.joined_from(build.read_bytes(doc, "pdf"), document_parts.stored_parts())) == 4
    assert not os.path.exists("/nonexistent/never-written")


def test_a_member_list_is_uploaded_to_s3_and_read_from_there(world, client, bucket, django_capture_on_commit_callbacks):
    client.force_login(world.users.sec_a)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(import_url("import_upload", world.a), {"file": xlsx_file([row("60000001")])})
    assert response.status_code == 302 and len(queued) == 1
    batch = latest_batch()
    assert batch.status == ImportBatch.Status.CHECKING
    assert bucket.keys() == [f"imports/{batch.stored_file}"]  # stored by the web process, not parsed
    queued[0]()  # the worker's task: reads it from the bucket, then deletes it
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING and len(batch.rows) == 1, batch.errors
    assert bucket.keys() == []
    page = client.post(import_url("import_preview", world.a, batch_id=batch.pk), {"action": "confirm"}, follow=True)
    assert page.status_code == 200
    assert Member.objects.filter(cell=world.a, card_number="60000001").exists()


def test_an_upload_gone_from_the_bucket_fails_with_a_message(world, client, bucket):
    client.force_login(world.users.sec_a)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        client.post(import_url("import_upload", world.a), {"file": xlsx_file([row("60000002")])})
    batch = latest_batch()
    bucket.delete_object(Bucket=bucket.bucket_name, Key=f"imports/{batch.stored_file}")
    queued[0]()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "không còn trên máy chủ" in batch.errors[0]["message"]
    page = upload(client, world.a, xlsx_file([row("60000003")]))
    assert page.status_code == 200 and latest_batch().status == ImportBatch.Status.PENDING


def _settings_in_a_process(**env) -> subprocess.CompletedProcess:
    code = ("import django, json; from django.conf import settings; django.setup(); "
            "print(json.dumps({k: settings.STORAGES[k] for k in ('documents', 'imports')}))")
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("FILE_STORAGE", "S3_"))}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**keep, "DJANGO_SETTINGS_MODULE": "directive03.settings", **env})


def test_the_environment_chooses_local_folders_or_a_bucket():
    import json

    local = _settings_in_a_process()
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout)["documents"]["BACKEND"] == "directive03.files.SettingFolderStorage"
    s3 = _settings_in_a_process(FILE_STORAGE="s3", S3_BUCKET="chithi03-files", S3_ENDPOINT_URL="http://minio:9000",
                                S3_ACCESS_KEY_ID="id", S3_SECRET_ACCESS_KEY="secret", S3_ADDRESSING_STYLE="path",
                                S3_PREFIX="kien-giang")
    assert s3.returncode == 0, s3.stderr
    chosen = json.loads(s3.stdout)
    assert chosen["documents"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert chosen["documents"]["OPTIONS"]["location"] == "kien-giang/documents"
    assert chosen["imports"]["OPTIONS"]["location"] == "kien-giang/imports"
    assert chosen["imports"]["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    missing = _settings_in_a_process(FILE_STORAGE="s3")
    assert missing.returncode != 0 and "S3_BUCKET: required when FILE_STORAGE=s3" in missing.stderr
    wrong = _settings_in_a_process(FILE_STORAGE="nfs")
    assert wrong.returncode != 0 and "FILE_STORAGE: expected one of local, s3" in wrong.stderr
