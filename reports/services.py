"""Report workflow: open a round, write, submit, approve or return, reopen, close.

Every transition checks the round, the state and the user's right, writes an audit row, and
runs in one transaction with the report row locked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directive03 import formats
from organizations.access import access_for
from organizations.models import Level, Organization
from organizations.selectors import tree_as_of
from organizations.text import clean_text, vi_order

from . import counts, notifications, permissions, rollup
from . import figures as F_
from .models import SECTION_MAX, Report, ReportEvent, ReportingRound, ReturnReason

State = Report.State


class StaleReport(ValidationError):
    """Someone else saved the report since this user opened it."""


def _check_open(rnd: ReportingRound) -> None:
    if not rnd.is_open:
        raise ValidationError(_("Đợt báo cáo đã khóa, không thể thay đổi."), code="closed")


def _lock(report: Report) -> Report:
    locked = Report.objects.select_for_update().select_related("round", "organization").get(pk=report.pk)
    return locked


def _event(report: Report, action: str, by, note: str = "") -> ReportEvent:
    return ReportEvent.objects.create(report=report, action=action, by=by, note=note)


# -- rounds -----------------------------------------------------------------------------------

LEVELS_UP = ("cell", "commune", "district", "province")


def _deadlines_for_tree(roots, deadlines: Mapping[str, dt.date | None], cutoff: dt.date,
                        errors: dict) -> list[dt.date | None]:
    """The four deadlines, bottom-up. Only the levels the tree has at the cut-off need one (after
    1-7-2025 there is no district level); a level it lacks takes the deadline of the level below it
    (or above, for the lowest), which keeps the order."""
    present = {n.level for n in roots[0].walk()} if roots else set(LEVELS_UP)
    present.add("province")
    needed = [k for k in LEVELS_UP if k in present]
    if any(deadlines.get(k) is None for k in needed):
        errors["deadlines"] = _("Hãy nhập đủ hạn nộp cho từng cấp.")
        return [None] * 4
    given = [deadlines[k] for k in needed]
    if given != sorted(given):
        errors["deadlines"] = _("Hạn nộp phải theo thứ tự từ dưới lên: chi bộ, cơ sở, huyện, tỉnh.")
    elif cutoff and given[0] < cutoff:
        errors["deadlines"] = _("Hạn nộp của chi bộ không được trước ngày chốt số liệu.")
    order: list[dt.date | None] = [deadlines[k] if k in present else None for k in LEVELS_UP]
    for i in range(1, 4):
        order[i] = order[i] or order[i - 1]
    for i in range(2, -1, -1):
        order[i] = order[i] or order[i + 1]
    return order


@transaction.atomic
def round_withdraw(*, rnd: ReportingRound, by) -> None:
    """Withdraw a round opened by mistake: only while nothing in it has been submitted. Its reports and
    their drafts go with it."""
    rnd = ReportingRound.objects.select_for_update().get(pk=rnd.pk)
    if not permissions.opens_rounds(access_for(by), rnd.province_id):
        raise PermissionDenied
    _check_open(rnd)
    if Report.objects.filter(round=rnd, submitted_at__isnull=False).exists():
        raise ValidationError(
            _("Đã có báo cáo được gửi trong đợt này nên không rút được đợt; hãy khóa đợt sau hạn cuối."),
            code="submitted",
        )
    rnd.delete()


@transaction.atomic
def round_open(
    *, by, province: Organization, directive, title: str, kind: str, period_start: dt.date,
    period_end: dt.date, cutoff: dt.date, deadlines: Mapping[str, dt.date], years: int = 1,
) -> ReportingRound:
    """Open a round and create one report for every unit of the province's tree at the cut-off."""
    if not permissions.opens_rounds(access_for(by), province.pk):
        raise PermissionDenied
    errors: dict[str, str] = {}
    title = clean_text(title or "").strip()
    if not title:
        errors["title"] = _("Hãy nhập tên đợt báo cáo.")
    if period_start > period_end:
        errors["period_end"] = _("Ngày kết thúc phải sau ngày bắt đầu.")
    if cutoff < period_start:
        errors["cutoff"] = _("Ngày chốt số liệu phải nằm sau ngày bắt đầu kỳ báo cáo.")
    roots = tree_as_of(cutoff, root_id=province.pk) if cutoff else []
    order = _deadlines_for_tree(roots, deadlines, cutoff, errors)
    if errors:
        raise ValidationError(errors)
    if not roots:
        raise ValidationError({"cutoff": _("Tại ngày chốt số liệu, tỉnh chưa có trong hệ thống.")})
    rnd = ReportingRound.objects.create(
        province=province, directive=directive, title=title, kind=kind, years=years,
        period_start=period_start, period_end=period_end, cutoff=cutoff,
        deadline_cell=order[0], deadline_commune=order[1], deadline_district=order[2],
        deadline_province=order[3], created_by=by,
    )
    reports: list[Report] = []

    def walk(node, path: str):
        tree_path = f"{path}{node.id}/"
        reports.append(Report(
            round=rnd, organization_id=node.id, parent_id=node.parent_id if path != "/" else None,
            tree_path=tree_path, level=node.level, name=node.name, figures=F_.empty(),
        ))
        for child in node.children:
            walk(child, tree_path)

    walk(roots[0], "/")
    Report.objects.bulk_create(reports, batch_size=2000)
    counts.rebuild(rnd)
    rollup.refresh_round(rnd, full=True)
    return rnd


