"""Step 3: the checked batch applied (everything or nothing) or discarded; what its preview shows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import services
from ..models import ImportBatch, Member, Membership
from ..text import fold
from .common import MEMBER_FIELDS, target_cells
from .plan import _member_fields, _plan, _since

# -- services --------------------------------------------------------------------------------

def _locked_pending(batch: ImportBatch, by) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().select_related("organization").get(pk=batch.pk)
    if batch.created_by_id != by.pk:
        raise ValidationError(_("Chỉ người tải tệp lên mới được xác nhận hoặc hủy."), code="not_creator")
    if batch.status != ImportBatch.Status.PENDING:
        raise ValidationError(_("Lần nhập này đã được xác nhận hoặc đã hủy."), code="not_pending")
    return batch


def import_apply(*, batch: ImportBatch, by) -> ImportBatch:
    """Write the batch's members: create new ones, update known ones, move them between the commune's
    cells through member_transfer. Everything or nothing; refused while the batch has errors."""
    try:
        with transaction.atomic():
            batch = _locked_pending(batch, by)
            if batch.errors:
                raise ValidationError(
                    _("Tệp còn lỗi nên không nhập được. Hãy sửa tệp và tải lên lại."), code="has_errors"
                )
            org = batch.organization
            today = timezone.localdate()
            cells = target_cells(org)
            rows = [r for r in batch.rows if r.get("values")]
            plan = _plan(rows, org=org, cells=cells, user=by, today=today)
            if plan.errors:
                raise ValidationError(
                    [_("Dòng %(line)s: %(message)s") % e for e in plan.errors], code="changed"
                )
            cells_by_id = {c.pk: c for c in cells}
            new = [
                Member(card_number=v["card_number"], cell=cells_by_id[v["cell_id"]], **_member_fields(v))
                for v in plan.creates
            ]
            Member.objects.bulk_create(new, batch_size=500)
            Membership.objects.bulk_create(
                [Membership(member=m, cell_id=m.cell_id, start=_since(v) or today) for m, v in zip(new, plan.creates,
                                                                                                   strict=True)],
                batch_size=500,
            )
            for member_id, start in plan.restarts:
                Membership.objects.filter(member_id=member_id, end__isnull=True).update(start=start)
            changed = []
            for member, values in plan.updates + plan.moves:
                for key, value in _member_fields(values).items():
                    setattr(member, key, value)
                member.search_key = fold(member.full_name)[: Member._meta.get_field("search_key").max_length]
                changed.append(member)
            Member.objects.bulk_update(changed, [*MEMBER_FIELDS, "search_key"], batch_size=500)
            for member, values in plan.moves:
                services.member_transfer(member=member, to_cell=cells_by_id[values["cell_id"]],
                                         on=_since(values) or today)
            batch.status = ImportBatch.Status.APPLIED
            batch.applied_at = timezone.now()
            batch.created_count = len(new)
            batch.updated_count = len(changed)
            batch.save(update_fields=["status", "applied_at", "created_count", "updated_count"])
    except IntegrityError:
        raise ValidationError(
            _("Dữ liệu đảng viên vừa bị thay đổi trong lúc nhập; không có gì được ghi. Hãy tải tệp lên lại."),
            code="conflict",
        ) from None
    return batch


@transaction.atomic
def import_discard(*, batch: ImportBatch, by) -> ImportBatch:
    batch = _locked_pending(batch, by)
    batch.status = ImportBatch.Status.DISCARDED
    batch.save(update_fields=["status"])
    return batch


# -- preview ---------------------------------------------------------------------------------

def batch_summary(batch: ImportBatch) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "move": 0, "same": 0}
    for row in batch.rows:
        if row.get("action") in counts:
            counts[row["action"]] += 1
    counts["rows"] = len(batch.rows)
    counts["error_rows"] = len({e["line"] for e in batch.errors if e["line"]})
    counts["errors"] = len(batch.errors)
    return counts


def preview_rows(batch: ImportBatch, *, limit: int = 1000) -> list[dict]:
    """Rows to show: those with errors when there are any, else all of them (up to `limit`)."""
    by_line: dict[int, list[dict]] = {}
    for error in batch.errors:
        if error["line"]:
            by_line.setdefault(error["line"], []).append(error)
    rows = [r for r in batch.rows if r["line"] in by_line] if by_line else batch.rows
    return [{**r, "errors": by_line.get(r["line"], [])} for r in rows[:limit]]

