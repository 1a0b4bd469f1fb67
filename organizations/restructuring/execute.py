"""Apply a plan: in one transaction or not at all; a plan dated in the future waits for its date.

Future dates: nothing of a plan dated after today touches the live tree, the history or anyone's
access before that date. Applying it only schedules it; the daily beat task
(`organizations.apply_due_plans`) applies it on its date, after checking it again on the tree of
that day (a plan that no longer fits is marked failed with its problems, and changes nothing).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directive03.concurrency import EditConflict

from ..access import access_for
from ..models import Member, Membership, Organization, OrganizationVersion, RestructurePlan
from ..services import check_not_future
from .simulation import ChangeSpec, Simulation, simulate, simulate_plan

Status = RestructurePlan.Status
STEPLEN = Organization.steplen


class PlanProblems(ValidationError):
    """The plan has problems: nothing was changed."""


def may_restructure(user, province: Organization) -> bool:
    return access_for(user).restructures(province)


def _raise_problems(sim: Simulation) -> None:
    if sim.problems:
        raise PlanProblems(sim.problems, code="problems")


def execute(sim: Simulation) -> dict[int, int]:
    """Write a simulation without problems; returns the ids of the created units (temp id -> id).
    The caller holds the transaction."""
    _raise_problems(sim)
    on = sim.on
    before, after = sim.before, sim.after
    created: dict[int, int] = {}
    # 1. new units, parents before children (a new commune, then its new cells)
    for temp in sim.created:
        node = after[temp]
        parent_id = created.get(node.parent_id, node.parent_id)
        parent = Organization.objects.get(pk=parent_id)
        org = Organization.objects.add_child(parent, dict(
            name=node.name, level=node.level, kind=node.kind, issuer_code=node.issuer_code,
            place_name=node.place_name, valid_from=on,
        ))
        created[temp] = org.pk
        OrganizationVersion.objects.create(organization=org, parent_id=parent_id, name=org.name,
                                           place_name=org.place_name, issuer_code=org.issuer_code, valid_from=on)

    def real(pk: int | None) -> int | None:
        return created.get(pk, pk) if pk is not None else None

    # 2. moves: every path of the province recomputed at once (one read, one bulk update), not one
    #    treebeard move per unit (each of which rewrites its subtree: 772 moves took minutes)
    moves = {n.id: real(n.parent_id) for n in after.values()
             if not n.created and not n.closed and n.parent_id != before[n.id].parent_id}
    if moves:
        relink(sim.province_id, moves)

    # 3. the dated history: close each touched unit's open period at `on`, open the new one
    changed = {n.id for n in after.values() if not n.created and not n.closed and (
        n.parent_id != before[n.id].parent_id or n.name != before[n.id].name
        or n.place_name != before[n.id].place_name)}
    closed = {n.id for n in after.values() if not n.created and n.closed}
    open_versions = {v.organization_id: v for v in OrganizationVersion.objects.select_for_update()
                     .filter(organization_id__in=changed | closed, valid_to__isnull=True)}
    new_versions, ended, emptied = [], [], []
    for pk in changed | closed:
        version = open_versions.get(pk)
        if version is not None and version.valid_from >= on:
            emptied.append(version.pk)  # a period that began on the same date: replaced
        elif version is not None:
            version.valid_to = on
            ended.append(version)
        if pk in changed:
            node = after[pk]
            new_versions.append(OrganizationVersion(
                organization_id=pk, parent_id=real(node.parent_id), name=node.name, place_name=node.place_name,
                issuer_code=node.issuer_code, valid_from=on,
            ))
    OrganizationVersion.objects.filter(pk__in=emptied).delete()
    OrganizationVersion.objects.filter(pk__in=[v.pk for v in ended]).update(valid_to=on)
    OrganizationVersion.objects.bulk_create(new_versions, batch_size=500)
    for node in (after[pk] for pk in changed):
        if node.name != before[node.id].name or node.place_name != before[node.id].place_name:
            org = Organization.objects.get(pk=node.id)
            org.name, org.place_name = node.name, node.place_name
            org.save(update_fields=["name", "search_key", "place_name"])

    # 4. the members of absorbed cells, in the plan's order (a cell absorbed twice passes them on)
    for source, target in sim.member_moves:
        target = real(target)
        same_day = Membership.objects.filter(cell_id=source, end__isnull=True, start=on)
        same_day.update(cell_id=target)
        running = list(Membership.objects.filter(cell_id=source, end__isnull=True, start__lt=on))
        Membership.objects.filter(pk__in=[m.pk for m in running]).update(end=on)
        Membership.objects.bulk_create(
            [Membership(member_id=m.member_id, cell_id=target, start=on) for m in running], batch_size=1000
        )
        Member.objects.filter(cell_id=source).update(cell_id=target)

    # 5. closures
    Organization.objects.filter(pk__in=closed).update(valid_to=on)
    return created


def relink(province_id: int, moves: dict[int, int]) -> int:
    """Put each unit of `moves` (id -> new parent id) under its new parent with its whole subtree, by
    recomputing the materialized paths of the province in memory. A moved unit takes a step above every
    step its new parent's children use, so no new path can clash with an old one and one bulk update
    suffices. Returns the number of rows rewritten."""
    province = Organization.objects.get(pk=province_id)
    rows = list(
        Organization.objects.filter(path__startswith=province.path).values_list("id", "path", "depth", "numchild")
    )
    by_path = {path: pk for pk, path, _d, _n in rows}
    parent = {pk: by_path.get(path[:-STEPLEN]) for pk, path, _d, _n in rows if len(path) > STEPLEN}
    top: dict[int, int] = {}
    step = {pk: path[-STEPLEN:] for pk, path, _d, _n in rows}
    for pk, path, _d, _n in rows:
        if pk in parent:
            top[parent[pk]] = max(top.get(parent[pk], 0), Organization._str2int(path[-STEPLEN:]))
    old_paths = {pk: path for pk, path, _d, _n in rows}
    for pk in sorted(moves, key=old_paths.__getitem__):  # keep their old order under the new parent
        new_parent = moves[pk]
        top[new_parent] = top.get(new_parent, 0) + 1
        step[pk] = Organization._int2str(top[new_parent]).rjust(STEPLEN, Organization.alphabet[0])
        parent[pk] = new_parent
    children: dict[int, list[int]] = {}
    for pk, p in parent.items():
        children.setdefault(p, []).append(pk)
    new_path = {province.pk: province.path}
    stack = [province.pk]
    while stack:
        pk = stack.pop()
        for child in children.get(pk, ()):
            new_path[child] = new_path[pk] + step[child]
            stack.append(child)
    old = {pk: (path, depth, numchild) for pk, path, depth, numchild in rows}
    changed = []
    for pk, path in new_path.items():
        numchild = len(children.get(pk, ()))
        if (path, len(path) // STEPLEN, numchild) != old[pk]:
            changed.append(Organization(pk=pk, path=path, depth=len(path) // STEPLEN, numchild=numchild))
    if len(new_path) != len(rows):
        raise RuntimeError("relink: a unit of the province is not reachable from it")
    # one statement per row, sent together: Django's bulk_update builds a CASE per row and field,
    # which took 40 s of Python for the 4,000 rows of a province
    table = connection.ops.quote_name(Organization._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET path = %s, depth = %s, numchild = %s WHERE id = %s",
            [(o.path, o.depth, o.numchild, o.pk) for o in changed],
        )
    return len(changed)


@transaction.atomic
def apply_plan(*, plan: RestructurePlan, by, today: dt.date | None = None,
               expected_token: str | None = None) -> RestructurePlan:
    """Check the plan on today's tree and apply it in one transaction, or schedule it when its date is
    in the future. Raises PlanProblems (nothing changed) when the plan has problems, EditConflict
    when the plan changed since its page was opened (`expected_token`: plans.plan_token)."""
    from .plans import plan_token

    plan = RestructurePlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    if by is not None and not may_restructure(by, plan.province):
        raise PermissionDenied
    if expected_token is not None and expected_token != plan_token(plan):
        raise EditConflict(_(
            "Phương án vừa được người khác thay đổi sau khi bạn mở trang (thêm, xóa thay đổi, áp dụng hoặc "
            "hủy), nên CHƯA áp dụng gì. Hãy xem lại phương án dưới đây rồi áp dụng lần nữa."))
    if plan.status not in (Status.DRAFT, Status.SCHEDULED, Status.FAILED):
        raise ValidationError(_("Phương án đã được áp dụng hoặc đã hủy."), code="state")
    today = today or timezone.localdate()
    sim = simulate_plan(plan)
    _raise_problems(sim)
    if plan.effective_on > today:
        plan.status = Status.SCHEDULED
        plan.applied_by = by
        plan.problems = []
        plan.save(update_fields=["status", "applied_by", "problems"])
        return plan
    execute(sim)
    plan.status = Status.APPLIED
    plan.applied_by = by or plan.applied_by or plan.created_by
    plan.applied_at = timezone.now()
    plan.problems = []
    plan.save(update_fields=["status", "applied_by", "applied_at", "problems"])
    return plan


def apply_due_plans(today: dt.date | None = None) -> dict[str, int]:
    """Apply the scheduled plans whose date has come (the daily beat task). A plan that no longer fits
    the tree is marked failed with its problems; the others are not held back by it."""
    today = today or timezone.localdate()
    done = failed = 0
    due = RestructurePlan.objects.filter(status=Status.SCHEDULED, effective_on__lte=today).order_by("effective_on", "id")
    for plan in due:
        try:
            apply_plan(plan=plan, by=None, today=today)
            done += 1
        except ValidationError as exc:
            RestructurePlan.objects.filter(pk=plan.pk).update(status=Status.FAILED, problems=exc.messages)
            failed += 1
    return {"applied": done, "failed": failed}


@transaction.atomic
def apply_changes(*, province: Organization, on: dt.date, changes: list[ChangeSpec]) -> dict[int, int]:
    """Apply a few changes at once (the admin's rename + move): the same checks, all or nothing.
    A future date is refused: a dated-in-the-future change belongs in a plan."""
    check_not_future(on)
    return execute(simulate(province, on, changes))
