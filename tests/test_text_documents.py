"""Word's characters in documents (issue 11, item 3; issue 10, item 2): what a secretary pastes from Word
is saved cleaned, warned about when the document font cannot draw it, and the PDF shows real characters."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse

from organizations.text import document_font_codepoints, undrawable
from reports.models import Document, Report

from .test_documents import pdf_text, rnd  # noqa: F401  (the round fixture)

PASTED = ("Kết quả nổi bật:\r\n\uf0b7\tHọc tập chuyên đề đầy đủ\x0bdòng hai\r\n\uf0a7\tLàm theo gương Bác\x00\r\n"
          "\uf076\tĐạt ≥ 90% → tốt ✓")


def save_section(client, report, text):
    page = client.get(reverse("reports:report", args=[report.pk]))
    assert page.status_code == 200
    return client.post(reverse("reports:report_save", args=[report.pk]),
                       {"version": report.version, "results": text, "limitations": "", "lessons": "",
                        "directions": "", "recommendations": ""}, follow=True)


def test_the_font_check_reads_the_embedded_fonts():
    points = document_font_codepoints()
    assert ord("Đ") in points and ord("ự") in points and ord("•") in points and ord("‣") in points
    assert undrawable("Đạt ≥ 90% → tốt ✓ • ‣\n\t") == ["≥", "→", "✓"]
    assert undrawable("Toàn bộ chữ cái tiếng Việt: ĐđƯưƠơĂăÂâÊêÔô ỹỸ") == []


def test_a_section_pasted_from_word(world, rnd, client, django_capture_on_commit_callbacks):  # noqa: F811
    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    response = save_section(client, report, PASTED)
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.results == ("Kết quả nổi bật:\n•\tHọc tập chuyên đề đầy đủ\ndòng hai\n•\tLàm theo gương Bác\n"
                              "•\tĐạt ≥ 90% → tốt ✓")
    # saved, with a Vietnamese warning naming what the document font cannot draw
    html = response.content.decode()
    assert "phông chữ của văn bản không có" in html
    for ch in ("≥", "→", "✓"):
        assert f"“{ch}”" in html
    assert "“•”" not in html.split("phông chữ của văn bản không có")[1].split(";")[0]

    # the document builds (the vertical tab broke the .docx before) and its PDF shows real bullets
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:build", args=[report.pk]), HTTP_HX_REQUEST="true")
    doc = Document.objects.get(report=report)
    assert doc.status == Document.Status.READY, doc.error
    pdf = client.get(reverse("documents:download", args=[report.pk, "pdf"]))
    text = pdf_text(b"".join(pdf.streaming_content))
    assert "• Học tập chuyên đề đầy đủ" in " ".join(text.split()) or "•Học tập" in text.replace(" ", "")
    assert "\uf0b7" not in text and "\uf0a7" not in text and "\uf076" not in text
    assert "Làm theo gương Bác" in text
    word = docx.Document(io.BytesIO(b"".join(client.get(
        reverse("documents:download", args=[report.pk, "docx"])).streaming_content)))
    body = "\n".join(p.text for p in word.paragraphs)
    assert "Học tập chuyên đề đầy đủ" in body and "\uf0b7" not in body


def test_a_section_the_font_draws_entirely_gets_no_warning(world, rnd, client):  # noqa: F811
    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    response = save_section(client, report, "\uf0b7 Học tập – làm theo “gương sáng”…")
    html = response.content.decode()
    assert "Đã lưu báo cáo." in html and "phông chữ của văn bản không có" not in html


@pytest.mark.parametrize("ch", ["≥", "→", "✓"])
def test_each_undrawable_character_is_named(ch):
    assert undrawable(f"a {ch} b") == [ch]


def test_a_round_title_the_font_cannot_draw_is_saved_with_a_warning(world, client):
    from reports.models import ReportingRound

    from .formwalk import browser_data, forms_of

    client.force_login(world.users.board)
    form = next(f for f in forms_of(client.get(reverse("reports:round_open")).content.decode())
                if f.attrs.get("id") == "round-form")
    data, _ = browser_data(form, lambda f: "Sơ kết → 6 tháng" if f.name == "title" else f.value)
    response = client.post(reverse("reports:round_open"), data, follow=True)
    assert ReportingRound.objects.get().title == "Sơ kết → 6 tháng"
    html = response.content.decode()
    assert "Đã mở đợt" in html and "phông chữ của văn bản không có “→”" in html


# -- every other free text that a document prints: the same warning at save, through its page ----------

WARNED = "phông chữ của văn bản không có"


def test_the_issue_page_warns_about_the_signer_and_the_opening(world, rnd, client):  # noqa: F811
    """The opening paragraph and the signer's name are printed in the document."""
    from .test_two_editors import form_data

    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    url = reverse("documents:issue", args=[report.pk])
    data = form_data(client.get(url).content.decode(), contains="signer_name")
    data.update(signer_name=["Nguyễn Văn Ký"], opening=["Tỷ lệ đảng viên đạt ≥ 90% → tốt."])
    html = client.post(url, data, follow=True).content.decode()
    assert f"{WARNED} “≥” (U+2265), “→” (U+2192)" in html
    assert Document.objects.get(report=report, kind=Document.Kind.REPORT).opening == "Tỷ lệ đảng viên đạt ≥ 90% → tốt."
    data = form_data(client.get(url).content.decode(), contains="signer_name")
    data.update(opening=["Tỷ lệ đảng viên đạt từ 90% trở lên."])
    html = client.post(url, data, follow=True).content.decode()
    assert WARNED not in html


def test_the_admin_warns_about_unit_names_and_directives(world, client):
    """A unit's name and place (issuer, place and date, annexes) and a directive (the subject line)."""
    from organizations.models import Kind, Level
    from pledges.models import Directive

    from .factories import UserFactory
    from .test_two_editors import form_data

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:organizations_organization_add"), {
        "name": "Chi bộ ấp Tân Điền ✓", "parent": world.c1.pk, "level": Level.CELL, "kind": Kind.CHI_BO_TRUC_THUOC,
        "issuer_code": "CB", "place_name": "Hòn Đất", "valid_from": "01/07/2025", "change_on": "",
    }, follow=True)
    assert f"{WARNED} “✓” (U+2713)" in response.content.decode()
    directive = Directive.objects.get(code="05-CT/TW")
    url = reverse("admin:pledges_directive_change", args=[directive.pk])
    data = form_data(client.get(url).content.decode(), contains="title")
    data["title"] = [directive.title + " →"]
    assert f"{WARNED} “→”" in client.post(url, data, follow=True).content.decode()
    data["title"] = [directive.title.replace(" →", "")]
    assert WARNED not in client.post(url, data, follow=True).content.decode()


def test_a_restructuring_change_warns_about_the_new_name(world, client):
    from organizations.models import RestructurePlan

    plan = RestructurePlan.objects.create(province=world.p, title="Đổi tên", effective_on=world.c1.valid_from,
                                          created_by=world.users.board)
    client.force_login(world.users.board)
    response = client.post(reverse("organizations:plan", args=[plan.pk]),
                           {"op": "rename", "unit": f"#{world.c1.pk}", "new_name": "Đảng ủy xã Sóc Sơn ≥"}, follow=True)
    html = response.content.decode()
    assert "Đã thêm thay đổi vào phương án." in html and f"{WARNED} “≥”" in html