@transaction.atomic
def round_close(*, rnd: ReportingRound, by, today: dt.date | None = None) -> ReportingRound:
    rnd = ReportingRound.objects.select_for_update().get(pk=rnd.pk)
    if not permissions.opens_rounds(access_for(by), rnd.province_id):
        raise PermissionDenied
    _check_open(rnd)
    today = today or timezone.localdate()
    if today <= rnd.last_deadline:
        raise ValidationError(
            _("Chỉ khóa được đợt báo cáo sau hạn cuối (%(date)s).") % {"date": formats.short_date(rnd.last_deadline)},
            code="before_deadline",
        )
    rnd.status = ReportingRound.Status.CLOSED
    rnd.closed_by, rnd.closed_at = by, timezone.now()
    rnd.save(update_fields=["status", "closed_by", "closed_at"])
    return rnd


# -- writing ----------------------------------------------------------------------------------

def _clean_typed(values: Mapping[str, object], errors: dict) -> dict[str, int]:
    typed: dict[str, int] = {}
    for code in F_.TYPED:
        raw = values.get(code)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            number = int(str(raw).strip())
        except ValueError:
            errors[f"figure:{code}"] = _("Hãy nhập một số nguyên.")
            continue
        if number < 0 or number > 1_000_000:
            errors[f"figure:{code}"] = _("Số phải từ 0 đến 1.000.000.")
            continue
        typed[code] = number
    return typed


@transaction.atomic
def report_save(*, report: Report, sections: Mapping[str, str], typed: Mapping[str, object],
                expected_version: int, by) -> Report:
    """Save the narrative and the typed figures of a draft or returned report."""
    report = _lock(report)
    if not permissions.writes(access_for(by), report):
        raise PermissionDenied
    _check_open(report.round)
    if report.state not in (State.DRAFT, State.RETURNED):
        raise ValidationError(_("Báo cáo đã gửi hoặc đã duyệt, không thể sửa."), code="not_editable")
    if report.version != expected_version:
        raise StaleReport(
            _("Báo cáo vừa được người khác lưu (phiên bản %(v)s). Nội dung bạn nhập vẫn còn bên dưới; "
              "hãy tải lại trang để xem bản mới rồi nhập lại phần thay đổi.") % {"v": report.version},
            code="stale",
        )
    errors: dict[str, str] = {}
    for code in Report.SECTIONS:
        text = clean_text(str(sections.get(code, "") or ""))
        if len(text) > SECTION_MAX:
            errors[f"section:{code}"] = _("Nội dung quá dài (%(n)s ký tự, tối đa %(max)s).") % {
                "n": formats.number(len(text)), "max": formats.number(SECTION_MAX)}
        setattr(report, code, text)
    report.typed_figures = _clean_typed(typed, errors)
    if errors:
        raise ValidationError(errors)
    report.version += 1
    before = counts.key_of(report)
    report.started_at = report.started_at or timezone.now()
    report.save()
    counts.move(report, before)
    _event(report, ReportEvent.Action.SAVE, by)
    return report


