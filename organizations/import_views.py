"""Member import (upload, preview, confirm) and export of a cell or a commune; the logic is in imports.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from directive03.concurrency import EditConflict
from directive03.downloads import attach, download_filename

from . import imports
from .access import Action, get_org_for_user
from .models import Organization

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


class MemberFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp danh sách đảng viên (.xlsx hoặc .csv)"),
        help_text=gettext_lazy("Tối đa 2 MB và 5.000 dòng. Tệp .csv phải lưu với bảng mã UTF-8."),
        max_length=255,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _unit(user, pk: int, action: Action) -> Organization:
    """The unit through the access layer; import and export exist for cells and communes only."""
    org = get_org_for_user(user, pk, action)
    if not imports.is_importable(org):
        raise Http404
    return org


def _download(content: bytes, *, org: Organization, stem: str, extension: str, content_type: str) -> HttpResponse:
    filename = download_filename(stem, org.name, f"{timezone.localdate():%d-%m-%Y}", extension=extension)
    return attach(HttpResponse(content, content_type=content_type), filename)


@require_GET
@login_required
def members_export(request, pk: int):
    org = _unit(request.user, pk, Action.READ)
    kind = request.GET.get("format", "xlsx")
    if kind == "xlsx":
        return _download(imports.export_xlsx(org), org=org, stem=pgettext("download file name", "Đảng viên"), extension="xlsx", content_type=XLSX)
    if kind == "csv":
        return _download(imports.export_csv(org), org=org, stem=pgettext("download file name", "Đảng viên"), extension="csv", content_type=CSV)
    return HttpResponseBadRequest(_("Định dạng không hỗ trợ; chọn xlsx hoặc csv."))


@require_GET
@login_required
def import_template(request, pk: int):
    org = _unit(request.user, pk, Action.READ)
    return _download(imports.template_xlsx(org), org=org, stem=pgettext("download file name", "Mẫu nhập đảng viên"), extension="xlsx",
                     content_type=XLSX)


def _upload_page(request, org: Organization, form: MemberFileForm):
    context = {"org": org, "form": form, "columns": imports.HEADERS, "max_rows": imports.MAX_ROWS}
    return render(request, "organizations/import_upload.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def import_upload(request, pk: int):
    org = _unit(request.user, pk, Action.MANAGE_MEMBERS)
    form = MemberFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.batch_create(org=org, upload=form.cleaned_data["file"], by=request.user)
        except imports.ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("organizations:import_preview", pk=org.pk, batch_id=batch.pk)
    return _upload_page(request, org, form)


def _checking_page(request, org: Organization, batch):
    """The file is being read by a worker: its progress, refreshed by htmx (or by the page itself)."""
    if request.htmx:
        if batch.status != batch.Status.CHECKING:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "organizations/_import_progress.html", {"org": org, "batch": batch})
    return render(request, "organizations/import_checking.html", {"org": org, "batch": batch})


@require_http_methods(["GET", "POST"])
@login_required
def import_preview(request, pk: int, batch_id: int):
    org = _unit(request.user, pk, Action.MANAGE_MEMBERS)
    batch = imports.batch_expire(imports.get_batch_for_user(request.user, org=org, batch_id=batch_id))
    if request.method == "GET" and (batch.status == batch.Status.CHECKING or request.htmx):
        return _checking_page(request, org, batch)
    if request.method == "GET" and batch.status == batch.Status.FAILED:
        form = MemberFileForm({}, {})
        form.full_clean()
        form.errors["file"] = form.error_class([e["message"] for e in batch.errors])
        return _upload_page(request, org, form)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("confirm", "discard"):
            return HttpResponseBadRequest(_("Thao tác không hợp lệ."))
        try:
            if action == "confirm":
                batch = imports.import_apply(batch=batch, by=request.user,
                                             expected_token=request.POST.get("version"))
            else:
                imports.import_discard(batch=batch, by=request.user)
        except EditConflict as exc:  # nothing written; the preview below was made again on today's data
            messages.error(request, exc.message)
            return redirect("organizations:import_preview", pk=org.pk, batch_id=batch.pk)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("organizations:import_preview", pk=org.pk, batch_id=batch.pk)
        if action == "discard":
            messages.info(request, _("Đã hủy lần nhập; không có đảng viên nào được ghi."))
            return redirect("organizations:import_upload", pk=org.pk)
        messages.success(request, _("Đã nhập danh sách đảng viên: %(created)s mới, %(updated)s cập nhật.") % {
            "created": batch.created_count, "updated": batch.updated_count})
        return redirect("organizations:detail", pk=org.pk)
    limit = 1000
    context = {
        "org": org,
        "batch": batch,
        "summary": imports.batch_summary(batch),
        "rows": imports.preview_rows(batch, limit=limit),
        "limit": limit,
        "file_errors": [e for e in batch.errors if not e["line"]],
        "columns": imports.HEADERS,
        "can_confirm": batch.status == batch.Status.PENDING and not batch.errors,
    }
    return render(request, "organizations/import_preview.html", context)
