"""Reads for the pledges app. Each selector's docstring states how many queries it runs."""

from .members import (
    cell_of_member_on,
    grassroots_of,
    member_sort_key,
    members_between,
    members_in_month,
    members_in_year,
    root_of,
)
from .overview import (
    FUTURE,
    MISSING,
    NONE,
    STATUSES,
    CellMonthRow,
    CellYear,
    CommitteeMonth,
    GridCell,
    MemberYear,
    MonthSlot,
    cell_year,
    committee_month,
)
from .pledges import PledgeAsOf, pledge_as_of, pledge_history, pledge_token, pledges_as_of
from .reviews import (
    Attendance,
    ReviewRow,
    review_attendance,
    review_events,
    review_for,
    review_rows,
    reviews_waiting_for,
    with_attendance,
)
from .themes import YearThemes, directive_for_year, pressing_issues, themes_for
from .yearend import (
    ExcellenceQuota,
    classification_token,
    excellence_quota,
    member_classifications,
    organization_grade_token,
)

__all__ = [
    "FUTURE", "MISSING", "NONE", "STATUSES", "Attendance", "CellMonthRow", "CellYear", "CommitteeMonth",
    "ExcellenceQuota", "GridCell", "MemberYear", "MonthSlot", "PledgeAsOf", "ReviewRow", "YearThemes",
    "cell_of_member_on", "cell_year", "classification_token", "committee_month", "directive_for_year", "excellence_quota",
    "grassroots_of", "member_classifications", "member_sort_key", "members_between", "members_in_month",
    "members_in_year", "organization_grade_token", "pledge_as_of", "pledge_history", "pledge_token", "pledges_as_of", "pressing_issues",
    "review_attendance", "review_events", "review_for", "review_rows", "reviews_waiting_for", "root_of", "themes_for", "with_attendance",
]
