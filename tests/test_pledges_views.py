"""The pledges pages: the secretary's year in the browser, the committee following its cells.

The story: sec_a keeps the records of cell A (Chi bộ ấp Hòn Quéo, 3 members); sec_b those of cell B;
commune1 (REVIEWER of the commune above both) accepts or returns; district2 is in another branch.
"Today" is 20-5-2026 throughout.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone

from pledges import selectors, services
from pledges.models import (
    AnnualTheme,
    Commendation,
    Directive,
    MemberClassification,
    ModelExample,
    MonthlyReview,
    Pledge,
    PressingIssue,
    ReviewEntry,
    ReviewEvent,
)

TODAY = dt.date(2026, 5, 20)
State = MonthlyReview.State
ROLES = ["sec_a", "sec_b", "commune1", "district1", "district2", "board", "admin_c1", "outsider"]
READERS_OF_A = {"sec_a", "commune1", "district1", "board", "admin_c1"}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def review_url(cell, year=2026, month=5):
    return reverse("pledges:review", args=[cell.pk, year, month])


def form_data(members, *, version, action="save", meeting_date="2026-05-05", minutes="45", **fields):
    """What the review form posts: meeting fields, then one hand-named row per member (present, 'Tốt')."""
    data = {
        "action": action, "version": str(version), "meeting_date": meeting_date, "directive_minutes": minutes,
        "theme_content": "Học chuyên đề năm 2026 về trách nhiệm nêu gương.", "thrift_item": "Tiết kiệm điện, nước.",
        "self_criticism_fixes": "", "next_month_measures": "Vận động bà con làm đường giao thông nông thôn.",
        "notes": "", "members": [str(m.pk) for m in members],
    }
    for m in members:
        data[f"m-{m.pk}-present"] = "1"
        data[f"m-{m.pk}-rating"] = "good"
        data[f"m-{m.pk}-note"] = ""
    data.update(fields)
    return data


def opened(client, world, user=None, month=5):
    """sec_a opens the month's page and the draft is created, as its first save does; returns it."""
    user = user or world.users.sec_a
    client.force_login(user)
    assert client.get(review_url(world.a, month=month)).status_code == 200
    return services.review_open(cell=world.a, year=2026, month=month, by=user)


def text(response) -> str:
    return response.content.decode()


# -- who may see what ------------------------------------------------------------------------------
CELL_PAGES = [
    ("cell home", lambda w: reverse("pledges:cell", args=[w.a.pk])),
    ("cell year", lambda w: reverse("pledges:year", args=[w.a.pk, 2026])),
    ("review", lambda w: review_url(w.a, month=4)),
    ("pledge list", lambda w: reverse("pledges:pledges", args=[w.a.pk, 2026])),
    ("member pledge", lambda w: reverse("pledges:pledge_member", args=[w.a.pk, 2026, w.members_a[0].pk])),
    ("collective pledge", lambda w: reverse("pledges:pledge_collective", args=[w.a.pk, 2026])),
    ("year end", lambda w: reverse("pledges:yearend", args=[w.a.pk, 2026])),
]


@pytest.mark.parametrize("name,url", CELL_PAGES, ids=[p[0] for p in CELL_PAGES])
def test_cell_pages_are_for_the_readers_of_the_cell(world, client, name, url):
    target = url(world)
    anonymous = client.get(target)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    for role in ROLES:
        client.force_login(getattr(world.users, role))
        expected = 200 if role in READERS_OF_A else 404
        assert client.get(target).status_code == expected, (name, role)


WRITES = [
    ("review save", "edit", lambda w: review_url(w.a), lambda w: {"action": "save", "version": "1"}),
    ("issue add", "edit", lambda w: reverse("pledges:issue_add", args=[w.a.pk]), lambda w: {"title": "Rác thải"}),
    ("collective pledge", "edit", lambda w: reverse("pledges:pledge_collective", args=[w.a.pk, 2026]),
     lambda w: {"on": "2026-02-01", "content": ["Sinh hoạt đúng định kỳ"]}),
    ("classify", "edit", lambda w: reverse("pledges:yearend", args=[w.a.pk, 2026]), lambda w: {"action": "classify"}),
    ("decide", "review", lambda w: reverse("pledges:decide", args=[w.a.pk, 2026, 5]),
     lambda w: {"action": "accept"}),
    ("classify the cell", "review", lambda w: reverse("pledges:yearend", args=[w.a.pk, 2026]),
     lambda w: {"action": "classify_org", "grade": "good"}),
]
WRITERS = {"edit": {"sec_a", "admin_c1"}, "review": {"commune1", "district1", "board", "admin_c1"}}


