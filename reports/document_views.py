"""Pages for the documents: a report's PDF/.docx (build, progress, download) and a round's run."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directive03 import files, formats
from directive03.concurrency import EditConflict
from directive03.downloads import attach, download_filename
from organizations.access import access_for
from organizations.models import KINDS_BY_LEVEL, LEVEL_RANK, Kind
from organizations.text import undrawable_warning

from . import document_tasks, permissions
from .documents import build, content, issue, opening
from .forms import IssueForm, RoundDateForm
from .models import Document, DocumentRun, Report

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def acts_on(access, report: Report) -> bool:
    """Who may read why a document failed: the unit's own people and the province's board."""
    return permissions.writes(access, report) or permissions.opens_rounds(access, report.round.province_id)


def panel_context(report: Report, user) -> dict:
    """What the document panel shows: a download link only for a document that is ready."""
    doc = Document.objects.filter(report=report, kind=Document.Kind.REPORT).first()
    return {
        "report": report,
        "doc": doc,
        "may_issue": acts_on(access_for(user), report),
        "out_of_date": bool(doc and build.is_out_of_date(doc, report)),
        "busy": bool(doc and doc.status in (Document.Status.QUEUED, Document.Status.BUILDING)),
        "show_error": bool(doc and doc.error and acts_on(access_for(user), report)),
    }


def _panel(request, report: Report, status: int = 200):
    return render(request, "reports/documents/_panel.html", panel_context(report, request.user), status=status)


@require_GET
@login_required
def report_panel(request, pk: int):
    """htmx partial on the report page; polls while the document is being built."""
    return _panel(request, permissions.get_report_for_user(request.user, pk))


@require_POST
@login_required
def report_build(request, pk: int):
    report = permissions.get_report_for_user(request.user, pk)
    document_tasks.single_start(report=report, by=request.user)
    if request.htmx:
        return _panel(request, report)
    messages.info(request, _("Đang tạo văn bản; trang sẽ cho tải về khi xong."))
    return redirect("reports:report", pk=report.pk)


@require_http_methods(["GET", "POST"])
@login_required
def report_issue(request, pk: int):
    """Issue the report's document: the date on it, who signs, the opening paragraph; then build it."""
    report = permissions.get_report_for_user(request.user, pk)
    if not acts_on(access_for(request.user), report):
        raise PermissionDenied
    doc = Document.objects.filter(report=report, kind=Document.Kind.REPORT).first()
    src = content.report_source(report)
    generated = "\n\n".join(opening.paragraphs_for(report, src["figures"]))
    if request.method == "POST":
        form = IssueForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        try:
            # one transaction: the job is sent on commit, when the issue's date and signer are saved;
            # a refusal leaves nothing queued
            with transaction.atomic():
                document_tasks.single_start(report=report, by=request.user)
                issue.issue(report=report, by=request.user, issued_on=data.get("issued_on"),
                            signed_as=data.get("signed_as") or "", signer_name=data.get("signer_name", ""),
                            opening=_unless_generated(data.get("opening", ""), generated),
                            expected_token=request.POST.get("version"))
        except EditConflict as exc:  # what was typed stays on the page, with the token it was opened with
            form.add_error(None, exc.message)
            return _issue_page(request, report, doc, form, generated, status=409)
        except ValidationError as exc:
            for name, messages_ in exc.message_dict.items():
                for message in messages_:
                    form.add_error(name if name in form.fields else None, message)
            return _issue_page(request, report, doc, form, generated, status=400)
        messages.info(request, _("Đang tạo văn bản; trang sẽ cho tải về khi xong."))
        warning = undrawable_warning(data.get("signer_name", ""), data.get("opening", ""))
        if warning:
            messages.warning(request, warning)
        return redirect("reports:report", pk=report.pk)
    signed_as, signer = issue.signer_of(report, doc)
    form = IssueForm(initial={
        "issued_on": issue.document_date(report, doc), "signed_as": signed_as, "signer_name": signer,
        "opening": (doc.opening if doc and doc.opening else generated),
        "version": issue.issue_token(doc),
    })
    return _issue_page(request, report, doc, form, generated)


def _unless_generated(text: str, generated: str) -> str:
    """The opening as the unit wrote it; left as generated, it follows the figures (stored empty)."""
    return "" if " ".join(text.split()) == " ".join(generated.split()) else text