NOTE_MAX = 5_000


def _clean_note(note: str | None) -> str:
    note = clean_text(note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Ghi chú quá dài (tối đa %(max)s ký tự).") % {
            "max": formats.number(NOTE_MAX)}})
    return note


def children_not_approved(report: Report) -> list[Report]:
    return list(
        Report.objects.filter(round_id=report.round_id, parent_id=report.organization_id)
        .exclude(state=State.APPROVED).order_by(vi_order("name"), "id")
    )


@transaction.atomic
def report_submit(*, report: Report, by, note: str = "", expected_version: int | None = None) -> Report:
    """Send the report up. A committee whose children are not all approved must explain why.
    The province's report has nobody above: submitting it finalizes it."""
    report = _lock(report)
    if not permissions.writes(access_for(by), report):
        raise PermissionDenied
    _check_open(report.round)
    if report.state not in (State.DRAFT, State.RETURNED):
        raise ValidationError(_("Báo cáo đã được gửi."), code="state")
    if expected_version is not None and report.version != expected_version:
        raise StaleReport(_("Báo cáo vừa được người khác lưu; hãy tải lại trang."), code="stale")
    if not report.results.strip():
        raise ValidationError({"section:results": _("Hãy viết phần Kết quả trước khi gửi.")})
    note = _clean_note(note)
    if report.level != Level.CELL:
        pending = children_not_approved(report)
        if pending and not note:
            names = ", ".join(r.name for r in pending[:5]) + ("…" if len(pending) > 5 else "")
            raise ValidationError({"note": _(
                "Còn %(n)s đơn vị trực thuộc chưa được duyệt (%(names)s). Hãy ghi rõ lý do khi gửi."
            ) % {"n": len(pending), "names": names}}, code="children_pending")
    rollup.refresh_report(report)
    before = counts.key_of(report)
    report.submit_note = note
    report.submitted_at, report.submitted_by = timezone.now(), by
    report.version += 1
    if report.parent_id is None:
        _freeze(report)
        report.state = State.APPROVED
        report.decided_at, report.decided_by = report.submitted_at, by
        _event(report, ReportEvent.Action.APPROVE, by, note)
    else:
        report.state = State.SUBMITTED
        _event(report, ReportEvent.Action.SUBMIT, by, note)
    report.save()
    counts.move(report, before)
    if report.parent_id is not None:
        notifications.on_report_changed(report, ReportEvent.Action.SUBMIT, by)
    _document_follows(report)
    return report


def _document_follows(report: Report) -> None:
    """Sent or approved: its document is built by a worker after the commit (document_tasks.follow)."""
    from . import document_tasks  # the jobs import the documents, which import this module's neighbours

    document_tasks.follow(report)


def snapshot_of(report: Report, at: dt.datetime | None = None) -> dict:
    """The text and figures a report stands for, frozen as approval stores them (also used by the demo
    data, which writes approved reports in bulk)."""
    return {
        "sections": {code: getattr(report, code) for code in Report.SECTIONS},
        "figures": rollup.effective(report),
        "computed": dict(report.figures),
        "typed": dict(report.typed_figures or {}),
        "at": (at or timezone.now()).isoformat(),
    }


def _freeze(report: Report) -> None:
    report.snapshot = snapshot_of(report)