@pytest.mark.parametrize("name,right,url,data", WRITES, ids=[w[0] for w in WRITES])
def test_writes_are_404_for_outsiders_and_403_for_readers(world, client, name, right, url, data):
    MonthlyReview.objects.create(cell=world.a, year=2026, month=5, state=State.SUBMITTED)
    anonymous = client.post(url(world), data(world))
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    for role in ROLES:
        client.force_login(getattr(world.users, role))
        status = client.post(url(world), data(world)).status_code
        if role not in READERS_OF_A:
            assert status == 404, (name, role)
        elif role in WRITERS[right]:
            assert status not in (403, 404, 405), (name, role, status)
        else:
            assert status == 403, (name, role)


def test_readers_never_create_a_record_by_looking(world, client):
    client.force_login(world.users.commune1)
    page = text(client.get(review_url(world.a)))
    assert "Chưa có biên bản sinh hoạt của tháng này." in page
    assert not MonthlyReview.objects.exists()


def test_a_cell_url_for_a_committee_is_404_and_a_committee_url_for_a_cell_too(world, client):
    client.force_login(world.users.board)
    assert client.get(reverse("pledges:cell", args=[world.c1.pk])).status_code == 404
    assert client.get(review_url(world.c1)).status_code == 404
    assert client.get(reverse("pledges:committee_month", args=[world.a.pk, 2026, 5])).status_code == 404
    assert client.get(reverse("pledges:cell", args=[999999])).status_code == 404


def test_months_and_years_outside_the_calendar_are_404(world, client):
    client.force_login(world.users.sec_a)
    assert client.get(review_url(world.a, month=13)).status_code == 404
    assert client.get(review_url(world.a, year=2009)).status_code == 404
    assert client.get(reverse("pledges:year", args=[world.a.pk, 2099])).status_code == 404


def test_the_secretary_of_a_cannot_read_or_write_cell_b(world, client):
    client.force_login(world.users.sec_a)
    b0 = world.members_b[0]
    for url in (reverse("pledges:cell", args=[world.b.pk]), review_url(world.b),
                reverse("pledges:pledges", args=[world.b.pk, 2026]),
                reverse("pledges:pledge_member", args=[world.b.pk, 2026, b0.pk]),
                reverse("pledges:yearend", args=[world.b.pk, 2026])):
        assert client.get(url).status_code == 404, url
    assert client.post(review_url(world.b), form_data(world.members_b, version=1)).status_code == 404
    assert client.post(reverse("pledges:pledge_member", args=[world.b.pk, 2026, b0.pk]),
                       {"on": "2026-05-01", "content": ["Gương mẫu"]}).status_code == 404
    # a member of B through cell A's URL: not found either
    assert client.get(reverse("pledges:pledge_member", args=[world.a.pk, 2026, b0.pk])).status_code == 404
    assert client.post(reverse("pledges:pledge_member", args=[world.a.pk, 2026, b0.pk]),
                       {"on": "2026-05-01", "content": ["Gương mẫu"]}).status_code == 404
    assert not MonthlyReview.objects.exists() and not Pledge.objects.exists()


def test_a_forged_row_for_a_member_of_another_cell_is_refused_and_changes_nothing(world, client):
    review = opened(client, world)
    stranger = world.members_b[0]
    data = form_data(world.members_a, version=review.version)
    data["members"].append(str(stranger.pk))
    data[f"m-{stranger.pk}-present"] = "1"
    data[f"m-{stranger.pk}-rating"] = "fail"
    response = client.post(review_url(world.a), data)
    assert response.status_code == 400
    assert "không sinh hoạt tại chi bộ này trong tháng 5/2026" in text(response)
    assert not ReviewEntry.objects.exists()
    review.refresh_from_db()
    assert review.version == 1 and review.meeting_date is None


def test_read_only_users_get_403_on_every_write(world, client):
    review = opened(client, world)
    client.force_login(world.users.commune1)
    assert client.post(review_url(world.a), form_data(world.members_a, version=review.version)).status_code == 403
    assert client.post(reverse("pledges:issue_add", args=[world.a.pk]), {"title": "X"}).status_code == 403
    assert client.post(reverse("pledges:pledge_collective", args=[world.a.pk, 2026]),
                       {"on": "2026-05-01", "content": ["X"]}).status_code == 403
    assert client.post(reverse("pledges:yearend", args=[world.a.pk, 2026]),
                       {"action": "classify", "members": [str(world.members_a[0].pk)],
                        f"g-{world.members_a[0].pk}": "good"}).status_code == 403
    review.refresh_from_db()
    assert review.version == 1 and not PressingIssue.objects.exists() and not Pledge.objects.exists()
    assert not MemberClassification.objects.exists()