def _issue_page(request, report, doc, form, generated, status=200):
    return render(request, "reports/documents/issue.html", {
        "report": report, "doc": doc, "form": form, "generated": generated,
        "date_fixed": bool(doc and doc.number),
        "secretary": issue.default_signer(report, Document.SignedAs.SECRETARY),
        "deputy": issue.default_signer(report, Document.SignedAs.DEPUTY),
        "approved": report.state == Report.State.APPROVED,
    }, status=status)


def _file_response(doc: Document, report: Report, fmt: str, request=None, back: str = ""):
    if fmt not in CONTENT_TYPES:
        raise Http404
    if doc is None or not doc.available:  # a rebuild keeps the previous files until it swaps them
        raise Http404
    if fmt == "docx":
        doc = build.ensure_docx(doc)  # made when first asked for, then kept
        if doc is None:  # the PDF is out of date: a .docx now would not match it; the page offers a rebuild
            messages.info(request, _("Văn bản đã cũ so với số liệu hiện tại: hãy tạo lại văn bản rồi tải bản .docx."))
            return redirect(back)
    # streamed by this process from the "documents" storage (a local folder or an S3 bucket) after the
    # permission checks above: no address of the file itself ever reaches the browser
    try:
        stored = files.stream(files.DOCUMENTS, build.stored_name(doc, fmt))
    except FileNotFoundError:
        raise Http404 from None
    suffix = pgettext("download file name", "tổng hợp") if doc.kind == Document.Kind.CONSOLIDATED else ""
    name = download_filename(pgettext("download file name", "Báo cáo"), report.name, suffix, extension=fmt)
    return attach(FileResponse(stored, content_type=CONTENT_TYPES[fmt]), name)


@require_GET
@login_required
def report_download(request, pk: int, fmt: str):
    report = permissions.get_report_for_user(request.user, pk)
    doc = Document.objects.filter(report=report, kind=Document.Kind.REPORT).first()
    return _file_response(doc, report, fmt, request, reverse("reports:report", args=[report.pk]))


def _round_context(request, rnd):
    run = DocumentRun.objects.filter(round=rnd).first()
    counts = {}
    by_depth = []
    if run is not None:
        rows = (Document.objects.filter(run=run).values("depth", "status", "report__organization__kind")
                .annotate(n=Count("id")).order_by())
        per_depth: dict[int, dict[str, int]] = {}
        kinds: dict[int, set[str]] = {}
        for row in rows:
            counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
            c = per_depth.setdefault(row["depth"], {})
            c[row["status"]] = c.get(row["status"], 0) + row["n"]
            kinds.setdefault(row["depth"], set()).add(row["report__organization__kind"])
        for depth in sorted(per_depth, reverse=True):
            c = per_depth[depth]
            total = sum(c.values())
            by_depth.append({"depth": depth, "label": _depth_label(depth, kinds[depth]), "ready": c.get("ready", 0),
                             "failed": c.get("failed", 0), "total": total,
                             "pct": int(formats.ratio(c.get("ready", 0), total, decimals=0) or 0)})
    total = sum(counts.values())
    left = document_tasks.time_left(run) if run is not None else None
    access = access_for(request.user)
    can_start = permissions.opens_rounds(access, rnd.province_id)
    failed_docs = []
    if run is not None:
        for d in Document.objects.filter(run=run, status=Document.Status.FAILED).select_related("report") \
                .order_by("-depth", "report__name")[:20]:
            d.report.round = rnd
            failed_docs.append({"name": d.report.name, "consolidated": d.kind == Document.Kind.CONSOLIDATED,
                                "error": d.error if can_start or acts_on(access, d.report) else ""})
    province = Report.objects.filter(round=rnd, parent__isnull=True).first()
    consolidated = Document.objects.filter(report=province, kind=Document.Kind.CONSOLIDATED).first() \
        if province else None
    consolidated_stale = _changed_since(rnd, consolidated)
    return {
        "rnd": rnd, "run": run, "counts": counts, "total": total, "by_depth": by_depth,
        "ready": counts.get(Document.Status.READY, 0),
        "pct": int(formats.ratio(counts.get(Document.Status.READY, 0), total, decimals=0) or 0),
        "failed_docs": failed_docs,
        "can_start": can_start,
        "stalled": bool(run and run.status == DocumentRun.Status.RUNNING and document_tasks.stalled(run)),
        "consolidated": consolidated,
        "consolidated_stale": consolidated_stale,
        "province_report": province,
        "running": bool(run and run.status == DocumentRun.Status.RUNNING),
        "time_left": formats.duration(left) if left is not None else "",
    }


