"""The report pages: every view × role × own / other subtree / anonymous gives the expected status;
forged POSTs are refused on the server and change nothing; bad input keeps what was typed and says why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from organizations.models import Role
from pledges.models import Directive, MonthlyReview, Pledge
from reports import rollup, services
from reports.models import Report, ReportEvent, ReportingRound, ReturnReason

from .factories import user_with_role

PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
DEADLINES = {"cell": dt.date(2026, 7, 5), "commune": dt.date(2026, 7, 10), "district": dt.date(2026, 7, 15),
             "province": dt.date(2026, 7, 20)}
ROLES = ["sec_a", "sec_b", "commune1", "approver_c1", "district1", "district2", "board", "admin_c1", "outsider",
         "anonymous"]
SECTIONS = {"results": "Kết quả đã viết.", "limitations": "", "lessons": "", "directions": "", "recommendations": ""}


@pytest.fixture
def rnd(world):
    world.users.approver_c1 = user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng đầu năm 2026", kind="half_year", period_start=PERIOD[0], period_end=PERIOD[1],
        cutoff=PERIOD[1], deadlines=DEADLINES,
    )


def report_of(rnd, org) -> Report:
    return Report.objects.select_related("round", "organization").get(round=rnd, organization=org)


def put_state(report: Report, state: str) -> Report:
    """Put a report in a state directly (the services are tested elsewhere)."""
    Report.objects.filter(pk=report.pk).update(
        state=state, results="Kết quả đã viết.", started_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
        snapshot={"figures": report.figures, "sections": {}, "computed": report.figures, "typed": {}}
        if state == "approved" else None,
    )
    report.refresh_from_db()
    return report


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    return client


def fingerprint(report: Report):
    row = Report.objects.get(pk=report.pk)
    return (row.state, row.version, row.results, row.typed_figures, row.submit_note,
            ReportEvent.objects.filter(report=report).count(), ReturnReason.objects.filter(report=report).count())


def expect(role, allowed, readers):
    if role == "anonymous":
        return 302
    if role in allowed:
        return None  # success: the caller knows
    return 403 if role in readers else 404


# -- who sees what ----------------------------------------------------------------------------------

READERS = {
    "a": {"sec_a", "commune1", "approver_c1", "district1", "board", "admin_c1"},
    "c1": {"commune1", "approver_c1", "district1", "board", "admin_c1"},
    "x": {"district2", "board"},
    "p": {"board"},
}
PROVINCE_ROLES = {"sec_a", "sec_b", "commune1", "approver_c1", "district1", "district2", "board", "admin_c1"}


@pytest.mark.parametrize("unit", sorted(READERS))
@pytest.mark.parametrize("role", ROLES)
def test_report_and_figure_pages(world, rnd, client, unit, role):
    report = report_of(rnd, getattr(world, unit))
    login(client, world, role)
    for url in (reverse("reports:report", args=[report.pk]),
                reverse("reports:figure", args=[report.pk, "members"]),
                reverse("reports:figure", args=[report.pk, "pledged_pct"])):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == (200 if role in READERS[unit] else 404), (url, role)


@pytest.mark.parametrize("role", ROLES)
def test_round_pages(world, rnd, client, role):
    login(client, world, role)
    pages = {
        reverse("reports:rounds"): 200,
        reverse("reports:round", args=[rnd.pk]): 200 if role in PROVINCE_ROLES else 404,
        reverse("reports:round_open"): 200 if role == "board" else 403,
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == (302 if role == "anonymous" else status), (url, role)


def test_unknown_ids_and_figures_are_404(world, rnd, client):
    login(client, world, "board")
    a = report_of(rnd, world.a)
    assert client.get(reverse("reports:report", args=[999_999])).status_code == 404
    assert client.get(reverse("reports:round", args=[999_999])).status_code == 404
    assert client.get(reverse("reports:figure", args=[a.pk, "no_such_figure"])).status_code == 404


@pytest.mark.parametrize("name,method", [
    ("reports:report_save", "get"), ("reports:report_submit", "get"), ("reports:report_approve", "get"),
    ("reports:report_return", "get"), ("reports:report_reopen", "get"), ("reports:round_close", "get"),
    ("reports:report", "post"), ("reports:figure", "post"), ("reports:round", "post"), ("reports:rounds", "post"),
    ("reports:reason_row", "post"), ("reports:round_open", "put"),
])
def test_wrong_method_is_405(world, rnd, client, name, method):
    login(client, world, "board")
    a = report_of(rnd, world.a)
    args = {"reports:figure": [a.pk, "members"], "reports:round": [rnd.pk], "reports:round_close": [rnd.pk],
            "reports:rounds": [], "reports:round_open": []}.get(name, [a.pk])
    assert getattr(client, method)(reverse(name, args=args)).status_code == 405


def test_the_round_list_shows_the_button_to_those_who_open_rounds(world, rnd, client):
    login(client, world, "board")
    page = client.get(reverse("reports:rounds")).content.decode()
    assert "Sơ kết 6 tháng đầu năm 2026" in page and reverse("reports:round_open") in page
    client.force_login(world.users.sec_a)
    page = client.get(reverse("reports:rounds")).content.decode()
    assert "Sơ kết 6 tháng đầu năm 2026" in page and reverse("reports:round_open") not in page
    assert "Chi bộ ấp Hòn Quéo" in page  # the secretary's own report in the round
    client.force_login(world.users.outsider)
    assert "Sơ kết 6 tháng" not in client.get(reverse("reports:rounds")).content.decode()


def test_the_round_page_lists_own_reports_and_the_children_to_approve(world, rnd, client):
    a = put_state(report_of(rnd, world.a), "submitted")
    login(client, world, "approver_c1")
    page = client.get(reverse("reports:round", args=[rnd.pk])).content.decode()
    assert "Đảng ủy xã Sóc Sơn" in page  # own
    assert "Chi bộ ấp Hòn Quéo" in page and "Chi bộ ấp Xà Ngách" in page  # children
    assert reverse("reports:report", args=[a.pk]) + "#decision" in page  # submitted: to approve
    assert "Chi bộ khu phố 3" not in page
    client.force_login(world.users.board)
    page = client.get(reverse("reports:round", args=[rnd.pk])).content.decode()
    assert "Huyện ủy Hòn Đất" in page and "Chi bộ Ban Quản lý các KCN tỉnh" in page
    assert reverse("reports:round_close", args=[rnd.pk]) in page  # the last deadline has passed


# -- forged POSTs -----------------------------------------------------------------------------------

def _post_data(action, report):
    if action in ("save", "submit"):
        return {"version": report.version, **SECTIONS, "note": "Còn đơn vị chưa được duyệt."}
    if action == "return":
        return {"reason_target": ["section:results"], "reason_text": ["Thiếu số liệu."]}
    if action == "reopen":
        return {"note": "Số liệu thay đổi."}
    return {}


ACTIONS = [
    # unit, action, state before, roles allowed, state after
    ("a", "save", "draft", {"sec_a", "admin_c1"}, "draft"),
    ("a", "submit", "draft", {"sec_a", "admin_c1"}, "submitted"),
    ("a", "approve", "submitted", {"approver_c1", "admin_c1"}, "approved"),
    ("a", "return", "submitted", {"approver_c1", "admin_c1"}, "returned"),
    ("a", "reopen", "approved", {"approver_c1", "admin_c1"}, "returned"),
    ("c1", "save", "returned", {"approver_c1", "admin_c1"}, "returned"),
    ("c1", "submit", "draft", {"approver_c1", "admin_c1"}, "submitted"),
    ("c1", "approve", "submitted", {"district1"}, "approved"),
    ("c1", "return", "submitted", {"district1"}, "returned"),
    ("c1", "reopen", "approved", {"district1"}, "returned"),
    ("d1", "approve", "submitted", {"board"}, "approved"),
    ("p", "submit", "draft", {"board"}, "approved"),
    ("p", "reopen", "approved", {"board"}, "returned"),
]


@pytest.mark.parametrize("unit,action,before,allowed,after", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_workflow_posts_by_role(world, rnd, client, role, unit, action, before, allowed, after):
    org = getattr(world, unit)
    report = put_state(report_of(rnd, org), before)
    readers = READERS.get(unit) or {"district1", "board"}
    login(client, world, role)
    print_before = fingerprint(report)
    response = client.post(reverse(f"reports:report_{action}", args=[report.pk]), _post_data(action, report))
    status = expect(role, allowed, readers)
    if status is None:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == reverse("reports:report", args=[report.pk])
        assert Report.objects.get(pk=report.pk).state == after
    else:
        assert response.status_code == status, (role, unit, action)
        assert fingerprint(report) == print_before


@pytest.mark.parametrize("role", ROLES)
def test_reason_row_partial_only_for_approvers(world, rnd, client, role):
    a = put_state(report_of(rnd, world.a), "submitted")
    login(client, world, role)
    response = client.get(reverse("reports:reason_row", args=[a.pk]), HTTP_HX_REQUEST="true")
    status = expect(role, {"approver_c1", "admin_c1"}, READERS["a"])
    assert response.status_code == (status or 200)
    if status is None:
        assert 'name="reason_target"' in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_closing_a_round_by_role(world, rnd, client, role):
    login(client, world, role)
    response = client.post(reverse("reports:round_close", args=[rnd.pk]))
    status = expect(role, {"board"}, PROVINCE_ROLES)
    rnd.refresh_from_db()
    if status is None:
        assert response.status_code == 302 and rnd.status == ReportingRound.Status.CLOSED
    else:
        assert response.status_code == status and rnd.status == ReportingRound.Status.OPEN


def test_a_round_cannot_be_closed_before_the_last_deadline(world, client):
    board = world.users.board
    rnd = services.round_open(
        by=board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"), title="Tổng kết năm 2026",
        kind="year", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31), cutoff=dt.date(2026, 12, 31),
        deadlines={"cell": dt.date(2027, 1, 5), "commune": dt.date(2027, 1, 10), "district": dt.date(2027, 1, 15),
                   "province": dt.date(2027, 1, 20)},
    )
    client.force_login(board)
    page = client.get(reverse("reports:round", args=[rnd.pk])).content.decode()
    assert "Khóa được đợt sau hạn cuối (20/01/2027)" in page
    response = client.post(reverse("reports:round_close", args=[rnd.pk]), follow=True)
    assert "Chỉ khóa được đợt báo cáo sau hạn cuối" in response.content.decode()
    rnd.refresh_from_db()
    assert rnd.is_open


def test_a_closed_round_is_read_only(world, rnd, client):
    services.round_close(rnd=rnd, by=world.users.board)
    a = report_of(rnd, world.a)
    login(client, world, "sec_a")
    page = client.get(reverse("reports:report", args=[a.pk])).content.decode()
    assert "Đợt báo cáo đã khóa" in page and 'id="report-form"' not in page
    before = fingerprint(a)
    response = client.post(reverse("reports:report_save", args=[a.pk]), {"version": a.version, **SECTIONS})
    assert response.status_code == 200 and "Đợt báo cáo đã khóa, không thể thay đổi." in response.content.decode()
    assert fingerprint(a) == before
    page = client.get(reverse("reports:round", args=[rnd.pk])).content.decode()
    assert "Đợt báo cáo đã khóa ngày" in page and "Soạn báo cáo" not in page


# -- writing ----------------------------------------------------------------------------------------

def test_a_writer_saves_and_the_text_is_shown_escaped(world, rnd, client):
    a = report_of(rnd, world.a)
    login(client, world, "sec_a")
    page = client.get(reverse("reports:report", args=[a.pk])).content.decode()
    assert 'id="report-form"' in page and f'name="version" value="{a.version}"' in page
    text = "Chi bộ đã tổ chức học tập chuyên đề.\n<script>alert('x')</script>"
    response = client.post(reverse("reports:report_save", args=[a.pk]),
                           {"version": a.version, **SECTIONS, "results": text, "typed_inspections": "2"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.results == text and a.typed_figures == {"inspections": 2}
    for who in ("sec_a", "commune1"):  # in the textarea and in the read-only text
        client.force_login(getattr(world.users, who))
        page = client.get(reverse("reports:report", args=[a.pk])).content.decode()
        assert "<script>alert(" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_a_section_too_long_is_refused_with_the_input_kept(world, rnd, client):
    a = report_of(rnd, world.a)
    login(client, world, "sec_a")
    before = fingerprint(a)
    huge = "Đ" * 100_000
    response = client.post(reverse("reports:report_save", args=[a.pk]),
                           {"version": a.version, **SECTIONS, "results": huge, "lessons": "Bài học giữ lại."})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nội dung quá dài (100.000 ký tự, tối đa 30.000)." in page
    assert huge in page and "Bài học giữ lại." in page
    assert fingerprint(a) == before


def test_a_typed_figure_that_is_not_a_number_is_refused_with_the_input_kept(world, rnd, client):
    a = report_of(rnd, world.a)
    login(client, world, "sec_a")
    before = fingerprint(a)
    response = client.post(reverse("reports:report_save", args=[a.pk]),
                           {"version": a.version, **SECTIONS, "results": "Văn bản giữ lại.", "typed_inspections": "hai"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hãy nhập một số nguyên." in page and 'value="hai"' in page and "Văn bản giữ lại." in page
    assert fingerprint(a) == before


def test_a_stale_save_says_so_and_keeps_the_input(world, rnd, client):
    a = report_of(rnd, world.a)
    services.report_save(report=a, sections={"results": "Bản của phó bí thư."}, typed={},
                         expected_version=a.version, by=world.users.sec_a)
    login(client, world, "sec_a")
    response = client.post(reverse("reports:report_save", args=[a.pk]),
                           {"version": a.version, **SECTIONS, "results": "Bản của bí thư."})
    page = response.content.decode()
    assert response.status_code == 200
    assert "vừa được người khác lưu" in page and "Bản của bí thư." in page
    assert Report.objects.get(pk=a.pk).results == "Bản của phó bí thư."


def test_a_post_without_the_sections_or_version_is_a_bad_request(world, rnd, client):
    a = report_of(rnd, world.a)
    login(client, world, "sec_a")
    before = fingerprint(a)
    assert client.post(reverse("reports:report_save", args=[a.pk]), {"version": a.version}).status_code == 400
    assert client.post(reverse("reports:report_save", args=[a.pk]), SECTIONS).status_code == 400
    assert client.post(reverse("reports:report_submit", args=[a.pk]), {}).status_code == 400
    assert fingerprint(a) == before


def test_submitting_a_cell_without_results_names_the_section(world, rnd, client):
    a = report_of(rnd, world.a)
    login(client, world, "sec_a")
    response = client.post(reverse("reports:report_submit", args=[a.pk]),
                           {"version": a.version, **SECTIONS, "results": "  ", "directions": "Phương hướng."})
    page = response.content.decode()
    assert "Hãy viết phần Kết quả trước khi gửi." in page and "Phương hướng." in page
    assert Report.objects.get(pk=a.pk).state == "draft"


def test_a_committee_with_children_pending_must_explain_when_submitting(world, rnd, client):
    c1 = report_of(rnd, world.c1)
    login(client, world, "approver_c1")
    page = client.get(reverse("reports:report", args=[c1.pk])).content.decode()
    assert "0/2 đơn vị trực thuộc đã được duyệt" in page
    assert "Chi bộ ấp Hòn Quéo" in page and 'name="note"' in page
    response = client.post(reverse("reports:report_submit", args=[c1.pk]),
                           {"version": c1.version, **SECTIONS, "results": "Kết quả của xã."})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Còn 2 đơn vị trực thuộc chưa được duyệt" in page and "Kết quả của xã." in page
    c1.refresh_from_db()
    assert c1.state == "draft" and c1.results == "Kết quả của xã."  # saved, not sent
    response = client.post(reverse("reports:report_submit", args=[c1.pk]),
                           {"version": c1.version, **SECTIONS, "results": "Kết quả của xã.",
                            "note": "Hai chi bộ nộp chậm."})
    assert response.status_code == 302
    c1.refresh_from_db()
    assert c1.state == "submitted" and c1.submit_note == "Hai chi bộ nộp chậm."


def test_a_committee_page_shows_sums_of_approved_children_and_the_typed_difference(world, rnd, client):
    a = report_of(rnd, world.a)
    a = services.report_save(report=a, sections={"results": "x"}, typed={"inspections": "2"},
                             expected_version=a.version, by=world.users.sec_a)
    services.report_approve(report=services.report_submit(report=a, by=world.users.sec_a),
                            by=world.users.approver_c1)
    c1 = report_of(rnd, world.c1)
    c1 = services.report_save(report=c1, sections={"results": "x"}, typed={"inspections": "5"},
                              expected_version=c1.version, by=world.users.approver_c1)
    login(client, world, "approver_c1")
    page = client.get(reverse("reports:report", args=[c1.pk])).content.decode()
    assert "1/2 đơn vị trực thuộc đã được duyệt" in page
    assert "Tổng các đơn vị trực thuộc đã duyệt: 2 · chênh lệch +3" in page
    assert 'name="typed_inspections" value="5"' in page
    # the drill-down: one row per child, the approved one counted
    panel = client.get(reverse("reports:figure", args=[c1.pk, "members"]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in panel
    assert "Chi bộ ấp Hòn Quéo" in panel and "Chi bộ ấp Xà Ngách" in panel and "chưa tính" in panel
    assert "Tổng các đơn vị đã duyệt" in panel


def test_a_cells_figure_lists_the_records_behind_it(world, rnd, client):
    MonthlyReview.objects.create(cell=world.a, year=2026, month=3, state="accepted",
                                 meeting_date=dt.date(2026, 3, 5), directive_minutes=45)
    MonthlyReview.objects.create(cell=world.a, year=2026, month=4, state="draft")
    a = report_of(rnd, world.a)
    login(client, world, "commune1")
    report_page = client.get(reverse("reports:report", args=[a.pk])).content.decode()
    assert "Kỳ sinh hoạt có nội dung Chỉ thị" in report_page
    assert "Chi bộ ấp Hòn Quéo" in client.get(reverse("reports:figure", args=[a.pk, "meetings_held"])).content.decode()

    def panel(code):
        return client.get(reverse("reports:figure", args=[a.pk, code]), HTTP_HX_REQUEST="true").content.decode()

    page = panel("meetings_held")
    assert "<td>3/2026</td>" in page and "05/03/2026" in page and "45" in page and "4/2026" not in page
    page = panel("meetings_expected")
    for month in range(1, 7):
        assert f"<td>{month}/2026</td>" in page
    page = panel("members")
    assert all(m.full_name in page for m in world.members_a)
    assert world.members_b[0].full_name not in page
    # the pledge figures list the members (at the cut-off) who registered
    a0, a1 = world.members_a[0], world.members_a[1]
    Pledge.objects.create(member=a0, cell=world.a, year=2026, kind="set_example",
                          directive=Directive.objects.get(code="05-CT/TW"))
    page = panel("pledged")
    assert a0.full_name in page and a1.full_name not in page
    assert a0.full_name in panel("pledged_set_example") and a0.full_name not in panel("pledged_exemplary")


# -- deciding ---------------------------------------------------------------------------------------

def test_returning_needs_a_reason_and_keeps_the_rows(world, rnd, client):
    a = put_state(report_of(rnd, world.a), "submitted")
    login(client, world, "approver_c1")
    page = client.get(reverse("reports:report", args=[a.pk])).content.decode()
    assert 'id="decision"' in page and reverse("reports:reason_row", args=[a.pk]) in page
    before = fingerprint(a)
    response = client.post(reverse("reports:report_return", args=[a.pk]),
                           {"reason_target": ["figure:members", ""], "reason_text": ["  ", ""]})
    assert "Hãy ghi ít nhất một lý do trả lại." in response.content.decode()
    assert fingerprint(a) == before
    response = client.post(reverse("reports:report_return", args=[a.pk]),
                           {"reason_target": ["figure:nope"], "reason_text": ["Giữ lại dòng này."]})
    page = response.content.decode()
    assert "Mục được góp ý không hợp lệ." in page and "Giữ lại dòng này." in page
    assert fingerprint(a) == before


def test_a_returned_report_shows_each_reason_next_to_its_target(world, rnd, client):
    a = put_state(report_of(rnd, world.a), "submitted")
    login(client, world, "approver_c1")
    response = client.post(reverse("reports:report_return", args=[a.pk]), {
        "reason_target": ["section:limitations", "figure:members", ""],
        "reason_text": ["Nêu rõ nguyên nhân hạn chế.", "Số đảng viên chưa khớp.", "Bổ sung phương hướng."],
    })
    assert response.status_code == 302
    client.force_login(world.users.sec_a)
    page = client.get(reverse("reports:report", args=[a.pk])).content.decode()
    assert "Cấp trên trả lại báo cáo với các lý do sau" in page
    top = page.index("Cấp trên trả lại")
    section = page.index('id="sec-limitations"')
    figure = page.index('id="fig-members"')
    assert top < section < page.index("Nêu rõ nguyên nhân hạn chế.", section) < page.index('id="sec-lessons"')
    assert figure < page.index("Số đảng viên chưa khớp.", figure) < page.index('id="fig-key_cadres"')
    assert "Bổ sung phương hướng." in page[top:section]
    assert "Trả lại" in page[page.index('id="events-title"'):]  # the audit trail


def test_the_audit_trail_shows_who_when_and_what(world, rnd, client):
    a = report_of(rnd, world.a)
    a = services.report_save(report=a, sections={"results": "x"}, typed={}, expected_version=a.version,
                             by=world.users.sec_a)
    services.report_submit(report=a, by=world.users.sec_a)
    login(client, world, "district1")
    page = client.get(reverse("reports:report", args=[a.pk])).content.decode()
    trail = page[page.index('id="events-title"'):]
    assert "sec_a" in trail and "Lưu" in trail and "Gửi" in trail


def test_data_changed_since_approval_shows_a_banner_and_the_approver_may_reopen(world, rnd, client):
    a = report_of(rnd, world.a)
    a = services.report_save(report=a, sections={"results": "x"}, typed={}, expected_version=a.version,
                             by=world.users.sec_a)
    services.report_approve(report=services.report_submit(report=a, by=world.users.sec_a),
                            by=world.users.approver_c1)
    MonthlyReview.objects.create(cell=world.a, year=2026, month=3, state="accepted",
                                 meeting_date=dt.date(2026, 3, 5), directive_minutes=45)
    login(client, world, "approver_c1")
    page = client.get(reverse("reports:report", args=[a.pk])).content.decode()
    assert "Số liệu đã thay đổi sau khi duyệt" in page
    assert "Kỳ sinh hoạt có nội dung Chỉ thị: 0 → 1" in page
    assert 'id="reopen"' in page
    client.force_login(world.users.sec_a)
    page = client.get(reverse("reports:report", args=[a.pk])).content.decode()
    assert "Số liệu đã thay đổi sau khi duyệt" in page and 'id="reopen"' not in page
    client.force_login(world.users.approver_c1)
    before = fingerprint(a)
    response = client.post(reverse("reports:report_reopen", args=[a.pk]), {"note": "  "})
    assert "Hãy ghi lý do mở lại." in response.content.decode()
    assert fingerprint(a) == before
    response = client.post(reverse("reports:report_reopen", args=[a.pk]), {"note": "Bổ sung tháng 3."})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.state == "returned"
    rollup.refresh_report(a)
    assert a.figures["meetings_held"] == 1


def test_approving_twice_is_refused_with_a_message(world, rnd, client):
    a = put_state(report_of(rnd, world.a), "approved")
    login(client, world, "approver_c1")
    before = fingerprint(a)
    response = client.post(reverse("reports:report_approve", args=[a.pk]), follow=True)
    assert "Chỉ duyệt được báo cáo đã gửi." in response.content.decode()
    assert fingerprint(a) == before


# -- opening a round --------------------------------------------------------------------------------

def _round_post(world, **changes):
    data = {
        "province": world.p.pk, "kind": "year", "year": "2026", "years": "1", "title": "Tổng kết năm 2026",
        "directive": Directive.objects.get(code="05-CT/TW").pk, "period_start": "2026-01-01",
        "period_end": "2026-12-31", "cutoff": "2026-12-31", "deadline_cell": "2027-01-05",
        "deadline_commune": "2027-01-10", "deadline_district": "2027-01-15", "deadline_province": "2027-01-20",
    }
    data.update(changes)
    return data


def test_the_board_opens_a_round(world, client):
    login(client, world, "board")
    response = client.post(reverse("reports:round_open"), _round_post(world))
    rnd = ReportingRound.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:round", args=[rnd.pk])
    assert rnd.title == "Tổng kết năm 2026" and rnd.deadline_province == dt.date(2027, 1, 20)
    assert Report.objects.filter(round=rnd).count() == 9


def test_the_open_form_fills_in_the_usual_dates(world, client):
    login(client, world, "board")
    # a period still to come (a past period's deadlines count from today: test_restructure_rounds)
    page = client.get(reverse("reports:round_open"), {"kind": "half_year", "year": "2030", "fill": "1"}).content.decode()
    for value in ("Sơ kết 6 tháng đầu năm 2030", "01/01/2030", "30/06/2030", "05/07/2030", "10/07/2030",
                  "15/07/2030", "20/07/2030"):
        assert f'value="{value}"' in page, value
    partial = client.get(reverse("reports:round_open"), {"kind": "multi_year", "year": "2030", "years": "3"},
                         HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="round-form"' in partial
    assert 'value="Sơ kết 3 năm (2028–2030)"' in partial and 'value="01/01/2028"' in partial
    assert 'value="05/01/2031"' in partial
    # switching to a multi-year kind while "1 năm" is still typed gives that kind's usual length
    partial = client.get(reverse("reports:round_open"), {"kind": "final", "year": "2026", "years": "1"},
                         HTTP_HX_REQUEST="true").content.decode()
    assert 'value="Tổng kết 5 năm (2022–2026)"' in partial and 'value="01/01/2022"' in partial


@pytest.mark.parametrize("changes,message,field", [
    ({"deadline_commune": "2027-01-02"}, "Hạn nộp phải theo thứ tự từ dưới lên", "deadline_commune"),
    ({"period_end": "2025-12-31", "cutoff": "2025-12-31"}, "Ngày kết thúc phải sau ngày bắt đầu.", "period_end"),
    ({"cutoff": "2025-06-30"}, "Ngày chốt số liệu phải nằm sau ngày bắt đầu kỳ báo cáo.", "cutoff"),
    ({"deadline_cell": "2026-12-01"}, "Hạn nộp của chi bộ không được trước ngày chốt số liệu.", "deadline_cell"),
    ({"period_start": "31/02/2026"}, "Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy", "period_start"),
    ({"title": "  "}, "Hãy nhập tên đợt báo cáo.", "title"),
])
def test_bad_dates_are_refused_beside_the_fields_with_the_input_kept(world, client, changes, message, field):
    login(client, world, "board")
    data = _round_post(world, **{"title": "Tổng kết năm 2026 – bản thử", **changes})
    response = client.post(reverse("reports:round_open"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'id="id_{field}"' in page and "is-invalid" in page
    for name, value in data.items():
        if name not in ("province", "directive", "kind") and str(value).strip():
            assert f'value="{value}"' in page, name
    assert not ReportingRound.objects.exists()


def test_opening_a_round_is_refused_to_others(world, client):
    for role in ("district1", "admin_c1", "sec_a", "outsider"):
        login(client, world, role)
        assert client.post(reverse("reports:round_open"), _round_post(world)).status_code == 403
    assert not ReportingRound.objects.exists()


def test_the_board_cannot_open_a_round_for_another_province(world, client):
    from .factories import make_unit

    other = make_unit(None, "province", "Tỉnh ủy Khác")
    login(client, world, "board")
    response = client.post(reverse("reports:round_open"), _round_post(world, province=other.pk))
    assert response.status_code == 200 and not ReportingRound.objects.exists()


def test_a_note_too_long_is_refused(world, rnd, client):
    c1 = report_of(rnd, world.c1)
    login(client, world, "approver_c1")
    response = client.post(reverse("reports:report_submit", args=[c1.pk]),
                           {"version": c1.version, **SECTIONS, "note": "x" * 6_000})
    assert "Ghi chú quá dài (tối đa 5.000 ký tự)." in response.content.decode()
    assert Report.objects.get(pk=c1.pk).state == "draft"
    a = put_state(report_of(rnd, world.a), "approved")
    before = fingerprint(a)
    response = client.post(reverse("reports:report_reopen", args=[a.pk]), {"note": "y" * 6_000})
    assert "Ghi chú quá dài" in response.content.decode() and fingerprint(a) == before


# -- on a phone -------------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_cell_reports_and_the_commune_returns_it_on_a_phone(world, rnd, live_server, phone):
    from .conftest import browser_login

    a = report_of(rnd, world.a)
    browser_login(phone, live_server, "sec_a")
    phone.goto(live_server.url + reverse("reports:report", args=[a.pk]))
    phone.fill("#id_results", "Chi bộ đã học tập chuyên đề năm 2026 trong 6 kỳ sinh hoạt.")
    phone.get_by_role("button", name="Lưu và gửi lên cấp trên").click()
    phone.get_by_text("Đã gửi báo cáo lên cấp trên.").wait_for()
    # a figure opens under the table without leaving the page (htmx)
    phone.locator("#fig-members a").click()
    phone.locator("#figure-detail").get_by_text(world.members_a[0].full_name).wait_for()
    assert phone.url.endswith(reverse("reports:report", args=[a.pk]))

    phone.context.clear_cookies()
    browser_login(phone, live_server, "approver_c1")
    phone.goto(live_server.url + reverse("reports:report", args=[a.pk]))
    phone.get_by_role("button", name="+ Thêm lý do").click()
    phone.locator(".reason-row").nth(1).wait_for()
    phone.locator(".reason-row").nth(1).locator("select").select_option("section:results")
    phone.locator(".reason-row").nth(1).locator("textarea").fill("Nêu rõ số đảng viên được biểu dương.")
    phone.get_by_role("button", name="Trả lại báo cáo").click()
    phone.get_by_text("Cấp trên trả lại báo cáo với các lý do sau").wait_for()
    assert Report.objects.get(pk=a.pk).state == "returned"
    assert list(ReturnReason.objects.filter(report=a).values_list("target", flat=True)) == ["section:results"]