def test_the_cell_cannot_accept_its_own_record(world, client):
    review = opened(client, world)
    client.post(review_url(world.a), form_data(world.members_a, version=review.version, action="submit"))
    review.refresh_from_db()
    assert review.state == State.SUBMITTED
    response = client.post(reverse("pledges:decide", args=[world.a.pk, 2026, 5]), {"action": "accept"})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.state == State.SUBMITTED


def test_wrong_methods_are_405(world, client):
    client.force_login(world.users.commune1)
    assert client.get(reverse("pledges:decide", args=[world.a.pk, 2026, 5])).status_code == 405
    assert client.post(reverse("pledges:cell", args=[world.a.pk])).status_code == 405
    assert client.post(reverse("pledges:committee_month", args=[world.c1.pk, 2026, 5])).status_code == 405
    assert client.get(reverse("pledges:issue_add", args=[world.a.pk])).status_code == 405


# -- the review form: saving, bad input, nothing typed lost -----------------------------------------
def test_the_form_lists_the_members_of_the_month_and_carries_the_version(world, client):
    review = opened(client, world)
    page = text(client.get(review_url(world.a)))
    for m in world.members_a:
        assert m.full_name in page and f'name="m-{m.pk}-rating"' in page
    assert world.members_b[0].full_name not in page
    assert f'name="version" value="{review.version}"' in page
    assert "Lưu nháp" in page and "Gửi" in page


def test_a_draft_is_saved_and_the_short_study_warning_shows_after_saving(world, client):
    review = opened(client, world)
    a0 = world.members_a[0]
    data = form_data(world.members_a, version=review.version, minutes="20", **{
        f"m-{a0.pk}-note": "Phát biểu tích cực", f"m-{a0.pk}-exemplary": "1",
        f"m-{a0.pk}-exemplary_deed": "Hiến 50 m² đất làm đường",
    })
    del data[f"m-{world.members_a[2].pk}-present"]  # unchecked: absent
    data[f"m-{world.members_a[2].pk}-rating"] = ""
    data[f"m-{world.members_a[2].pk}-absence_reason"] = "Đi công tác"
    response = client.post(review_url(world.a), data, follow=True)
    assert response.status_code == 200
    page = text(response)
    assert "Đã lưu nháp biên bản tháng 5/2026." in page
    assert "Thời lượng học tập, làm theo chỉ 20 phút, ít hơn 30 phút theo hướng dẫn." in page
    review.refresh_from_db()
    assert review.version == 2 and review.directive_minutes == 20 and review.meeting_date == dt.date(2026, 5, 5)
    entries = {e.member_id: e for e in ReviewEntry.objects.filter(review=review)}
    assert entries[a0.pk].exemplary and entries[a0.pk].exemplary_deed == "Hiến 50 m² đất làm đường"
    assert not entries[world.members_a[2].pk].present
    assert entries[world.members_a[2].pk].absence_reason == "Đi công tác"
    assert "Hiến 50 m² đất làm đường" in page and 'name="version" value="2"' in page


@pytest.mark.parametrize("field,value,message", [
    ("meeting_date", "2026-04-28", "Ngày sinh hoạt phải nằm trong tháng 5/2026."),
    ("meeting_date", "2026-05-25", "Ngày sinh hoạt không được sau ngày hôm nay (20/05/2026)."),
    ("meeting_date", "05/13/2026", "Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy"),
    ("directive_minutes", "-15", "Thời lượng không được là số âm."),
    ("directive_minutes", "ba mươi", "Phải là một số nguyên."),
    ("theme_content", "Học tập " * 12_499 + "Học tập.", "Nội dung quá dài: 100.000 ký tự, tối đa 10.000 ký tự."),
])
def test_bad_meeting_fields_are_explained_and_what_was_typed_stays(world, client, field, value, message):
    review = opened(client, world)
    data = form_data(world.members_a, version=review.version, **{
        field: value, "notes": "Ghi chú tôi đã gõ", f"m-{world.members_a[1].pk}-note": "Ghi chú của dòng 2",
    })
    response = client.post(review_url(world.a), data)
    assert response.status_code == 400
    page = text(response)
    assert escape(message) in page or message in page
    assert "Biên bản chưa được lưu" in page
    assert escape(value.strip()) in page  # the typed value is back in its field
    assert "Ghi chú tôi đã gõ" in page and "Ghi chú của dòng 2" in page
    # the message sits beside its field
    field_block = re.search(rf'id="div_id_{field}".*?</div>\s*</div>', page, re.S) or re.search(
        rf'id="div_id_{field}".*', page, re.S)
    assert "invalid-feedback" in field_block.group(0)
    review.refresh_from_db()
    assert review.version == 1 and not ReviewEntry.objects.exists()