def _changed_since(rnd, doc: Document | None) -> bool:
    """Whether a report of the round was saved, sent, decided or had its figures change after the
    consolidated document was built (one aggregate over the round's reports: this partial is polled
    while a run goes on; build.is_out_of_date reads every report's figures)."""
    if doc is None or not doc.available or doc.built_at is None:
        return False
    latest = Report.objects.filter(round=rnd).aggregate(
        saved=Max("updated_at"), sent=Max("submitted_at"), decided=Max("decided_at"), figures=Max("figures_at"))
    changed = max((when for when in latest.values() if when is not None), default=None)
    return changed is not None and changed > doc.built_at


def _depth_label(depth: int, kinds: set[str]) -> str:
    """What a level of the run is called: the consolidated report at depth 0, else the kinds of
    units at that depth of the tree ("Chi bộ trực thuộc", "Huyện ủy, Thành ủy"), highest first."""
    if depth == 0:
        return str(Document.Kind.CONSOLIDATED.label)
    order = {kind: i for i, kind in enumerate(Kind.values)}
    ranked = sorted(kinds, key=lambda k: (-max(LEVEL_RANK[lvl] for lvl, ks in KINDS_BY_LEVEL.items() if k in ks),
                                          order.get(k, len(order))))
    return ", ".join(str(Kind(k).label) for k in ranked if k in order)


@require_GET
@login_required
def round_documents(request, pk: int):
    rnd = permissions.get_round_for_user(request.user, pk)
    template = "reports/documents/_progress.html" if request.htmx else "reports/documents/round.html"
    return render(request, template, _round_context(request, rnd))


@require_POST
@login_required
def round_start(request, pk: int):
    rnd = permissions.get_round_for_user(request.user, pk)
    form = RoundDateForm(request.POST)
    if not form.is_valid():
        raw = request.POST.get("issued_on", "").strip()[:20]
        messages.error(request, _("Ngày ban hành “%(value)s”: %(error)s") % {"value": raw, "error": form.errors["issued_on"][0]})
        return redirect("documents:round", pk=rnd.pk)
    issued_on = form.cleaned_data["issued_on"]
    try:
        issue.set_round_date(rnd=rnd, issued_on=issued_on, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("documents:round", pk=rnd.pk)
    running = DocumentRun.objects.filter(round=rnd, status=DocumentRun.Status.RUNNING).exists()
    document_tasks.run_start(rnd=rnd, by=request.user)
    if running:
        messages.info(request, _("Lượt tạo văn bản đang chạy; những văn bản bị bỏ dở đã được gửi lại."))
    else:
        messages.success(request, _("Đã bắt đầu tạo văn bản của cả đợt, từ chi bộ lên tỉnh."))
    return redirect("documents:round", pk=rnd.pk)


@require_POST
@login_required
def run_retry(request, pk: int):
    run = DocumentRun.objects.select_related("round").filter(pk=pk).first()
    if run is None:
        raise Http404
    permissions.get_round_for_user(request.user, run.round_id)
    try:
        document_tasks.run_retry(run=run, by=request.user)
        messages.success(request, _("Đang tạo lại các văn bản bị lỗi."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("documents:round", pk=run.round_id)


@require_GET
@login_required
def consolidated_download(request, pk: int, fmt: str):
    rnd = permissions.get_round_for_user(request.user, pk)
    province = Report.objects.filter(round=rnd, parent__isnull=True).first()
    if province is None:
        raise Http404
    report = permissions.get_report_for_user(request.user, province.pk)
    if not permissions.opens_rounds(access_for(request.user), rnd.province_id) and \
            not permissions.writes(access_for(request.user), report):
        raise PermissionDenied
    doc = Document.objects.filter(report=report, kind=Document.Kind.CONSOLIDATED).first()
    return _file_response(doc, report, fmt, request, reverse("documents:round", args=[rnd.pk]))
