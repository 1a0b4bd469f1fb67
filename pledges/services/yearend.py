"""Year end: classify members and organizations; record commendations, models and examples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from directive03.concurrency import check_token
from organizations.access import Action, name_for
from organizations.models import Member, Membership, Organization

from ..models import Commendation, Grade, MemberClassification, ModelExample, OrganizationClassification
from ..models.limits import COMMITMENT_MAX, TEXT_MAX, TITLE_MAX
from ..periods import overlaps, year_bounds
from ..selectors import classification_token, excellence_quota, members_in_year, organization_grade_token
from ._common import (
    Errors,
    add_error,
    check_not_future,
    check_year,
    choice,
    clean_text,
    raise_if,
    require,
    require_review_on,
)


def _lock(org: Organization) -> None:
    """Serialize the unit's year-end saves (the rows' owner is locked; SQLite locks on the first write)."""
    Organization.objects.select_for_update().filter(pk=org.pk).values_list("pk", flat=True).first()


def _excellence_warning(cell: Organization, year: int) -> list[str]:
    quota = excellence_quota(cell_or_unit=cell, year=year)
    if not quota.exceeded:
        return []
    return [
        _(
            "Số đảng viên xếp loại Hoàn thành xuất sắc nhiệm vụ (%(excellent)s) vượt quá 20%% số đảng viên "
            "Hoàn thành tốt nhiệm vụ (%(good)s → tối đa %(limit)s) của %(unit)s."
        ) % {"excellent": quota.excellent, "good": quota.good, "limit": quota.limit, "unit": quota.unit.name}
    ]


@transaction.atomic
def classify_members(*, cell: Organization, year: int, grades: Mapping[int, str], by,
                     expected_token: str | None = None) -> list[str]:
    """Record (or change) the year's grade of members who belonged to the cell during the year.

    `grades` maps member id -> Grade value; members left out keep their grade. Returns warnings:
    EXCELLENT members above 20% of GOOD members in the grassroots organization is a warning, with
    the numbers, not a refusal. A member already classified by another cell is refused.
    `expected_token` (selectors.classification_token when the page was opened): EditConflict if
    someone saved the cell's classification since.
    """
    require(by, Action.EDIT_CELL, cell)
    _lock(cell)
    check_token(expected_token, classification_token(cell=cell, year=year))
    errors: Errors = {}
    check_year(year, errors=errors)
    raise_if(errors)
    members = {m.pk: m for m in members_in_year(cell=cell, year=year)}
    cleaned: dict[int, str] = {}
    for member_id, grade in grades.items():
        if member_id not in members:
            add_error(
                errors, member_id,
                _("Đảng viên (mã %(id)s) không sinh hoạt tại chi bộ này trong năm %(year)s.")
                % {"id": member_id, "year": year},
            )
            continue
        value = choice(grade, Grade, key=member_id, errors=errors)
        if value is not None:
            cleaned[member_id] = value
    existing = {
        c.member_id: c
        for c in MemberClassification.objects.select_for_update(of=("self",))
        .filter(year=year, member_id__in=list(cleaned)).select_related("cell")
    }
    for member_id, c in existing.items():
        if c.cell_id != cell.pk:
            add_error(
                errors, member_id,
                _("%(name)s đã được %(cell)s xếp loại năm %(year)s.")
                % {"name": members[member_id].full_name, "cell": name_for(by, c.cell), "year": year},
            )
    raise_if(errors)
    to_update = []
    for member_id, grade in cleaned.items():
        c = existing.get(member_id)
        if c is not None:
            c.grade, c.classified_by = grade, by
            to_update.append(c)
    if to_update:
        for c in to_update:  # save() so classified_at (auto_now) moves
            c.save(update_fields=["grade", "classified_by", "classified_at"])
    MemberClassification.objects.bulk_create(
        MemberClassification(member_id=member_id, year=year, cell=cell, grade=grade, classified_by=by)
        for member_id, grade in cleaned.items()
        if member_id not in existing
    )
    return _excellence_warning(cell, year)


@transaction.atomic
def classify_organization(*, organization: Organization, year: int, grade: str, by,
                          expected_token: str | None = None) -> OrganizationClassification:
    """The committee above records an organization's grade for the year (Action.REVIEW on it, by the
    units above it that year); EditConflict if it was graded since `expected_token`
    (selectors.organization_grade_token)."""
    if isinstance(year, int) and not isinstance(year, bool) and 1900 <= year <= 9999:
        require_review_on(by, organization, dt.date(year, 12, 31))  # the units above it that year
    else:
        require(by, Action.REVIEW, organization)
    _lock(organization)
    check_token(expected_token, organization_grade_token(organization=organization, year=year))
    errors: Errors = {}
    check_year(year, errors=errors)
    value = choice(grade, Grade, key="grade", errors=errors)
    raise_if(errors)
    classification, _created = OrganizationClassification.objects.update_or_create(
        organization=organization, year=year, defaults={"grade": value, "classified_by": by}
    )
    return classification


def _belonged_under(member: Member, unit: Organization, year: int) -> bool:
    start, end = year_bounds(year)
    return Membership.objects.filter(overlaps(start, end), member=member, cell__path__startswith=unit.path).exists()


def _check_record_year(year: int, on: dt.date | None, errors: Errors, key: str = "awarded_on") -> None:
    if not check_year(year, errors=errors):
        return
    if on is not None:
        if on.year not in (year, year + 1):
            add_error(errors, key, _("Ngày phải thuộc năm %(year)s hoặc năm sau đó.") % {"year": year})
        check_not_future(on, key=key, errors=errors, what=_("Ngày khen thưởng"))


@transaction.atomic
def record_commendation(
    *, organization: Organization, year: int, awarded_on: dt.date, kind: str, issuer: str, content: str,
    recipient_member: Member | None = None, recipient_org: Organization | None = None, by,
) -> Commendation:
    """Record a commendation of a member or a collective of the organization's subtree.

    Needs Action.EDIT_CELL on `organization` (the recording unit).
    """
    require(by, Action.EDIT_CELL, organization)
    errors: Errors = {}
    _check_record_year(year, awarded_on, errors)
    kind = choice(kind, Commendation.Kind, key="kind", errors=errors)
    issuer = clean_text(issuer, key="issuer", errors=errors, max_length=TITLE_MAX, required=True,
                        required_message=_("Hãy nhập cấp khen thưởng."))
    content = clean_text(content, key="content", errors=errors, max_length=COMMITMENT_MAX, required=True,
                         required_message=_("Hãy nhập nội dung, thành tích."))
    if (recipient_member is None) == (recipient_org is None):
        add_error(errors, "recipient", _("Chọn đúng một người hoặc một tập thể được khen."))
    elif recipient_member is not None and not _belonged_under(recipient_member, organization, year):
        # never the person's name: they are outside the unit, so maybe outside what `by` may read
        add_error(
            errors, "recipient",
            _("Người được chọn không sinh hoạt trong %(org)s năm %(year)s.")
            % {"org": organization.name, "year": year},
        )
    elif recipient_org is not None and not recipient_org.path.startswith(organization.path):
        add_error(errors, "recipient", _("Tập thể được chọn không thuộc %(org)s.") % {"org": organization.name})
    raise_if(errors)
    return Commendation.objects.create(
        organization=organization, year=year, awarded_on=awarded_on, kind=kind, issuer=issuer, content=content,
        recipient_member=recipient_member, recipient_org=recipient_org, recorded_by=by,
    )


@transaction.atomic
def record_model_example(
    *, organization: Organization, year: int, kind: str, title: str, description: str = "",
    member: Member | None = None, by,
) -> ModelExample:
    """Record a good model (mô hình, cách làm hay) or an advanced example (gương điển hình tiên tiến).

    `member` is the person for an individual example; empty for a collective. Needs Action.EDIT_CELL.
    """
    require(by, Action.EDIT_CELL, organization)
    errors: Errors = {}
    _check_record_year(year, None, errors)
    kind = choice(kind, ModelExample.Kind, key="kind", errors=errors)
    title = clean_text(title, key="title", errors=errors, max_length=TITLE_MAX, required=True,
                       required_message=_("Hãy nhập tên mô hình, điển hình."))
    description = clean_text(description, key="description", errors=errors, max_length=TEXT_MAX)
    if member is not None and "year" not in errors and not _belonged_under(member, organization, year):
        add_error(
            errors, "member",
            _("Người được chọn không sinh hoạt trong %(org)s năm %(year)s.")
            % {"org": organization.name, "year": year},
        )
    raise_if(errors)
    return ModelExample.objects.create(
        organization=organization, year=year, kind=kind, title=title, description=description, member=member,
        recorded_by=by,
    )


__all__ = ["classify_members", "classify_organization", "record_commendation", "record_model_example"]