def test_markup_in_a_note_is_stored_as_typed_and_shown_escaped(world, client):
    review = opened(client, world)
    a0 = world.members_a[0]
    script = '<script>alert("x")</script>'
    client.post(review_url(world.a), form_data(world.members_a, version=review.version,
                                                **{f"m-{a0.pk}-note": script}))
    assert ReviewEntry.objects.get(review=review, member=a0).note == script
    page = text(client.get(review_url(world.a)))
    assert script not in page
    assert escape(script) in page or "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_a_missing_member_row_is_flagged_beside_that_member(world, client):
    review = opened(client, world)
    missing = world.members_a[1]
    data = form_data(world.members_a, version=review.version, notes="Giữ lại tôi")
    data["members"].remove(str(missing.pk))
    response = client.post(review_url(world.a), data)
    assert response.status_code == 400
    page = text(response)
    row = re.search(rf'<li class="list-group-item member-row has-error[^"]*" id="row-{missing.pk}".*?</li>', page, re.S)
    assert row and f"Thiếu dòng của đảng viên {missing.full_name}" in row.group(0)
    assert "Giữ lại tôi" in page
    assert not ReviewEntry.objects.exists()


def test_an_exemplary_member_without_a_deed_gets_the_message_on_their_row(world, client):
    review = opened(client, world)
    a2 = world.members_a[2]
    data = form_data(world.members_a, version=review.version, **{f"m-{a2.pk}-exemplary": "1"})
    page = text(client.post(review_url(world.a), data))
    row = re.search(rf'id="row-{a2.pk}".*?</li>', page, re.S).group(0)
    assert "ghi vào sổ người tốt, việc tốt cần nêu việc tốt" in row
    assert " open>" in row or "open" in row.split("<details")[1][:40]  # the rarer fields are shown


def test_two_saves_from_the_same_version_the_second_is_refused_and_kept(world, client):
    review = opened(client, world)
    a0 = world.members_a[0]
    first = form_data(world.members_a, version=review.version, theme_content="Bản của bí thư")
    second = form_data(world.members_a, version=review.version, theme_content="Bản của phó bí thư",
                       **{f"m-{a0.pk}-note": "Ghi chú của phó bí thư"})
    assert client.post(review_url(world.a), first).status_code == 302
    response = client.post(review_url(world.a), second)
    assert response.status_code == 409
    page = text(response)
    assert "Có người khác vừa lưu biên bản này." in page
    assert "CHƯA được lưu" in page and "tải lại" in page.lower()
    assert "Bản của phó bí thư" in page and "Ghi chú của phó bí thư" in page  # their input is below
    # both versions side by side: what was typed, what the other editor saved
    table = re.search(r'<table class="table table-sm small mb-2 conflict-table">.*?</table>', page, re.S).group(0)
    assert "Bản của phó bí thư" in table and "Bản của bí thư" in table and "Ghi chú của phó bí thư" in table
    review.refresh_from_db()
    assert review.theme_content == "Bản của bí thư" and review.version == 2
    assert ReviewEntry.objects.get(review=review, member=a0).note == ""
    # the form now carries the saved version: saving again is the deliberate choice to keep the typed one
    assert f'name="version" value="{review.version}"' in page
    assert client.post(review_url(world.a), {**second, "version": str(review.version)}).status_code == 302
    review.refresh_from_db()
    assert review.theme_content == "Bản của phó bí thư"


