"""Step 3: the checked batch applied (everything or nothing) or discarded; what its preview shows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directive03.concurrency import EditConflict

from .. import services
from ..models import ImportBatch, Member, Membership, Organization
from ..text import fold
from .common import MEMBER_FIELDS, target_cells
from .plan import _member_fields, _plan, _since, base_token, replan

# -- services --------------------------------------------------------------------------------

def _locked_pending(batch: ImportBatch, by) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().select_related("organization").get(pk=batch.pk)
    if batch.created_by_id != by.pk:
        raise ValidationError(_("Chỉ người tải tệp lên mới được xác nhận hoặc hủy."), code="not_creator")
    if batch.status != ImportBatch.Status.PENDING:
        raise ValidationError(_("Lần nhập này đã được xác nhận hoặc đã hủy."), code="not_pending")
    return batch


def conflict_message() -> str:
    return _(
        "Danh sách đảng viên đã được người khác thay đổi sau khi tệp của bạn được kiểm tra (một lần nhập "
        "khác hoặc một lần sửa), nên lần nhập này CHƯA được ghi và không có gì bị ghi đè. Bản xem trước "
        "dưới đây đã được kiểm tra lại theo dữ liệu mới nhất: hãy xem lại rồi xác nhận lần nữa."
    )


def import_apply(*, batch: ImportBatch, by, expected_token: str | None = None) -> ImportBatch:
    """Write the batch's members: create new ones, update known ones, move them between the commune's
    cells through member_transfer. Everything or nothing; refused while the batch has errors.

    The version check: the members the preview was made from must be as they were (batch.base_token,
    and `expected_token`, the token of the preview page the user confirmed). Otherwise nothing is
    written, the batch's preview is made again on the current data, and EditConflict is raised."""
    conflict = False
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
            # the cells' rows are the members' owners: two imports (a cell's, its commune's) that may
            # touch the same members are serialized here, then the version is compared
            Organization.objects.select_for_update().filter(pk__in=[org.pk, *(c.pk for c in cells)]) \
                .values_list("pk", flat=True).count()
            rows = [r for r in batch.rows if r.get("values")]
            if (expected_token is not None and expected_token != batch.base_token) or \
                    base_token(rows, cells) != batch.base_token:
                batch.errors, batch.base_token = replan(batch.rows, org=org, user=by, today=today)
                batch.save(update_fields=["rows", "errors", "base_token"])
                conflict = True
            else:
                _write(batch, rows, org=org, cells=cells, by=by, today=today)
    except IntegrityError:
        raise ValidationError(
            _("Dữ liệu đảng viên vừa bị thay đổi trong lúc nhập; không có gì được ghi. Hãy tải tệp lên lại."),
            code="conflict",
        ) from None
    if conflict:  # the refreshed preview is committed; the members were not touched
        raise EditConflict(conflict_message())
    return batch


def _write(batch: ImportBatch, rows: list[dict], *, org: Organization, cells: list[Organization], by,
           today) -> None:
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

