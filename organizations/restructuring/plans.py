"""Writes to a plan while it is prepared: create it, add changes (one by one or from a spreadsheet,
all rows or none), remove a change, discard it. Applying is in `execute`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils.translation import gettext as _

from directive03.concurrency import edit_token

from ..access import access_for
from ..models import KINDS_BY_LEVEL, Kind, Level, Organization, PlanChange, RestructurePlan
from ..text import clean_name, fold
from .units import UnitIndex

Op = PlanChange.Op
Status = RestructurePlan.Status
EDITABLE = (Status.DRAFT, Status.FAILED)

#: What a user may write in the "Loại thay đổi" column or pick in the form (folded).
OP_WORDS = {
    **{fold(str(label)): value for value, label in Op.choices},
    "chuyen": Op.MOVE, "chuyen den": Op.MOVE, "hop nhat": Op.MERGE, "sap nhap": Op.MERGE, "sap nhap vao": Op.MERGE,
    "thanh lap": Op.CREATE, "doi ten": Op.RENAME, "giai the": Op.CLOSE,
}
LEVEL_WORDS = {
    **{fold(str(label)): value for value, label in Level.choices if value != Level.PROVINCE},
    "huyen": Level.DISTRICT, "co so": Level.COMMUNE, "xa": Level.COMMUNE, "cap xa": Level.COMMUNE,
}
KIND_WORDS = {fold(str(label)): value for value, label in Kind.choices}


def provinces_for(user) -> list[Organization]:
    """The provinces whose plans the user prepares (board or administrator of the province)."""
    access = access_for(user)
    provinces = Organization.objects.filter(depth=1, valid_to__isnull=True).order_by("path")
    return [p for p in provinces if access.restructures(p)]


def get_plan_for_user(user, pk: int) -> RestructurePlan:
    """The plan if the user may prepare plans for its province (else 404: a plan is the board's)."""
    plan = RestructurePlan.objects.select_related("province").filter(pk=pk).first()
    if plan is None or not access_for(user).restructures(plan.province):
        raise Http404
    return plan


def plan_token(plan: RestructurePlan) -> str:
    """The version of a plan as its page showed it (its date, state and every change): applying is
    refused when another board member changed it since."""
    rows: list[tuple] = [("plan", plan.title, plan.effective_on, plan.status)]
    rows += [("change", *c) for c in plan.changes.values_list(
        "pk", "position", "op", "unit_id", "target_id", "target_change_id", "new_name", "place_name", "level",
        "unit_kind", "issuer_code")]
    return edit_token(rows)


def _require(by, province: Organization) -> None:
    if not access_for(by).restructures(province):
        raise PermissionDenied


def plan_create(*, province: Organization, title: str, effective_on: dt.date, by) -> RestructurePlan:
    _require(by, province)
    title = clean_name(title or "")
    if not title:
        raise ValidationError({"title": _("Hãy nhập tên phương án.")})
    return RestructurePlan.objects.create(province=province, title=title, effective_on=effective_on, created_by=by)


def _check_editable(plan: RestructurePlan) -> None:
    if plan.status not in EDITABLE:
        raise ValidationError(
            _("Phương án đang ở trạng thái “%(s)s”, không sửa được.") % {"s": plan.get_status_display()},
            code="state",
        )


@dataclass
class RowInput:
    """A change as typed: the unit and target as text (resolved against the province)."""

    op: str
    unit: object = ""
    target: object = ""
    new_name: str = ""
    place_name: str = ""
    level: str = ""
    unit_kind: str = ""
    issuer_code: str = ""


def _word(value: object, words: Mapping[str, str], valid: Iterable[str]) -> str | None:
    text = str(value or "").strip()
    if text in valid:
        return text
    return words.get(fold(text))


def _to_change(row: RowInput, index: UnitIndex, created: dict[str, PlanChange], errors: dict) -> PlanChange | None:
    op = _word(row.op, OP_WORDS, Op.values)
    if op is None:
        errors["op"] = _("Loại thay đổi phải là: chuyển trực thuộc, hợp nhất vào, đổi tên, giải thể, thành lập mới.")
        return None
    change = PlanChange(op=op, new_name=clean_name(str(row.new_name or "")),
                        place_name=clean_name(str(row.place_name or "")), issuer_code=str(row.issuer_code or "").strip())
    if op != Op.CREATE:
        change.unit_id, message = index.resolve(row.unit)
        if message:
            errors["unit"] = _("Đơn vị: %(m)s") % {"m": message}
    if op in (Op.MOVE, Op.MERGE, Op.CREATE):
        new_unit = created.get(fold(str(row.target or "")))
        if new_unit is not None:
            change.target_change = new_unit
        else:
            change.target_id, message = index.resolve(row.target)
            if message:
                errors["target"] = _("Đơn vị đích: %(m)s") % {"m": message}
    if op == Op.RENAME and not change.new_name:
        errors["new_name"] = _("Hãy nhập tên mới.")
    if op == Op.CREATE:
        if not change.new_name:
            errors["new_name"] = _("Hãy nhập tên đơn vị mới.")
        change.level = _word(row.level, LEVEL_WORDS, Level.values) or ""
        if not change.level or change.level == Level.PROVINCE:
            errors["level"] = _("Cấp của đơn vị mới: cấp huyện, cấp cơ sở hoặc chi bộ.")
        change.unit_kind = _word(row.unit_kind, KIND_WORDS, Kind.values) or ""
        if change.level and change.level in Level.values and change.unit_kind not in KINDS_BY_LEVEL[Level(change.level)]:
            errors["unit_kind"] = _("Loại hình không phù hợp với cấp của đơn vị mới.")
        if not change.issuer_code:
            errors["issuer_code"] = _("Hãy nhập ký hiệu cơ quan ban hành (ví dụ ĐU, CB).")
    return None if errors else change


def _created_units(plan: RestructurePlan) -> dict[str, PlanChange]:
    return {fold(c.new_name): c for c in plan.changes.filter(op=Op.CREATE)}


@transaction.atomic
def change_add(*, plan: RestructurePlan, row: RowInput, by) -> PlanChange:
    plan = RestructurePlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    _require(by, plan.province)
    _check_editable(plan)
    errors: dict = {}
    change = _to_change(row, UnitIndex(plan.province), _created_units(plan), errors)
    if change is None:
        raise ValidationError(errors)
    change.plan = plan
    change.position = (plan.changes.aggregate(n=Max("position"))["n"] or 0) + 1
    change.save()
    _back_to_draft(plan)
    return change


@transaction.atomic
def changes_import(*, plan: RestructurePlan, rows: list[tuple[int, RowInput]], by) -> int:
    """Add every row of a spreadsheet, or none: returns the number added; raises ValidationError with
    one message per bad row ("Dòng 7: ...")."""
    plan = RestructurePlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    _require(by, plan.province)
    _check_editable(plan)
    index = UnitIndex(plan.province)
    created = _created_units(plan)
    position = plan.changes.aggregate(n=Max("position"))["n"] or 0
    messages, changes = [], []
    for line, row in rows:
        errors: dict = {}
        change = _to_change(row, index, created, errors)
        if change is None:
            messages.extend(_("Dòng %(line)s: %(m)s") % {"line": line, "m": m} for m in errors.values())
            continue
        position += 1
        change.plan, change.position = plan, position
        change.save()  # one by one: a later row may target a unit created by an earlier one
        if change.op == Op.CREATE:
            created[fold(change.new_name)] = change
        changes.append(change)
    if not rows:
        messages.append(_("Tệp không có dòng thay đổi nào."))
    if messages:
        raise ValidationError(messages)  # the atomic block rolls the rows added so far back
    _back_to_draft(plan)
    return len(changes)


def _back_to_draft(plan: RestructurePlan) -> None:
    if plan.status == Status.FAILED:
        plan.status, plan.problems = Status.DRAFT, []
        plan.save(update_fields=["status", "problems"])


@transaction.atomic
def change_delete(*, plan: RestructurePlan, change_id: int, by) -> None:
    plan = RestructurePlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    _require(by, plan.province)
    _check_editable(plan)
    deleted, _detail = PlanChange.objects.filter(plan=plan, pk=change_id).delete()
    if not deleted:
        raise ValidationError(_("Không tìm thấy thay đổi này trong phương án."))
    _back_to_draft(plan)


@transaction.atomic
def plan_discard(*, plan: RestructurePlan, by) -> RestructurePlan:
    plan = RestructurePlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
    _require(by, plan.province)
    if plan.status not in (*EDITABLE, Status.SCHEDULED):
        raise ValidationError(_("Phương án đã áp dụng, không hủy được."), code="state")
    plan.status = Status.DISCARDED
    plan.save(update_fields=["status"])
    return plan