# -- states ----------------------------------------------------------------------------------------
def test_submit_locks_return_shows_the_reason_resubmit_accept(world, client):
    review = opened(client, world)
    response = client.post(review_url(world.a), form_data(world.members_a, version=1, action="submit"), follow=True)
    page = text(response)
    assert page.count("Đã gửi, chờ cấp ủy xem xét.") == 1  # one alert says it was sent, not two
    assert "Đã gửi biên bản tháng 5/2026" not in page
    assert 'id="review-form"' not in page and "Lưu nháp" not in page  # read-only for the cell
    review.refresh_from_db()
    assert review.state == State.SUBMITTED
    # a save sent anyway (an old tab) is refused, the input kept
    stale = client.post(review_url(world.a), form_data(world.members_a, version=review.version, notes="Tab cũ"))
    assert stale.status_code == 400 and "không thể sửa hay gửi lại" in text(stale) and "Tab cũ" in text(stale)

    client.force_login(world.users.commune1)
    page = text(client.get(review_url(world.a)))
    assert "Chấp nhận" in page and "Trả lại kèm lý do" in page
    decide = reverse("pledges:decide", args=[world.a.pk, 2026, 5])
    empty = client.post(decide, {"action": "return", "reason": "  "})
    assert empty.status_code == 400 and "Hãy nêu lý do." in text(empty)
    reason = "Chưa ghi nội dung tự phê bình theo NQTW4."
    assert client.post(decide, {"action": "return", "reason": reason}).status_code == 302

    client.force_login(world.users.sec_a)
    page = text(client.get(review_url(world.a)))
    top = page.index('id="return-reason"')
    assert top < page.index('id="review-form"')  # the reason is on top, and the form editable again
    assert reason in page
    review.refresh_from_db()
    data = form_data(world.members_a, version=review.version, action="submit",
                     self_criticism_fixes="Đã bổ sung nội dung khắc phục.")
    assert client.post(review_url(world.a), data).status_code == 302

    client.force_login(world.users.commune1)
    client.post(decide, {"action": "accept"})
    review.refresh_from_db()
    assert review.state == State.ACCEPTED
    page = text(client.get(review_url(world.a)))
    assert "Biên bản đã được cấp ủy chấp nhận." in page
    # the audit trail: who, when, why
    audit = page[page.index('id="audit"'):]
    for action in ("Lưu", "Gửi", "Trả lại", "Chấp nhận"):
        assert action in audit
    assert reason in audit and "commune1" in audit and "sec_a" in audit
    assert list(ReviewEvent.objects.filter(review=review).values_list("action", flat=True)) == [
        "save", "submit", "return", "save", "submit", "accept"]


def test_submitting_an_incomplete_record_saves_the_draft_and_says_what_is_missing(world, client):
    review = opened(client, world)
    a1 = world.members_a[1]
    data = form_data(world.members_a, version=review.version, action="submit", minutes="",
                     **{f"m-{a1.pk}-rating": ""})
    response = client.post(review_url(world.a), data)
    assert response.status_code == 400
    page = text(response)
    assert "Đã lưu nháp nhưng chưa gửi được" in page
    assert "Chưa nhập thời lượng học tập, làm theo." in page
    assert f"Chưa đánh giá kết quả làm theo của {a1.full_name}." in page
    review.refresh_from_db()
    assert review.state == State.DRAFT and review.version == 2
    assert 'name="version" value="2"' in page  # continue from the saved draft


def test_looking_at_a_month_creates_nothing_and_the_first_save_creates_the_draft(world, client):
    client.force_login(world.users.sec_a)
    page = text(client.get(review_url(world.a)))
    assert 'id="review-state">Chưa lưu<' in page and 'name="version" value="1"' in page
    for m in world.members_a:
        assert f'name="m-{m.pk}-rating"' in page
    assert not MonthlyReview.objects.exists()  # leaving the page leaves no empty draft behind
    response = client.post(review_url(world.a), form_data(world.members_a, version=1), follow=True)
    assert response.status_code == 200
    review = MonthlyReview.objects.get(cell=world.a, year=2026, month=5)
    assert review.state == State.DRAFT and review.version == 2
    assert ReviewEntry.objects.filter(review=review).count() == len(world.members_a)
    # someone else opened the same empty month before that save: their save is a conflict, not a loss
    stale = client.post(review_url(world.a), form_data(world.members_a, version=1, minutes="50"))
    assert stale.status_code == 409
    assert 'value="50"' in text(stale)  # what they typed is still on the page


def test_a_future_month_cannot_be_opened(world, client):
    client.force_login(world.users.sec_a)
    page = text(client.get(review_url(world.a, month=6)))
    assert "Tháng 6/2026 chưa đến, chưa thể lập biên bản." in page
    assert not MonthlyReview.objects.exists()


