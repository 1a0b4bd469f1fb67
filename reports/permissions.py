"""Who may read, write, approve a report: the access layer's rules applied to the round's tree.

A report belongs to the tree as it stood at the round's cut-off: its `tree_path` lists the ids of
the units above it then. A role reaches a report when its unit is on that path, or (for units that
moved since) when the report's unit is in the role's current subtree.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from organizations.access import Access, access_for
from organizations.models import Level, Organization, Role

from .models import Report, ReportingRound

WRITER_KINDS = (Role.Kind.APPROVER, Role.Kind.ADMIN)


def _on_path(report: Report, org_id: int) -> bool:
    return f"/{org_id}/" in report.tree_path


def _closed(access: Access) -> set[int]:
    """The ids of the units closed by today (giải thể, hợp nhất): one query per request, kept on the
    user's Access, so a page of many reports does not grow with them."""
    cached = getattr(access, "_closed_units", None)
    if cached is None:
        today = timezone.localdate()
        cached = set(Organization.objects.filter(valid_to__lte=today).values_list("pk", flat=True))
        access._closed_units = cached
    return cached


def approver_unit(report: Report, closed: set[int]) -> int | None:
    """The unit that approves the report: its parent at the cut-off, or, when that unit has been closed
    since (a district after 1-7-2025), the nearest unit above it on the report's path that still exists.
    A role on a closed unit approves nothing."""
    if report.parent_id is None:
        return None
    if report.parent_id not in closed:
        return report.parent_id
    ids = [int(x) for x in report.tree_path.strip("/").split("/") if x][:-1]
    for pk in reversed(ids):
        if pk not in closed:
            return pk
    return None


def reads(access: Access, report: Report) -> bool:
    if access.is_superuser:
        return True
    return any(_on_path(report, g.org_id) for g in access.grants) or access.reads(report.organization)


def visible_q(access: Access) -> Q:
    """A filter on Report for what the user may read."""
    if access.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for g in access.grants:
        q |= Q(tree_path__contains=f"/{g.org_id}/") | Q(organization__path__startswith=g.path)
    return q


def writes(access: Access, report: Report) -> bool:
    """The unit's own people write its report: a cell's secretary; a committee's approvers or admins;
    the province's board. A role on a unit closed since (giải thể, hợp nhất) keeps reading and writes
    nothing; the approver is the parent at the cut-off (`Report.parent`), never today's parent."""
    if access.is_superuser:
        return True
    for g in access.acting_grants():
        if g.kind == Role.Kind.ADMIN and _on_path(report, g.org_id):
            return True
        if g.org_id != report.organization_id:
            continue
        if report.level == Level.CELL and g.kind == Role.Kind.CELL_SECRETARY:
            return True
        if report.level != Level.CELL and g.kind in WRITER_KINDS:
            return True
        if report.level == Level.PROVINCE and g.kind == Role.Kind.BOARD:
            return True
    closed = _closed(access)
    if report.organization_id in closed:
        # a unit closed since the cut-off: the unit that now approves its report writes it too
        unit = approver_unit(report, closed)
        return any(g.org_id == unit and g.kind in (*WRITER_KINDS, Role.Kind.BOARD) for g in access.acting_grants())
    return False


def approves(access: Access, report: Report) -> bool:
    """The committee directly above at the cut-off approves (the board for the province's children);
    see approver_unit for a parent closed since."""
    if report.parent_id is None:
        return False
    if access.is_superuser:
        return True
    unit = approver_unit(report, _closed(access))
    for g in access.acting_grants():
        if g.org_id == unit and g.kind in (Role.Kind.APPROVER, Role.Kind.BOARD):
            return True
        if g.kind == Role.Kind.ADMIN and _on_path(report, g.org_id) and g.org_id != report.organization_id:
            return True
    return False


def opens_rounds(access: Access, province_id: int) -> bool:
    return access.is_superuser or any(
        g.org_id == province_id and g.kind in (Role.Kind.BOARD, Role.Kind.ADMIN) for g in access.acting_grants()
    )


def get_report_for_user(user, pk: int, *, write: bool = False, approve: bool = False) -> Report:
    """The report if the user may read it (else 404) and write/approve it when asked (else 403)."""
    report = Report.objects.select_related("round", "organization").filter(pk=pk).first()
    access = access_for(user)
    if report is None or not reads(access, report):
        raise Http404
    if write and not writes(access, report):
        raise PermissionDenied
    if approve and not approves(access, report):
        raise PermissionDenied
    return report


def get_round_for_user(user, pk: int) -> ReportingRound:
    """A round is visible to anyone with a role in its province."""
    rnd = ReportingRound.objects.select_related("province").filter(pk=pk).first()
    access = access_for(user)
    if rnd is None:
        raise Http404
    if not access.is_superuser and not any(g.path.startswith(rnd.province.path) for g in access.grants):
        raise Http404
    return rnd
