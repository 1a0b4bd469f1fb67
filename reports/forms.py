"""Forms of the report pages. They only parse what was posted; the rules live in services.py, whose
ValidationError messages are put back beside the fields they concern."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directive03.forms import DateField
from organizations.fields import CleanFormCharField
from organizations.models import Organization
from pledges.models import Directive

from . import figures as F_
from .models import Document, Report, ReportingRound

Kind = ReportingRound.Kind
DEADLINE_FIELDS = ("deadline_cell", "deadline_commune", "deadline_district", "deadline_province")
#: A round's default deadlines: days after the cut-off, bottom-up (cell, commune, district, province).
DEADLINE_DAYS = (5, 10, 15, 20)
DEFAULT_YEARS = {Kind.HALF_YEAR: 1, Kind.YEAR: 1, Kind.MULTI_YEAR: 3, Kind.FINAL: 5}


def round_defaults(kind: str, year: int, years: int | None = None) -> dict:
    """The usual dates and title of a round of `kind` ending in `year`: half year 1/1–30/6 with the
    cut-off on 30/6 and deadlines on 5, 10, 15, 20/7; otherwise up to 31/12 with deadlines in January."""
    kind = Kind(kind)
    if kind in (Kind.MULTI_YEAR, Kind.FINAL):  # a review of several years: at least two
        years = min(int(years), 20) if years and int(years) >= 2 else DEFAULT_YEARS[kind]
    else:
        years = 1
    if kind == Kind.HALF_YEAR:
        start, end = dt.date(year, 1, 1), dt.date(year, 6, 30)
        title = _("Sơ kết 6 tháng đầu năm %(year)s") % {"year": year}
    else:
        start, end = dt.date(year - years + 1, 1, 1), dt.date(year, 12, 31)
        if kind == Kind.YEAR:
            title = _("Tổng kết năm %(year)s") % {"year": year}
        elif kind == Kind.MULTI_YEAR:
            title = _("Sơ kết %(n)s năm (%(start)s–%(end)s)") % {"n": years, "start": start.year, "end": year}
        else:
            title = _("Tổng kết %(n)s năm (%(start)s–%(end)s)") % {"n": years, "start": start.year, "end": year}
    values = {"kind": kind.value, "year": year, "years": years, "title": title, "period_start": start,
              "period_end": end, "cutoff": end}
    # a round for a past period (entered after the fact) gets deadlines from today, not from its end:
    # otherwise every report would be "Quá hạn" the moment the round opens
    base = max(end, timezone.localdate())
    for name, days in zip(DEADLINE_FIELDS, DEADLINE_DAYS, strict=True):
        values[name] = base + dt.timedelta(days=days)
    return values


class RoundOpenForm(forms.Form):
    """Open a round: the kind and year fill in the usual dates (round_defaults); every date can be changed."""

    province = forms.ModelChoiceField(queryset=Organization.objects.none(), label=gettext_lazy("Tỉnh ủy, thành ủy"),
                                      empty_label=None)
    kind = forms.ChoiceField(choices=Kind.choices, label=gettext_lazy("Loại đợt báo cáo"))
    year = forms.IntegerField(min_value=2011, max_value=2100, label=gettext_lazy("Năm"),
                              help_text=gettext_lazy("Năm kết thúc kỳ báo cáo."))
    years = forms.IntegerField(min_value=1, max_value=20, initial=1, label=gettext_lazy("Số năm"),
                               help_text=gettext_lazy("Với sơ kết, tổng kết nhiều năm."))
    title = CleanFormCharField(max_length=200, label=gettext_lazy("Tên đợt báo cáo"), required=False)
    directive = forms.ModelChoiceField(queryset=Directive.objects.all(), label=gettext_lazy("Chỉ thị"),
                                       empty_label=None)
    period_start = DateField(label=gettext_lazy("Từ ngày"))
    period_end = DateField(label=gettext_lazy("Đến ngày"))
    cutoff = DateField(label=gettext_lazy("Ngày chốt số liệu"),
                             help_text=gettext_lazy("Cây tổ chức và số đảng viên được tính theo ngày này."))
    # required only for the levels the tree has at the cut-off (services.round_open): no district
    # deadline after 1-7-2025
    deadline_cell = DateField(label=gettext_lazy("Chi bộ"), required=False)
    deadline_commune = DateField(label=gettext_lazy("Cấp cơ sở"), required=False)
    deadline_district = DateField(label=gettext_lazy("Cấp huyện (nếu còn)"), required=False)
    deadline_province = DateField(label=gettext_lazy("Cấp tỉnh (hạn cuối)"))

    #: Service error keys that are not a field of their own.
    deadline_errors: list[str]

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline_errors = []
        self.fields["province"].queryset = provinces
        if len(provinces) == 1:
            self.fields["province"].widget = forms.HiddenInput()
            self.fields["province"].initial = provinces[0].pk
        for name, f in self.fields.items():
            f.error_messages["required"] = _("Trường này là bắt buộc.")
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")
            f.widget.attrs["id"] = f"id_{name}"

    @property
    def deadline_bound(self) -> list:
        return [self[name] for name in DEADLINE_FIELDS]

    def deadlines(self) -> dict[str, dt.date]:
        data = self.cleaned_data
        return {level: data.get(f"deadline_{level}") for level in ("cell", "commune", "district", "province")}

    def apply_service_errors(self, exc: ValidationError) -> None:
        """Put the service's messages beside the fields they concern."""
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)
            return
        for key, errors in exc.error_dict.items():
            for message in (m for e in errors for m in e.messages):
                if key == "deadlines":
                    self.deadline_errors.append(message)
                elif key in self.fields:
                    self.add_error(key, message)
                else:
                    self.add_error(None, message)

    def mark_invalid(self) -> None:
        """Bootstrap's red border on the fields that have a message."""
        for name, f in self.fields.items():
            if self.errors.get(name) or (name in DEADLINE_FIELDS and self.deadline_errors):
                f.widget.attrs["class"] += " is-invalid"