# -- the cell's home and year ------------------------------------------------------------------------
def test_home_shows_directive_themes_issues_and_the_year_strip(world, client):
    directive = Directive.objects.get(code="05-CT/TW")
    AnnualTheme.objects.create(directive=directive, year=2026, province=world.p,
                               title="Nâng cao trách nhiệm của cán bộ, đảng viên trong thực thi công vụ")
    services.pressing_issue_add(organization=world.c1, year=2026, title="Rác thải ven kênh", by=world.users.admin_c1)
    MonthlyReview.objects.create(cell=world.a, year=2026, month=3, state=State.ACCEPTED)
    MonthlyReview.objects.create(cell=world.a, year=2026, month=4, state=State.RETURNED)
    client.force_login(world.users.sec_a)
    url = reverse("pledges:cell", args=[world.a.pk])
    page = text(client.get(url))
    assert "05-CT/TW" in page and "Nâng cao trách nhiệm của cán bộ, đảng viên trong thực thi công vụ" in page
    assert "Rác thải ven kênh" in page  # the commune's issues, for context
    assert 'data-status="accepted"' in page and 'data-status="returned"' in page and 'data-status="future"' in page

    response = client.post(reverse("pledges:issue_add", args=[world.a.pk]),
                           {"title": "Tụ tập uống rượu trong giờ làm việc", "description": "Nhắc nhở, ký cam kết"})
    assert response.status_code == 302
    issue = PressingIssue.objects.get(organization=world.a)
    assert "Tụ tập uống rượu trong giờ làm việc" in text(client.get(url))
    bad = client.post(reverse("pledges:issue_add", args=[world.a.pk]), {"title": "", "description": "Mô tả giữ lại"})
    assert bad.status_code == 400 and "Hãy nhập vấn đề." in text(bad) and "Mô tả giữ lại" in text(bad)
    client.post(reverse("pledges:issue_remove", args=[world.a.pk, issue.pk]))
    assert not PressingIssue.objects.filter(organization=world.a).exists()


def test_an_issue_of_another_unit_cannot_be_removed_through_my_cell(world, client):
    issue = services.pressing_issue_add(organization=world.b, year=2026, title="Của chi bộ B", by=world.users.sec_b)
    client.force_login(world.users.sec_a)
    assert client.post(reverse("pledges:issue_remove", args=[world.a.pk, issue.pk])).status_code == 404
    assert PressingIssue.objects.filter(pk=issue.pk).exists()


def test_the_year_at_a_glance_shows_months_and_members(world, client):
    a0, a1, a2 = world.members_a
    review = MonthlyReview.objects.create(cell=world.a, year=2026, month=4, state=State.ACCEPTED)
    ReviewEntry.objects.create(review=review, member=a0, present=True, rating="good", exemplary=True,
                               exemplary_deed="Giúp hộ nghèo")
    ReviewEntry.objects.create(review=review, member=a1, present=False)
    ReviewEntry.objects.create(review=review, member=a2, present=True, rating="fail")
    Pledge.objects.create(member=a0, cell=world.a, year=2026, kind="set_example",
                          directive=Directive.objects.get(code="05-CT/TW"))
    client.force_login(world.users.commune1)
    page = text(client.get(reverse("pledges:year", args=[world.a.pk, 2026])))
    assert all(m.full_name in page for m in world.members_a)
    assert "T★" in page and 'r-absent">V' in page and 'r-fail">C' in page and ">NG</abbr>" in page
    assert "Đã chấp nhận: 1" in page
    # the same grid in English: the letters are translated too
    client.cookies["django_language"] = "en"
    page = text(client.get(reverse("pledges:year", args=[world.a.pk, 2026])))
    assert "G★" in page and 'r-absent">A' in page and 'r-fail">U' in page
    assert '<span class="grid-cell r-pass">S</span> Satisfactory' in page and ">SE</abbr>" in page


def page_version(client, url: str, action: str | None = None) -> str:
    """The edit token a form of the page carries (year end: the form of `action`)."""
    import re

    html = client.get(url).content.decode()
    if action:
        return re.search(rf'name="action" value="{action}">\s*<input type="hidden" name="version" value="([^"]*)"',
                         html).group(1)
    return re.search(r'name="version" value="([^"]*)"', html).group(1)