def _refresh_parent(report: Report) -> None:
    if report.parent_id is None:
        return
    parent = (Report.objects.filter(round_id=report.round_id, organization_id=report.parent_id)
              .select_related("round").only(*rollup.ROLLUP_FIELDS, "round").first())
    if parent is not None:
        rollup.refresh_upward(parent)  # and every committee above it, in a fixed number of queries


@transaction.atomic
def report_approve(*, report: Report, by) -> Report:
    report = _lock(report)
    if not permissions.approves(access_for(by), report):
        raise PermissionDenied
    _check_open(report.round)
    if report.state != State.SUBMITTED:
        raise ValidationError(_("Chỉ duyệt được báo cáo đã gửi."), code="state")
    rollup.refresh_report(report)
    _freeze(report)
    before = counts.key_of(report)
    report.state = State.APPROVED
    report.decided_at, report.decided_by = timezone.now(), by
    report.version += 1
    report.save()
    counts.move(report, before)
    _event(report, ReportEvent.Action.APPROVE, by)
    _refresh_parent(report)
    notifications.on_report_changed(report, ReportEvent.Action.APPROVE, by)
    _document_follows(report)
    return report


@transaction.atomic
def report_return(*, report: Report, by, reasons: Sequence[tuple[str, str]]) -> Report:
    """Return a submitted report with reasons, each attached to a section, a figure or the whole."""
    report = _lock(report)
    if not permissions.approves(access_for(by), report):
        raise PermissionDenied
    _check_open(report.round)
    if report.state != State.SUBMITTED:
        raise ValidationError(_("Chỉ trả lại được báo cáo đã gửi."), code="state")
    valid_targets = {""} | {f"section:{c}" for c in Report.SECTIONS} | {f"figure:{c}" for c in F_.BY_CODE}
    clean = []
    for target, text in reasons:
        text = clean_text(text or "").strip()
        if not text:
            continue
        if target not in valid_targets:
            raise ValidationError({"reasons": _("Mục được góp ý không hợp lệ.")})
        if len(text) > 5_000:
            raise ValidationError({"reasons": _("Lý do quá dài (tối đa 5.000 ký tự).")})
        clean.append((target, text))
    if not clean:
        raise ValidationError({"reasons": _("Hãy ghi ít nhất một lý do trả lại.")}, code="no_reason")
    before = counts.key_of(report)
    report.state = State.RETURNED
    report.decided_at, report.decided_by = timezone.now(), by
    report.version += 1
    report.save()
    counts.move(report, before)
    event = _event(report, ReportEvent.Action.RETURN, by, "\n".join(t for _, t in clean))
    ReturnReason.objects.bulk_create(
        [ReturnReason(event=event, report=report, target=target, text=text) for target, text in clean]
    )
    notifications.on_report_changed(report, ReportEvent.Action.RETURN, by)
    return report


@transaction.atomic
def report_reopen(*, report: Report, by, note: str) -> Report:
    """The approver reopens an approved report (e.g. its data changed): it goes back to the unit."""
    report = _lock(report)
    if not permissions.approves(access_for(by), report) and not (
        report.parent_id is None and permissions.writes(access_for(by), report)
    ):
        raise PermissionDenied
    _check_open(report.round)
    if report.state != State.APPROVED:
        raise ValidationError(_("Chỉ mở lại được báo cáo đã duyệt."), code="state")
    note = _clean_note(note)
    if not note:
        raise ValidationError({"note": _("Hãy ghi lý do mở lại.")})
    before = counts.key_of(report)
    report.state = State.RETURNED
    report.snapshot = None
    report.decided_at, report.decided_by = timezone.now(), by
    report.version += 1
    report.save()
    counts.move(report, before)
    event = _event(report, ReportEvent.Action.REOPEN, by, note)
    ReturnReason.objects.create(event=event, report=report, target="", text=note)
    rollup.refresh_report(report)
    _refresh_parent(report)
    notifications.on_report_changed(report, ReportEvent.Action.REOPEN, by)
    return report