# -- a report ---------------------------------------------------------------------------------------

@dataclass
class ReportInput:
    """What the writer posted: the five sections, the typed figures and the version they started from."""

    sections: dict[str, str]
    typed: dict[str, str]
    version: int | None
    note: str = ""

    @classmethod
    def from_post(cls, post) -> ReportInput:
        raw = post.get("version", "")
        version = int(raw) if raw.isdigit() and len(raw) < 10 else None
        return cls(
            sections={code: post.get(code, "") for code in Report.SECTIONS},
            typed={code: post.get(f"typed_{code}", "") for code in F_.TYPED},
            version=version,
            note=post.get("note", ""),
        )

    @classmethod
    def from_report(cls, report: Report) -> ReportInput:
        return cls(
            sections={code: getattr(report, code) for code in Report.SECTIONS},
            typed={code: "" if v is None else str(v) for code, v in (report.typed_figures or {}).items()},
            version=report.version,
            note=report.submit_note,
        )


def split_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as key -> messages ("section:results", "figure:inspections", "note",
    "reasons"; "" for the rest)."""
    if not hasattr(exc, "error_dict"):
        return {"": [str(m) for m in exc.messages]}
    out: dict[str, list[str]] = {}
    for key, errors in exc.error_dict.items():
        out.setdefault(key if key != "__all__" else "", []).extend(str(m) for e in errors for m in e.messages)
    return out


@dataclass
class ReasonInput:
    """The return reasons as posted (kept when the return is refused)."""

    rows: list[tuple[str, str]] = field(default_factory=list)

    MAX_ROWS = 50

    @classmethod
    def from_post(cls, post) -> ReasonInput:
        targets = post.getlist("reason_target")
        texts = post.getlist("reason_text")
        rows = list(zip(targets, texts, strict=False))[: cls.MAX_ROWS]
        return cls(rows=rows)

    def filled(self) -> list[tuple[str, str]]:
        return [(target, text) for target, text in self.rows if text.strip()]


class IssueForm(forms.Form):
    """How a unit issues its document: the date on it, who signs, the opening paragraph of section I.
    The rules (dates, lengths) live in documents.issue; this only parses."""

    issued_on = DateField(label=gettext_lazy("Ngày ban hành"), required=False,
                          help_text=gettext_lazy("Ngày ghi trên văn bản; số văn bản theo nhiệm kỳ của ngày này."))
    signed_as = forms.ChoiceField(label=gettext_lazy("Người ký"), widget=forms.RadioSelect, required=False,
                                  choices=Document.SignedAs.choices)
    signer_name = CleanFormCharField(label=gettext_lazy("Họ tên người ký"), max_length=200, required=False)
    opening = CleanFormCharField(
        label=gettext_lazy("Mục I.2 “Những kết quả cụ thể” (số liệu chủ yếu)"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Viết từ số liệu của báo cáo; có thể sửa trước khi ban hành. "
                               "Bảng số liệu đầy đủ in ở phụ lục sau chữ ký."))
    version = CleanFormCharField(widget=forms.HiddenInput, required=False)  # documents.issue.issue_token

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["issued_on"].widget
        widget.attrs["class"] = "form-control w-auto" + (" is-invalid" if self.is_bound and self.errors.get("issued_on") else "")
        widget.attrs["aria-describedby"] = "id_issued_on_help"


class RoundDateForm(forms.Form):
    """The one issue date a round's document run may print (empty: each report's own date)."""

    issued_on = DateField(label=gettext_lazy("Ngày ban hành ghi trên văn bản"), required=False)