# -- pledges ---------------------------------------------------------------------------------------
def test_register_a_pledge_with_commitments_then_revise_it_with_a_reason(world, client, today):
    a0 = world.members_a[0]
    url = reverse("pledges:pledge_member", args=[world.a.pk, 2026, a0.pk])
    client.force_login(world.users.sec_a)
    page = text(client.get(url))
    assert 'value="exemplary" selected' in page  # proposed: an ordinary member implements exemplarily
    response = client.post(url, {
        "version": page_version(client, url), "kind": "set_example", "on": "2026-01-15",
        "content": ["Đi làm đúng giờ", "", "Tham gia đầy đủ sinh hoạt"],
        "verification": ["Sổ chấm công", "", "Sổ sinh hoạt chi bộ"],
    })
    assert response.status_code == 302
    pledge = Pledge.objects.get(member=a0, year=2026)
    assert pledge.kind == "set_example"
    assert [c.content for c in pledge.revisions.get().commitments.order_by("position")] == [
        "Đi làm đúng giờ", "Tham gia đầy đủ sinh hoạt"]

    no_reason = client.post(url, {"version": page_version(client, url), "on": "2026-05-10", "reason": "", "content": ["Đi làm đúng giờ", "Giúp đỡ 1 hộ nghèo"]})
    assert no_reason.status_code == 400
    page = text(no_reason)
    assert "Hãy nêu lý do bổ sung, điều chỉnh." in page and "Giúp đỡ 1 hộ nghèo" in page
    ok = client.post(url, {"version": page_version(client, url), "on": "2026-05-10", "reason": "Rà soát giữa năm",
                           "content": ["Đi làm đúng giờ", "Giúp đỡ 1 hộ nghèo"], "verification": ["", "Xác nhận của ấp"]})
    assert ok.status_code == 302
    page = text(client.get(url))
    history = page[page.index('id="history"'):]
    assert "Bổ sung lần 2" in history and "hiệu lực từ 10/05/2026" in history and "Rà soát giữa năm" in history
    assert "hiệu lực từ 15/01/2026" in history and "Sổ chấm công" in history
    assert "bổ sung lần 2" in text(client.get(reverse("pledges:pledges", args=[world.a.pk, 2026])))


def test_pledge_input_errors_are_shown_and_kept(world, client):
    url = reverse("pledges:pledge_collective", args=[world.a.pk, 2026])
    client.force_login(world.users.sec_a)
    empty = client.post(url, {"version": page_version(client, url), "on": "2026-05-01", "content": [""], "verification": ["Chỉ có cách kiểm tra"]})
    assert empty.status_code == 400
    assert "Cam kết thứ 1: nội dung cam kết không được để trống." in text(empty)
    assert "Chỉ có cách kiểm tra" in text(empty)
    future = client.post(url, {"version": page_version(client, url), "on": "2026-06-01", "content": ["Xây dựng chi bộ trong sạch"]})
    assert "Ngày đăng ký không được sau ngày hôm nay" in text(future) and "Xây dựng chi bộ trong sạch" in text(future)
    bad_date = client.post(url, {"version": page_version(client, url), "on": "hôm qua", "content": ["Xây dựng chi bộ trong sạch"]})
    assert "Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 31/12/2024." in text(bad_date)
    assert client.post(url, {"version": page_version(client, url), "on": "2026-02-01", "content": ["Xây dựng chi bộ trong sạch"]}).status_code == 302
    assert Pledge.objects.get(organization=world.a).kind == "collective"


# -- year end --------------------------------------------------------------------------------------
def test_year_end_classification_warns_with_the_numbers_of_the_20_percent_rule(world, client):
    a0, a1, a2 = world.members_a
    url = reverse("pledges:yearend", args=[world.a.pk, 2026])
    client.force_login(world.users.sec_a)
    data = {"action": "classify", "version": page_version(client, url, "classify"),
            "members": [str(m.pk) for m in world.members_a],
            f"g-{a0.pk}": "excellent", f"g-{a1.pk}": "good", f"g-{a2.pk}": "good"}
    page = text(client.post(url, data, follow=True))
    assert "Đã lưu xếp loại 3 đảng viên." in page
    assert "vượt quá 20% số đảng viên Hoàn thành tốt nhiệm vụ (2 → tối đa 0)" in page
    assert MemberClassification.objects.filter(cell=world.a).count() == 3
    forged = {"action": "classify", "version": page_version(client, url, "classify"),
              "members": [str(world.members_b[0].pk)], f"g-{world.members_b[0].pk}": "good"}
    refused = client.post(url, forged)
    assert refused.status_code == 400 and "không sinh hoạt tại chi bộ này trong năm 2026" in text(refused)


