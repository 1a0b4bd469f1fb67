"""pledges.services: the monthly record's rules and transitions, pledges and their revisions, year end.

The story: sec_a keeps the records of cell A (Chi bộ ấp Hòn Quéo), sec_b those of cell B; the
commune committee (commune1) above them accepts or returns; district2 is in another branch.
"Today" is 20-5-2026 throughout.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from organizations import services as org_services
from organizations.models import Kind, Level, Member, Role
from pledges import selectors, services
from pledges.exceptions import ConcurrencyError
from pledges.models import (
    Commendation,
    Grade,
    MemberClassification,
    ModelExample,
    MonthlyReview,
    OrganizationClassification,
    Pledge,
    PledgeRevision,
    ReviewEntry,
    ReviewEvent,
)
from pledges.models.yearend import organization_grade_label

from .factories import MemberFactory, make_unit, user_with_role

TODAY = dt.date(2026, 5, 20)
State = MonthlyReview.State


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def rows(members, **overrides):
    """One row per member, present and rated 'good' unless overridden."""
    return [{"member": m.pk, "present": True, "rating": "good", **overrides} for m in members]


GOOD_DATA = {
    "meeting_date": dt.date(2026, 5, 5),
    "directive_minutes": 45,
    "theme_content": "Chuyên đề năm 2026: nâng cao trách nhiệm nêu gương.",
    "thrift_item": "Tiết kiệm điện, nước tại trụ sở ấp.",
}


def open_may(world, user=None):
    return services.review_open(cell=world.a, year=2026, month=5, by=user or world.users.sec_a)


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# -- opening --------------------------------------------------------------------------------------
def test_the_database_allows_one_record_per_cell_and_month(world):
    MonthlyReview.objects.create(cell=world.a, year=2026, month=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyReview.objects.create(cell=world.a, year=2026, month=4)


def test_open_creates_one_draft_and_then_returns_it(world):
    first = open_may(world)
    again = open_may(world)
    assert first.pk == again.pk
    assert first.state == State.DRAFT and first.version == 1
    assert MonthlyReview.objects.filter(cell=world.a).count() == 1


def test_open_refuses_a_future_month(world):
    with pytest.raises(ValidationError) as err:
        services.review_open(cell=world.a, year=2026, month=6, by=world.users.sec_a)
    assert "6/2026" in errors_of(err)["month"][0]
    assert not MonthlyReview.objects.exists()


def test_open_refuses_a_bad_month_and_a_committee(world):
    with pytest.raises(ValidationError):
        services.review_open(cell=world.a, year=2026, month=13, by=world.users.sec_a)
    with pytest.raises(ValidationError):
        services.review_open(cell=world.c1, year=2026, month=5, by=world.users.admin_c1)


def test_only_the_cells_secretary_opens_its_record(world):
    with pytest.raises(PermissionDenied):
        services.review_open(cell=world.a, year=2026, month=5, by=world.users.sec_b)
    with pytest.raises(PermissionDenied):
        services.review_open(cell=world.a, year=2026, month=5, by=world.users.commune1)
    with pytest.raises(PermissionDenied):
        services.review_open(cell=world.a, year=2026, month=5, by=world.users.outsider)


# -- saving ---------------------------------------------------------------------------------------
def test_save_stores_the_record_its_rows_and_an_audit_row(world):
    review = open_may(world)
    result = services.review_save(
        review=review, data=GOOD_DATA, entries=rows(world.members_a), expected_version=1, by=world.users.sec_a
    )
    assert result.warnings == []
    assert result.review.version == 2 and review.version == 2  # the caller's instance is not stale
    stored = MonthlyReview.objects.get(pk=review.pk)
    assert stored.meeting_date == dt.date(2026, 5, 5)
    assert stored.directive_minutes == 45
    assert stored.thrift_item == "Tiết kiệm điện, nước tại trụ sở ấp."
    assert ReviewEntry.objects.filter(review=review).count() == 3
    event = ReviewEvent.objects.get(review=review)
    assert (event.action, event.by, event.version) == ("save", world.users.sec_a, 2)


def test_saving_again_updates_rows_in_place(world):
    review = open_may(world)
    services.review_save(review=review, data=GOOD_DATA, entries=rows(world.members_a), expected_version=1,
                         by=world.users.sec_a)
    first_ids = set(ReviewEntry.objects.filter(review=review).values_list("pk", flat=True))
    entries = rows(world.members_a)
    entries[0].update(present=False, absence_reason="Đi công tác", rating=None)
    services.review_save(review=review, data={}, entries=entries, expected_version=2, by=world.users.sec_a)
    assert set(ReviewEntry.objects.filter(review=review).values_list("pk", flat=True)) == first_ids
    absent = ReviewEntry.objects.get(review=review, member=world.members_a[0])
    assert (absent.present, absent.absence_reason, absent.rating) == (False, "Đi công tác", None)
    assert MonthlyReview.objects.get(pk=review.pk).directive_minutes == 45  # absent keys keep their value


def test_attendance_is_derived_from_the_rows(world):
    review = open_may(world)
    entries = rows(world.members_a)
    entries[2].update(present=False, rating=None)
    entries[1].update(exemplary=True, exemplary_deed="Vận động bà con hiến 200 m² đất làm đường.")
    services.review_save(review=review, data=GOOD_DATA, entries=entries, expected_version=1, by=world.users.sec_a)
    attendance = selectors.review_attendance(review=review)
    assert (attendance.expected, attendance.present, attendance.absent) == (3, 2, 1)
    assert attendance.exemplary == 1 and attendance.missing == 0
    field_names = {f.name for f in MonthlyReview._meta.get_fields()}
    assert not field_names & {"present", "absent", "present_count", "attendance"}


def test_fewer_than_30_minutes_is_a_warning_and_is_saved(world):
    review = open_may(world)
    result = services.review_save(
        review=review, data={**GOOD_DATA, "directive_minutes": 20}, entries=rows(world.members_a),
        expected_version=1, by=world.users.sec_a,
    )
    assert len(result.warnings) == 1
    assert "20 phút" in result.warnings[0] and "30 phút" in result.warnings[0]
    assert MonthlyReview.objects.get(pk=review.pk).directive_minutes == 20


def test_meeting_date_must_be_in_the_records_month(world):
    review = open_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_save(review=review, data={**GOOD_DATA, "meeting_date": dt.date(2026, 4, 28)},
                             entries=rows(world.members_a), expected_version=1, by=world.users.sec_a)
    assert errors_of(err)["meeting_date"] == ["Ngày sinh hoạt phải nằm trong tháng 5/2026."]


def test_meeting_date_cannot_be_in_the_future(world):
    review = open_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_save(review=review, data={**GOOD_DATA, "meeting_date": dt.date(2026, 5, 25)},
                             entries=rows(world.members_a), expected_version=1, by=world.users.sec_a)
    assert "20/05/2026" in errors_of(err)["meeting_date"][0]


def test_a_meeting_date_that_is_not_a_date_is_an_error_not_a_crash(world):
    review = open_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_save(review=review, data={**GOOD_DATA, "meeting_date": "31/02/2026"},
                             entries=rows(world.members_a), expected_version=1, by=world.users.sec_a)
    assert "meeting_date" in errors_of(err)


@pytest.mark.parametrize("minutes, message", [
    (-5, "Thời lượng không được là số âm."),
    (601, "Thời lượng tối đa là 600 phút."),
    ("nửa giờ", "Phải là một số nguyên."),
])
def test_minutes_must_be_between_0_and_600(world, minutes, message):
    review = open_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_save(review=review, data={**GOOD_DATA, "directive_minutes": minutes},
                             entries=rows(world.members_a), expected_version=1, by=world.users.sec_a)
    assert errors_of(err)["directive_minutes"] == [message]


def test_a_100000_character_text_is_a_clear_error_and_nothing_is_saved(world):
    review = open_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_save(review=review, data={**GOOD_DATA, "theme_content": "a" * 100_000},
                             entries=rows(world.members_a), expected_version=1, by=world.users.sec_a)
    assert errors_of(err)["theme_content"] == ["Nội dung quá dài: 100.000 ký tự, tối đa 10.000 ký tự."]
    review.refresh_from_db()
    assert review.version == 1 and review.theme_content == ""
    assert not ReviewEntry.objects.exists()


def test_markup_is_stored_as_typed(world):
    review = open_may(world)
    script = "<script>alert('x')</script> & \"trích dẫn\""
    entries = rows(world.members_a)
    entries[0].update(note=script)
    services.review_save(review=review, data={**GOOD_DATA, "notes": script}, entries=entries,
                         expected_version=1, by=world.users.sec_a)
    assert MonthlyReview.objects.get(pk=review.pk).notes == script
    assert ReviewEntry.objects.get(review=review, member=world.members_a[0]).note == script


def test_a_missing_member_row_is_an_error_naming_the_member(world):
    review = open_may(world)
    left_out = world.members_a[1]
    entries = [e for e in rows(world.members_a) if e["member"] != left_out.pk]
    with pytest.raises(ValidationError) as err:
        services.review_save(review=review, data=GOOD_DATA, entries=entries, expected_version=1,
                             by=world.users.sec_a)
    message = errors_of(err)[left_out.pk][0]
    assert left_out.full_name in message and "Thiếu dòng" in message
    assert not ReviewEntry.objects.exists()


def test_a_row_for_a_member_of_another_cell_is_refused_and_nothing_changes(world):
    review = open_may(world)
    services.review_save(review=review, data=GOOD_DATA, entries=rows(world.members_a), expected_version=1,
                         by=world.users.sec_a)
    before = list(ReviewEntry.objects.filter(review=review).order_by("pk").values())
    stranger = world.members_b[0]
    with pytest.raises(ValidationError) as err:
        services.review_save(
            review=review, data={**GOOD_DATA, "notes": "đã đổi"},
            entries=rows(world.members_a) + rows([stranger]), expected_version=2, by=world.users.sec_a,
        )
    message = errors_of(err)[stranger.pk][0]
    assert "không sinh hoạt tại chi bộ này" in message
    assert stranger.full_name not in message  # another cell's member is not named to this cell
    review.refresh_from_db()
    assert review.version == 2 and review.notes == ""
    assert list(ReviewEntry.objects.filter(review=review).order_by("pk").values()) == before
    assert not ReviewEntry.objects.filter(member=stranger).exists()


def test_two_rows_for_one_member_are_refused(world):
    review = open_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_save(review=review, data=GOOD_DATA,
                             entries=rows(world.members_a) + rows(world.members_a[:1]), expected_version=1,
                             by=world.users.sec_a)
    assert "nhiều hơn một dòng" in errors_of(err)[world.members_a[0].pk][0]


def test_row_rules_exemplary_needs_a_deed_criticism_needs_a_note_absence_needs_nothing(world):
    review = open_may(world)
    a0, a1, a2 = world.members_a
    entries = [
        {"member": a0.pk, "present": True, "rating": "good", "exemplary": True, "exemplary_deed": "  "},
        {"member": a1.pk, "present": True, "rating": "fail", "criticised": True},
        {"member": a2.pk, "present": False},
    ]
    with pytest.raises(ValidationError) as err:
        services.review_save(review=review, data=GOOD_DATA, entries=entries, expected_version=1,
                             by=world.users.sec_a)
    errors = errors_of(err)
    assert "việc tốt" in errors[a0.pk][0]
    assert "nội dung phê bình" in errors[a1.pk][0]
    assert a2.pk not in errors


def test_an_unknown_rating_is_refused(world):
    review = open_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_save(review=review, data=GOOD_DATA, entries=rows(world.members_a, rating="excellent"),
                             expected_version=1, by=world.users.sec_a)
    assert world.members_a[0].pk in errors_of(err)


def test_two_saves_from_the_same_version_the_second_is_refused_and_the_first_kept(world):
    review = open_may(world)
    mine = MonthlyReview.objects.get(pk=review.pk)  # a second browser tab, opened at version 1
    services.review_save(review=review, data={**GOOD_DATA, "notes": "bản thứ nhất"},
                         entries=rows(world.members_a), expected_version=1, by=world.users.sec_a)
    with pytest.raises(ConcurrencyError) as err:
        services.review_save(review=mine, data={**GOOD_DATA, "notes": "bản thứ hai"},
                             entries=rows(world.members_a, rating="pass"), expected_version=1,
                             by=world.users.sec_a)
    assert "tải lại" in str(err.value) and err.value.current_version == 2
    stored = MonthlyReview.objects.get(pk=review.pk)
    assert stored.notes == "bản thứ nhất" and stored.version == 2
    assert set(ReviewEntry.objects.filter(review=review).values_list("rating", flat=True)) == {"good"}
    assert ReviewEvent.objects.filter(review=review).count() == 1


def test_members_who_joined_or_left_mid_year_need_rows_only_in_their_months(world):
    a0, a1, a2 = world.members_a
    org_services.member_transfer(member=a2, to_cell=world.b, on=dt.date(2026, 3, 15))  # leaves A in March
    newcomer = MemberFactory(cell=world.a, full_name="Võ Minh Mới", membership=dt.date(2026, 5, 10))

    march = services.review_open(cell=world.a, year=2026, month=3, by=world.users.sec_a)
    services.review_save(review=march, data={"meeting_date": dt.date(2026, 3, 5), "directive_minutes": 40},
                         entries=rows([a0, a1, a2]), expected_version=1, by=world.users.sec_a)
    with pytest.raises(ValidationError) as err:  # the newcomer was not there in March
        services.review_save(review=march, data={}, entries=rows([a0, a1, a2, newcomer]), expected_version=2,
                             by=world.users.sec_a)
    assert newcomer.pk in errors_of(err)

    may = open_may(world)
    with pytest.raises(ValidationError) as err:  # a2 left in March, the newcomer is missing
        services.review_save(review=may, data=GOOD_DATA, entries=rows([a0, a1, a2]), expected_version=1,
                             by=world.users.sec_a)
    assert set(errors_of(err)) == {a2.pk, newcomer.pk}
    services.review_save(review=may, data=GOOD_DATA, entries=rows([a0, a1, newcomer]), expected_version=1,
                         by=world.users.sec_a)
    # and cell B needs a2 from March on
    b_march = services.review_open(cell=world.b, year=2026, month=3, by=world.users.sec_b)
    with pytest.raises(ValidationError) as err:
        services.review_save(review=b_march, data={}, entries=rows(world.members_b), expected_version=1,
                             by=world.users.sec_b)
    assert a2.full_name in errors_of(err)[a2.pk][0]


# -- transitions and who may do them --------------------------------------------------------------
def saved_may(world):
    review = open_may(world)
    services.review_save(review=review, data=GOOD_DATA, entries=rows(world.members_a), expected_version=1,
                         by=world.users.sec_a)
    return review


def submitted_may(world):
    review = saved_may(world)
    services.review_submit(review=review, expected_version=review.version, by=world.users.sec_a)
    return review


def test_submit_needs_the_date_the_minutes_and_every_row(world):
    review = open_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_submit(review=review, expected_version=1, by=world.users.sec_a)
    errors = errors_of(err)
    assert {"meeting_date", "directive_minutes"} <= set(errors)
    assert all(m.pk in errors for m in world.members_a)
    assert MonthlyReview.objects.get(pk=review.pk).state == State.DRAFT


def test_submit_needs_a_rating_for_members_present(world):
    review = open_may(world)
    entries = rows(world.members_a, rating=None)
    entries[0].update(present=False)
    services.review_save(review=review, data=GOOD_DATA, entries=entries, expected_version=1, by=world.users.sec_a)
    with pytest.raises(ValidationError) as err:
        services.review_submit(review=review, expected_version=2, by=world.users.sec_a)
    assert set(errors_of(err)) == {world.members_a[1].pk, world.members_a[2].pk}


def test_the_cell_submits_and_the_commune_accepts(world):
    review = submitted_may(world)
    assert review.state == State.SUBMITTED and review.submitted_by == world.users.sec_a
    services.review_accept(review=review, by=world.users.commune1)
    stored = MonthlyReview.objects.get(pk=review.pk)
    assert stored.state == State.ACCEPTED and stored.decided_by == world.users.commune1
    assert list(ReviewEvent.objects.filter(review=review).values_list("action", flat=True)) == [
        "save", "submit", "accept",
    ]


def test_another_cells_secretary_may_not_touch_cell_a(world):
    review = saved_may(world)
    with pytest.raises(PermissionDenied):
        services.review_save(review=review, data=GOOD_DATA, entries=rows(world.members_a),
                             expected_version=review.version, by=world.users.sec_b)
    with pytest.raises(PermissionDenied):
        services.review_submit(review=review, expected_version=review.version, by=world.users.sec_b)
    services.review_submit(review=review, expected_version=review.version, by=world.users.sec_a)
    for action in (services.review_accept, services.review_return):
        kwargs = {"reason": "Thiếu nội dung"} if action is services.review_return else {}
        with pytest.raises(PermissionDenied):
            action(review=review, by=world.users.sec_b, **kwargs)
    assert MonthlyReview.objects.get(pk=review.pk).state == State.SUBMITTED


def test_only_a_committee_above_the_cell_decides(world):
    review = submitted_may(world)
    for user in (world.users.sec_a, world.users.district2, world.users.outsider):
        with pytest.raises(PermissionDenied):
            services.review_accept(review=review, by=user)
    services.review_accept(review=review, by=world.users.district1)  # a committee higher up may too
    assert MonthlyReview.objects.get(pk=review.pk).state == State.ACCEPTED


def test_a_submitted_record_cannot_be_saved_by_the_cell(world):
    review = submitted_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_save(review=review, data={"notes": "sửa sau khi gửi"}, entries=rows(world.members_a),
                             expected_version=review.version, by=world.users.sec_a)
    assert err.value.code == "state" and "Đã gửi" in err.value.messages[0]
    assert MonthlyReview.objects.get(pk=review.pk).notes == ""


def test_return_needs_a_reason_then_the_cell_fixes_and_resubmits(world):
    review = submitted_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_return(review=review, reason="   ", by=world.users.commune1)
    assert "lý do" in err.value.message_dict["reason"][0]
    assert MonthlyReview.objects.get(pk=review.pk).state == State.SUBMITTED

    services.review_return(review=review, reason="Chưa ghi nội dung thực hành tiết kiệm cụ thể.",
                           by=world.users.commune1)
    review.refresh_from_db()
    assert review.state == State.RETURNED and review.return_reason.startswith("Chưa ghi")
    event = ReviewEvent.objects.get(review=review, action="return")
    assert event.reason == review.return_reason and event.by == world.users.commune1

    services.review_save(review=review, data={"thrift_item": "Giảm 10% chi phí hội họp."},
                         entries=rows(world.members_a), expected_version=review.version, by=world.users.sec_a)
    services.review_submit(review=review, expected_version=review.version, by=world.users.sec_a)
    services.review_accept(review=review, by=world.users.commune1)
    assert MonthlyReview.objects.get(pk=review.pk).state == State.ACCEPTED


def test_a_form_opened_before_a_transition_is_stale(world):
    review = saved_may(world)
    opened_at = review.version
    services.review_submit(review=review, expected_version=opened_at, by=world.users.sec_a)
    services.review_return(review=review, reason="Bổ sung biện pháp tháng tới.", by=world.users.commune1)
    with pytest.raises(ConcurrencyError):
        services.review_save(review=review, data={"notes": "cũ"}, entries=rows(world.members_a),
                             expected_version=opened_at, by=world.users.sec_a)


def test_decisions_need_a_submitted_record(world):
    review = saved_may(world)
    with pytest.raises(ValidationError) as err:
        services.review_accept(review=review, by=world.users.commune1)
    assert err.value.code == "state"
    with pytest.raises(ValidationError):
        services.review_reopen(review=review, reason="Mở lại", by=world.users.commune1)


def test_an_accepted_record_can_be_reopened_with_a_reason(world):
    review = submitted_may(world)
    services.review_accept(review=review, by=world.users.commune1)
    with pytest.raises(PermissionDenied):
        services.review_reopen(review=review, reason="Sai số liệu", by=world.users.sec_a)
    with pytest.raises(ValidationError):
        services.review_reopen(review=review, reason="", by=world.users.commune1)
    services.review_reopen(review=review, reason="Sai ngày sinh hoạt", by=world.users.commune1)
    assert MonthlyReview.objects.get(pk=review.pk).state == State.RETURNED
    assert ReviewEvent.objects.filter(review=review, action="reopen").count() == 1


# -- pledges --------------------------------------------------------------------------------------
COMMITMENTS = [
    ("Không sử dụng xe công vào việc riêng.", "Chi bộ theo dõi sổ điều xe hằng tháng."),
    ("Giải quyết hồ sơ của dân đúng hạn.", "Tỷ lệ hồ sơ đúng hạn trên phần mềm một cửa."),
]


def test_propose_kind_sets_an_example_for_key_cadres_and_the_cells_leaders(world):
    assert services.propose_kind(MemberFactory(is_key_cadre=True)) == Pledge.Kind.SET_EXAMPLE
    assert services.propose_kind(MemberFactory(position=Member.Position.SECRETARY)) == Pledge.Kind.SET_EXAMPLE
    assert services.propose_kind(MemberFactory(position=Member.Position.DEPUTY)) == Pledge.Kind.SET_EXAMPLE
    assert services.propose_kind(MemberFactory(position=Member.Position.COMMITTEE)) == Pledge.Kind.EXEMPLARY
    assert services.propose_kind(MemberFactory()) == Pledge.Kind.EXEMPLARY


def test_register_a_members_pledge(world):
    member = world.members_a[0]
    pledge = services.pledge_register(member=member, year=2026, commitments=COMMITMENTS, by=world.users.sec_a,
                                      on=dt.date(2026, 1, 15))
    assert (pledge.kind, pledge.cell, pledge.directive.code) == (Pledge.Kind.EXEMPLARY, world.a, "05-CT/TW")
    revision = pledge.revisions.get()
    assert (revision.number, revision.valid_from, revision.created_by) == (1, dt.date(2026, 1, 15), world.users.sec_a)
    assert [c.content for c in revision.commitments.order_by("position")] == [c for c, _v in COMMITMENTS]


def test_the_secretary_may_override_the_proposed_kind(world):
    pledge = services.pledge_register(member=world.members_a[0], year=2026, kind=Pledge.Kind.SET_EXAMPLE,
                                      commitments=COMMITMENTS, by=world.users.sec_a, on=dt.date(2026, 1, 15))
    assert pledge.kind == Pledge.Kind.SET_EXAMPLE
    with pytest.raises(ValidationError):
        services.pledge_register(member=world.members_a[1], year=2026, kind=Pledge.Kind.COLLECTIVE,
                                 commitments=COMMITMENTS, by=world.users.sec_a, on=dt.date(2026, 1, 15))


def test_one_pledge_per_member_and_year(world):
    member = world.members_a[0]
    services.pledge_register(member=member, year=2026, commitments=COMMITMENTS, by=world.users.sec_a,
                             on=dt.date(2026, 1, 15))
    with pytest.raises(ValidationError) as err:
        services.pledge_register(member=member, year=2026, commitments=COMMITMENTS, by=world.users.sec_a,
                                 on=dt.date(2026, 2, 1))
    assert member.full_name in err.value.message_dict["year"][0]
    directive = Pledge.objects.get().directive
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(member=member, year=2026, cell=world.a, directive=directive, kind="exemplary")


def test_a_collective_pledge_per_cell_and_year_and_exactly_one_owner(world):
    pledge = services.pledge_register(organization=world.a, year=2026, commitments=COMMITMENTS,
                                      by=world.users.sec_a, on=dt.date(2026, 1, 10))
    assert (pledge.kind, pledge.cell, pledge.member) == (Pledge.Kind.COLLECTIVE, world.a, None)
    with pytest.raises(ValidationError):
        services.pledge_register(organization=world.a, year=2026, commitments=COMMITMENTS,
                                 by=world.users.sec_a, on=dt.date(2026, 1, 11))
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(member=world.members_a[0], organization=world.a, cell=world.a, year=2025,
                              directive=pledge.directive, kind="collective")
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(cell=world.a, year=2025, directive=pledge.directive, kind="exemplary")


@pytest.mark.parametrize("commitments, fragment", [
    ([], "ít nhất một"),
    ([("   ", "kiểm tra")], "Cam kết thứ 1: nội dung cam kết không được để trống."),
    ([("Làm tốt", ""), ("x" * 1001, "")], "Cam kết thứ 2: Nội dung quá dài: 1.001 ký tự, tối đa 1.000 ký tự."),
])
def test_commitments_are_checked(world, commitments, fragment):
    with pytest.raises(ValidationError) as err:
        services.pledge_register(member=world.members_a[0], year=2026, commitments=commitments,
                                 by=world.users.sec_a, on=dt.date(2026, 1, 15))
    assert any(fragment in m for m in err.value.message_dict["commitments"])
    assert not Pledge.objects.exists()


def test_register_is_for_the_members_own_cell_secretary(world):
    with pytest.raises(PermissionDenied):
        services.pledge_register(member=world.members_a[0], year=2026, commitments=COMMITMENTS,
                                 by=world.users.sec_b, on=dt.date(2026, 1, 15))


def test_register_date_and_year(world):
    for on in (dt.date(2026, 6, 1), dt.date(2024, 12, 20)):  # the future; two years early
        with pytest.raises(ValidationError) as err:
            services.pledge_register(member=world.members_a[0], year=2026, commitments=COMMITMENTS,
                                     by=world.users.sec_a, on=on)
        assert "on" in err.value.message_dict
    pledge = services.pledge_register(member=world.members_a[0], year=2026, commitments=COMMITMENTS,
                                      by=world.users.sec_a, on=dt.date(2025, 12, 20))
    assert pledge.year == 2026


def test_revisions_keep_history_and_are_read_as_of_a_date(world):
    pledge = services.pledge_register(member=world.members_a[0], year=2026, commitments=COMMITMENTS,
                                      by=world.users.sec_a, on=dt.date(2026, 1, 15))
    with pytest.raises(ValidationError) as err:  # not after the previous revision
        services.pledge_revise(pledge=pledge, commitments=COMMITMENTS[:1], reason="Rà soát", by=world.users.sec_a,
                               on=dt.date(2026, 1, 15))
    assert "15/01/2026" in err.value.message_dict["on"][0]
    with pytest.raises(ValidationError) as err:
        services.pledge_revise(pledge=pledge, commitments=COMMITMENTS[:1], reason="", by=world.users.sec_a,
                               on=dt.date(2026, 4, 1))
    assert "reason" in err.value.message_dict
    added = [*COMMITMENTS, ("Tham gia dọn vệ sinh đường làng mỗi tháng.", "Sổ theo dõi của ấp.")]
    second = services.pledge_revise(pledge=pledge, commitments=added, reason="Rà soát giữa năm",
                                    by=world.users.sec_a, on=dt.date(2026, 4, 1))
    assert second.number == 2

    assert selectors.pledge_as_of(pledge=pledge, on=dt.date(2026, 1, 14)) is None
    as_of_march = selectors.pledge_as_of(pledge=pledge, on=dt.date(2026, 3, 31))
    assert as_of_march.number == 1 and len(as_of_march.commitments.all()) == 2
    as_of_april = selectors.pledge_as_of(pledge=pledge, on=dt.date(2026, 4, 1))
    assert as_of_april.number == 2 and [c.position for c in as_of_april.commitments.all()] == [1, 2, 3]
    assert PledgeRevision.objects.filter(pledge=pledge).count() == 2
    with pytest.raises(PermissionDenied):
        services.pledge_revise(pledge=pledge, commitments=added, reason="x", by=world.users.sec_b,
                               on=dt.date(2026, 5, 1))


def test_a_member_who_moved_is_revised_by_the_new_cell(world):
    member = world.members_a[0]
    pledge = services.pledge_register(member=member, year=2026, commitments=COMMITMENTS, by=world.users.sec_a,
                                      on=dt.date(2026, 1, 15))
    org_services.member_transfer(member=member, to_cell=world.b, on=dt.date(2026, 3, 1))
    services.pledge_revise(pledge=pledge, commitments=COMMITMENTS[:1], reason="Chuyển sinh hoạt",
                           by=world.users.sec_b, on=dt.date(2026, 3, 10))
    assert pledge.revisions.count() == 2


# -- year end -------------------------------------------------------------------------------------
def test_the_20_percent_rule_is_a_warning_with_the_numbers(world):
    members = world.members_a + [MemberFactory(cell=world.a) for _ in range(22)]  # 25 members in A
    grades = {m.pk: Grade.GOOD for m in members[:20]} | {m.pk: Grade.EXCELLENT for m in members[20:]}
    warnings = services.classify_members(cell=world.a, year=2025, grades=grades, by=world.users.sec_a)
    assert warnings == [
        "Số đảng viên xếp loại Hoàn thành xuất sắc nhiệm vụ (5) vượt quá 20% số đảng viên Hoàn thành tốt "
        "nhiệm vụ (20 → tối đa 4) của Đảng ủy xã Sóc Sơn."
    ]
    assert MemberClassification.objects.filter(year=2025).count() == 25  # saved all the same
    # one fewer EXCELLENT: within the rule
    assert services.classify_members(cell=world.a, year=2025, grades={members[24].pk: Grade.GOOD},
                                     by=world.users.sec_a) == []


def test_the_rule_counts_the_whole_grassroots_organization(world):
    extra_a = [MemberFactory(cell=world.a) for _ in range(7)]  # A: 10 members, all GOOD
    services.classify_members(cell=world.a, year=2025, grades={m.pk: Grade.GOOD for m in world.members_a + extra_a},
                              by=world.users.sec_a)
    # B's two EXCELLENT members are within 20% of the commune's 10 GOOD members ...
    assert services.classify_members(cell=world.b, year=2025,
                                     grades={m.pk: Grade.EXCELLENT for m in world.members_b},
                                     by=world.users.sec_b) == []
    # ... a third is not
    third = MemberFactory(cell=world.b)
    warnings = services.classify_members(cell=world.b, year=2025, grades={third.pk: Grade.EXCELLENT},
                                         by=world.users.sec_b)
    assert "(3)" in warnings[0] and "(10 → tối đa 2)" in warnings[0] and "Đảng ủy xã Sóc Sơn" in warnings[0]


def test_a_chi_bo_co_so_is_its_own_grassroots_organization(world):
    members = [MemberFactory(cell=world.y) for _ in range(3)]
    with pytest.raises(PermissionDenied):  # the board reaches Y but does not keep its records
        services.classify_members(cell=world.y, year=2025, grades={members[0].pk: Grade.GOOD}, by=world.users.board)
    sec_y = user_with_role("sec_y", world.y, Role.Kind.CELL_SECRETARY)
    warnings = services.classify_members(cell=world.y, year=2025, grades={m.pk: Grade.EXCELLENT for m in members},
                                         by=sec_y)
    assert "(3)" in warnings[0] and "(0 → tối đa 0)" in warnings[0]
    assert warnings[0].endswith("của Chi bộ Ban Quản lý các KCN tỉnh.")


def test_a_cell_under_a_district_is_its_own_grassroots_organization(world):
    direct = make_unit(world.d1, Level.CELL, "Chi bộ Trường THPT Hòn Đất", kind=Kind.CHI_BO_CO_SO)
    plain = make_unit(world.d2, Level.CELL, "Chi bộ Công an huyện")
    assert selectors.grassroots_of(direct) == direct
    assert selectors.grassroots_of(plain) == plain
    assert selectors.grassroots_of(world.a) == world.c1
    assert selectors.grassroots_of(world.c1) == world.c1


def test_classify_refuses_strangers_and_unknown_grades(world):
    with pytest.raises(ValidationError) as err:
        services.classify_members(cell=world.a, year=2025,
                                  grades={world.members_b[0].pk: Grade.GOOD, world.members_a[0].pk: "tot"},
                                  by=world.users.sec_a)
    assert set(err.value.message_dict) == {world.members_b[0].pk, world.members_a[0].pk}
    assert not MemberClassification.objects.exists()
    with pytest.raises(PermissionDenied):
        services.classify_members(cell=world.a, year=2025, grades={}, by=world.users.sec_b)


def test_a_member_classified_by_the_previous_cell_is_not_overwritten(world):
    member = world.members_a[0]
    services.classify_members(cell=world.a, year=2026, grades={member.pk: Grade.GOOD}, by=world.users.sec_a)
    org_services.member_transfer(member=member, to_cell=world.b, on=dt.date(2026, 5, 1))
    with pytest.raises(ValidationError) as err:
        services.classify_members(cell=world.b, year=2026, grades={member.pk: Grade.EXCELLENT}, by=world.users.sec_b)
    # the secretary of b may not read cell a: the message does not name it
    message = err.value.message_dict[member.pk][0]
    assert world.a.name not in message and "một đơn vị khác xếp loại năm 2026" in message
    with pytest.raises(ValidationError) as err:  # the commune's administrator reads both cells
        services.classify_members(cell=world.b, year=2026, grades={member.pk: Grade.EXCELLENT}, by=world.users.admin_c1)
    assert world.a.name in err.value.message_dict[member.pk][0]


def test_the_committee_above_classifies_an_organization(world):
    with pytest.raises(PermissionDenied):
        services.classify_organization(organization=world.a, year=2025, grade=Grade.EXCELLENT, by=world.users.sec_a)
    result = services.classify_organization(organization=world.a, year=2025, grade=Grade.GOOD,
                                            by=world.users.commune1)
    services.classify_organization(organization=world.a, year=2025, grade=Grade.EXCELLENT, by=world.users.commune1)
    result.refresh_from_db()
    assert result.grade == Grade.EXCELLENT and OrganizationClassification.objects.count() == 1
    assert organization_grade_label(Grade.EXCELLENT, 2016) == "Trong sạch, vững mạnh"
    assert organization_grade_label(Grade.EXCELLENT, 2025) == "Hoàn thành xuất sắc nhiệm vụ"


def test_commendations_have_exactly_one_recipient_within_the_unit(world):
    common = dict(organization=world.a, year=2026, awarded_on=dt.date(2026, 2, 3), kind=Commendation.Kind.CERTIFICATE,
                  issuer="Bí thư Chi bộ", content="Tiêu biểu làm theo", by=world.users.sec_a)
    c = services.record_commendation(recipient_member=world.members_a[0], **common)
    assert c.recipient_member == world.members_a[0]
    with pytest.raises(ValidationError):
        services.record_commendation(**common)
    with pytest.raises(ValidationError):
        services.record_commendation(recipient_member=world.members_a[0], recipient_org=world.a, **common)
    with pytest.raises(ValidationError) as err:
        services.record_commendation(recipient_member=world.members_x[0], **common)
    assert "recipient" in err.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Commendation.objects.create(organization=world.a, year=2026, awarded_on=dt.date(2026, 2, 3), kind="other",
                                    issuer="x", content="x", recorded_by=world.users.sec_a)


def test_models_and_examples(world):
    example = services.record_model_example(
        organization=world.a, year=2026, kind=ModelExample.Kind.EXAMPLE, title="Gương hiến đất làm đường",
        description="<b>Ông A</b> hiến 200 m² đất.", member=world.members_a[1], by=world.users.sec_a,
    )
    assert example.description == "<b>Ông A</b> hiến 200 m² đất."
    with pytest.raises(ValidationError):
        services.record_model_example(organization=world.a, year=2026, kind=ModelExample.Kind.MODEL, title=" ",
                                      by=world.users.sec_a)
    with pytest.raises(ValidationError):
        services.record_model_example(organization=world.a, year=2026, kind="khac", title="Mô hình",
                                      by=world.users.sec_a)
    with pytest.raises(PermissionDenied):
        services.record_model_example(organization=world.a, year=2026, kind=ModelExample.Kind.MODEL,
                                      title="Mô hình", by=world.users.sec_b)


def test_pressing_issues_are_numbered_in_order(world):
    first = services.pressing_issue_add(organization=world.a, year=2026, title="Rác thải ven kênh",
                                        by=world.users.sec_a)
    second = services.pressing_issue_add(organization=world.a, year=2026, title="Lấn chiếm hành lang lộ giới",
                                         by=world.users.sec_a)
    assert (first.position, second.position) == (1, 2)
    assert list(selectors.pressing_issues(organization=world.a, year=2026)) == [first, second]
