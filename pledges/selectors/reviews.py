"""Reads of monthly records: derived attendance, the rows of the entry form, the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from organizations.access import access_for
from organizations.models import Member, Organization, Role

from ..models import MonthlyReview, ReviewEntry, ReviewEvent
from .members import members_in_month


def review_for(*, cell: Organization, year: int, month: int) -> MonthlyReview | None:
    """The cell's record for the month, or None (reading never creates one; review_open does)."""
    return MonthlyReview.objects.filter(cell=cell, year=year, month=month).first()


def with_attendance(qs: QuerySet[MonthlyReview]) -> QuerySet[MonthlyReview]:
    """Annotate present_count, absent_count, exemplary_count, criticised_count (derived, never stored)."""
    return qs.annotate(
        present_count=Count("entries", filter=Q(entries__present=True)),
        absent_count=Count("entries", filter=Q(entries__present=False)),
        exemplary_count=Count("entries", filter=Q(entries__exemplary=True)),
        criticised_count=Count("entries", filter=Q(entries__criticised=True)),
    )


@dataclass(frozen=True)
class Attendance:
    expected: int  # members who belonged to the cell in the month
    present: int
    absent: int
    exemplary: int
    criticised: int

    @property
    def missing(self) -> int:
        """Members without a row yet."""
        return max(self.expected - self.present - self.absent, 0)


def review_attendance(*, review: MonthlyReview) -> Attendance:
    """Attendance of one meeting, counted from its rows. Two queries."""
    counts = ReviewEntry.objects.filter(review=review).aggregate(
        n_present=Count("id", filter=Q(present=True)),
        n_absent=Count("id", filter=Q(present=False)),
        n_exemplary=Count("id", filter=Q(exemplary=True)),
        n_criticised=Count("id", filter=Q(criticised=True)),
    )
    expected = members_in_month(cell=review.cell, year=review.year, month=review.month).count()
    return Attendance(
        expected=expected, present=counts["n_present"], absent=counts["n_absent"],
        exemplary=counts["n_exemplary"], criticised=counts["n_criticised"],
    )


@dataclass(frozen=True)
class ReviewRow:
    """One line of the entry form: a member of the month and their saved row, if any."""

    member: Member
    entry: ReviewEntry | None


def review_rows(*, review: MonthlyReview) -> list[ReviewRow]:
    """The members of the month, by position then name, each with their saved row (none for a
    record not saved yet). Two queries."""
    entries = {e.member_id: e for e in ReviewEntry.objects.filter(review=review)} if review.pk else {}
    members = members_in_month(cell=review.cell, year=review.year, month=review.month)
    return [ReviewRow(member=m, entry=entries.get(m.pk)) for m in members]


def review_events(*, review: MonthlyReview) -> QuerySet[ReviewEvent]:
    if review.pk is None:
        return ReviewEvent.objects.none()
    return ReviewEvent.objects.filter(review=review).select_related("by").order_by("at", "id")


def reviews_waiting_for(user) -> QuerySet[MonthlyReview]:
    """Sent records of the cells below the user's committees (reviewer, approver, board): the oldest
    first. The one query behind "Chờ duyệt" in "Việc cần làm" and "next record" after a decision."""
    grants = [g for g in access_for(user).grants
              if g.kind in (Role.Kind.REVIEWER, Role.Kind.APPROVER, Role.Kind.BOARD)]
    if not grants:
        return MonthlyReview.objects.none()
    scope = Q(*[Q(cell__path__startswith=g.path) & ~Q(cell_id=g.org_id) for g in grants], _connector=Q.OR)
    return (MonthlyReview.objects.filter(scope, state=MonthlyReview.State.SUBMITTED)
            .select_related("cell").order_by("submitted_at", "id"))