def test_year_end_commendations_models_and_the_cells_grade(world, client):
    url = reverse("pledges:yearend", args=[world.a.pk, 2026])
    a0 = world.members_a[0]
    client.force_login(world.users.sec_a)
    response = client.post(url, {"action": "commend", "awarded_on": "2026-05-19", "kind": "certificate",
                                 "issuer": "Bí thư Chi bộ", "recipient": str(a0.pk),
                                 "content": "Hoàn thành xuất sắc nhiệm vụ"})
    assert response.status_code == 302
    assert Commendation.objects.get().recipient_member == a0
    missing = client.post(url, {"action": "commend", "awarded_on": "2026-05-19", "kind": "certificate",
                                "issuer": "", "recipient": "cell", "content": "Nội dung giữ lại"})
    assert missing.status_code == 400 and "Hãy nhập cấp khen thưởng." in text(missing)
    assert "Nội dung giữ lại" in text(missing)
    stranger = client.post(url, {"action": "commend", "awarded_on": "2026-05-19", "kind": "certificate",
                                 "issuer": "Chi bộ", "recipient": str(world.members_x[0].pk), "content": "X"})
    assert stranger.status_code == 400 and Commendation.objects.count() == 1
    assert client.post(url, {"action": "model", "kind": "model", "title": "Tuyến đường hoa kiểu mẫu",
                             "member": ""}).status_code == 302
    assert ModelExample.objects.get().title == "Tuyến đường hoa kiểu mẫu"
    page = text(client.get(url))
    assert "Tuyến đường hoa kiểu mẫu" in page and "Hoàn thành xuất sắc nhiệm vụ" in page
    assert client.post(url, {"action": "classify_org", "grade": "good"}).status_code == 403

    client.force_login(world.users.commune1)
    assert client.post(url, {"action": "classify_org", "grade": "good",
                             "version": page_version(client, url, "classify_org")}).status_code == 302
    assert "Hoàn thành tốt nhiệm vụ" in text(client.get(url))


# -- the committee's month -------------------------------------------------------------------------
def test_the_committee_follows_its_cells_for_a_month(world, client):
    MonthlyReview.objects.create(cell=world.a, year=2026, month=5, state=State.SUBMITTED)
    MonthlyReview.objects.create(cell=world.b, year=2026, month=5, state=State.DRAFT)
    client.force_login(world.users.commune1)
    url = reverse("pledges:committee_month", args=[world.c1.pk, 2026, 5])
    page = text(client.get(url))
    assert world.a.name in page and world.b.name in page and world.x.name not in page
    assert "Đã gửi: 1" in page and "Nháp: 1" in page
    assert review_url(world.a) in page and "Xem và duyệt" in page
    missing = text(client.get(url, {"loc": "chua-nop"}))
    assert world.b.name in missing and world.a.name not in missing
    assert "Chưa nộp (1)" in missing
    client.force_login(world.users.district2)
    assert client.get(url).status_code == 404
    client.force_login(world.users.sec_a)
    assert client.get(url).status_code == 404


def test_the_committee_month_reads_one_page_of_cells_at_a_time(world, client, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pledges.views import committee

    monkeypatch.setattr(committee, "PAGE_SIZE", 2)
    MonthlyReview.objects.create(cell=world.x, year=2026, month=5, state=State.SUBMITTED)
    client.force_login(world.users.board)
    url = reverse("pledges:committee_month", args=[world.p.pk, 2026, 5])
    # by the committee above (Đảng ủy phường Vĩnh Thanh, Đảng ủy xã Sóc Sơn, Tỉnh ủy Kiên Giang), then
    # by name, in Vietnamese order
    order = [world.x, world.a, world.b, world.y]
    first, second = text(client.get(url)), text(client.get(url, {"page": 2}))
    assert world.x.name in first and world.a.name in first and world.b.name not in first
    assert world.b.name in second and world.y.name in second and world.a.name not in second
    assert "Đã gửi: 1" in first and "Đã gửi: 1" in second  # the counts cover every cell on every page
    missing = text(client.get(url, {"loc": "chua-nop", "page": 2}))
    assert world.y.name in missing and world.x.name not in missing and world.a.name not in missing

    month = selectors.committee_month(unit=world.p, year=2026, month=5)
    with CaptureQueriesContext(connection) as queries:
        rows = month.rows[0:2]
    assert [r.cell for r in rows] == [world.x, world.a] and rows[0].status == "submitted"
    assert len(queries) == 2  # the page's rows and their parents, not every cell
    assert len(month.rows) == 4 and [r.cell for r in month.rows] == order and month.rows[-1].cell == world.y


def test_navigation_points_secretaries_to_their_cell_and_committees_to_their_month(world, client):
    client.force_login(world.users.sec_a)
    page = text(client.get(reverse("organizations:tree")))
    assert f'href="{reverse("pledges:cell", args=[world.a.pk])}">Chi bộ của tôi' in page
    assert "Theo dõi sinh hoạt" not in page
    client.force_login(world.users.commune1)
    page = text(client.get(reverse("organizations:tree")))
    assert f'href="{reverse("pledges:committee_month", args=[world.c1.pk, 2026, 5])}">Theo dõi sinh hoạt' in page
    assert "Chi bộ của tôi" not in page
    assert client.get(reverse("pledges:committee")).status_code == 302
    client.force_login(world.users.outsider)
    assert "Chi bộ của tôi" not in text(client.get(reverse("organizations:tree")))
    assert client.get(reverse("pledges:mine")).status_code == 200
