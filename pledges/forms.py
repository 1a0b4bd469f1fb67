"""Forms of the pledges pages: they render fields and parse what was typed, nothing more.

Every rule (dates in the month, lengths, states, who may do what) lives in pledges.services; the
forms hand the raw values over and show the services' messages beside the fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from directive03.forms import DateField, DateInput
from organizations.fields import CleanFormCharField

from .models import Commendation, Grade, ModelExample, MonthlyReview, Pledge
from .models.yearend import grade_choices
from .services.reviews import ENTRY_FIELDS

#: The text inputs of a member's row (the checkboxes are present, exemplary, criticised).
ROW_TEXT_FIELDS = ("absence_reason", "rating", "note", "exemplary_deed", "criticism_note")
ROW_FLAGS = ("present", "exemplary", "criticised")


def _text(label, *, rows: int = 2, help_text: str = "") -> forms.CharField:
    """Free text with no length rule of its own: the service says what is too long, nothing is cut."""
    return CleanFormCharField(
        label=label, required=False, strip=False, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _choice(label, choices) -> forms.CharField:
    """A select whose value the service checks (a forged value gets the service's message)."""
    return CleanFormCharField(label=label, required=False, widget=forms.Select(choices=list(choices)))


def _date(label, **kwargs) -> forms.CharField:
    return CleanFormCharField(
        label=label, required=False, strip=False,
        widget=DateInput(), **kwargs,
    )


def set_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Put a service's messages beside the form's fields (the form itself checks nothing)."""
    form.is_valid()
    for name, messages in errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


# -- the monthly meeting ------------------------------------------------------------------------
class MeetingForm(forms.Form):
    """The meeting's own fields, on top of the members' rows."""

    meeting_date = _date(_("Ngày sinh hoạt"))
    directive_minutes = CleanFormCharField(
        label=_("Thời lượng học tập, làm theo (phút)"), required=False, strip=False,
        help_text=_("Theo hướng dẫn, ít nhất 30 phút."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )
    theme_content = _text(_("Chuyên đề, nội dung học tập"), rows=3,
                          help_text=_("Nội dung đã học, liên hệ với nhiệm vụ của chi bộ."))
    thrift_item = _text(_("Thực hành tiết kiệm, chống lãng phí, chống tham nhũng"))
    self_criticism_fixes = _text(_("Khắc phục hạn chế sau tự phê bình (NQTW4)"))
    next_month_measures = _text(_("Biện pháp tháng tới"))
    notes = _text(_("Ghi chú"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("meeting_date", css_class="col-6"), Column("directive_minutes", css_class="col-6")),
            *MonthlyReview.TEXT_FIELDS,
        )

    @classmethod
    def for_review(cls, review: MonthlyReview) -> MeetingForm:
        return cls(initial={name: getattr(review, name) for name in MonthlyReview.EDITABLE_FIELDS})


@dataclass
class ReviewInput:
    """What the secretary typed: the meeting fields, one entry per row, the version it started from."""

    data: dict[str, Any]
    entries: list[dict[str, Any]]
    expected_version: int
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)  # member id -> typed values


def parse_review(post: QueryDict) -> ReviewInput:
    """Turn the review form's POST into review_save's arguments.

    Rows are hand-named: "members" lists the member ids of the rows, and m-<id>-<field> holds the
    values; an unchecked box is absent from the POST, so it reads False.
    """
    data = {name: post.get(name, "") for name in MonthlyReview.EDITABLE_FIELDS}
    entries: list[dict[str, Any]] = []
    rows: dict[int, dict[str, Any]] = {}
    for raw in post.getlist("members"):
        member_id = int(raw) if raw.isdigit() and len(raw) <= 12 else None
        prefix = f"m-{raw}-"
        row: dict[str, Any] = {name: post.get(prefix + name, "") for name in ROW_TEXT_FIELDS}
        row.update({name: prefix + name in post for name in ROW_FLAGS})
        entries.append({"member": member_id if member_id is not None else raw, **row})
        if member_id is not None:
            rows[member_id] = row
    version = post.get("version", "")
    return ReviewInput(
        data=data, entries=entries, rows=rows,
        expected_version=int(version) if version.isdigit() and len(version) <= 9 else 0,
    )


def row_values(entry) -> dict[str, Any]:
    """A saved row's values in the shape of a typed one (a new row: present, not rated)."""
    if entry is None:
        return {"present": True, "absence_reason": "", "rating": "", "note": "", "exemplary": False,
                "exemplary_deed": "", "criticised": False, "criticism_note": ""}
    return {name: (getattr(entry, name) or "") if name not in ROW_FLAGS else getattr(entry, name)
            for name in ENTRY_FIELDS}


class DecideForm(forms.Form):
    reason = CleanFormCharField(
        label=_("Lý do trả lại"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# -- pledges ------------------------------------------------------------------------------------
class PledgeForm(forms.Form):
    """Registration (kind, date) or amendment (reason, date); the commitments are rows of their own."""

    kind = _choice(_("Hình thức đăng ký"), [
        (Pledge.Kind.SET_EXAMPLE, Pledge.Kind.SET_EXAMPLE.label),
        (Pledge.Kind.EXEMPLARY, Pledge.Kind.EXEMPLARY.label),
    ])
    on = DateField(label=_("Ngày đăng ký"), error_messages={"required": _("Hãy nhập ngày.")})
    reason = _text(_("Lý do bổ sung, điều chỉnh"), rows=2)

    def __init__(self, *args, revising: bool, collective: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if revising:
            del self.fields["kind"]
            self.fields["on"].label = _("Hiệu lực từ ngày")
        else:
            del self.fields["reason"]
            if collective:
                del self.fields["kind"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


def parse_commitments(post: QueryDict) -> list[tuple[str, str]]:
    """(content, verification) pairs in the order typed; rows left wholly blank are dropped."""
    contents = post.getlist("content")
    verifications = post.getlist("verification")
    verifications += [""] * (len(contents) - len(verifications))
    return [(c, v) for c, v in zip(contents, verifications, strict=False) if c.strip() or v.strip()]


# -- year end -----------------------------------------------------------------------------------
class CommendationForm(forms.Form):
    awarded_on = DateField(label=_("Ngày khen thưởng"),
                           error_messages={"required": _("Hãy nhập ngày khen thưởng.")})
    kind = _choice(_("Hình thức"), Commendation.Kind.choices)
    issuer = CleanFormCharField(label=_("Cấp khen thưởng"), required=False, strip=False,
                             help_text=_("Ví dụ Bí thư Chi bộ, Đảng ủy xã."))
    recipient = _choice(_("Người hoặc tập thể được khen"), ())
    content = _text(_("Nội dung, thành tích"))

    def __init__(self, *args, cell, members, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].widget.choices = [("cell", f"{cell.name} ({_('tập thể')})")] + [
            (str(m.pk), m.full_name) for m in members
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ModelExampleForm(forms.Form):
    kind = _choice(_("Loại"), ModelExample.Kind.choices)
    title = CleanFormCharField(label=_("Tên mô hình, điển hình"), required=False, strip=False)
    member = _choice(_("Đảng viên (để trống nếu là tập thể)"), ())
    description = _text(_("Mô tả"), rows=3)

    def __init__(self, *args, members, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].widget.choices = [("", "—")] + [(str(m.pk), m.full_name) for m in members]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class OrganizationGradeForm(forms.Form):
    """The cell's grade for a year, offered in the terms in force that year."""

    grade = _choice(_("Xếp loại chi bộ"), Grade.choices)

    def __init__(self, *args, year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].widget.choices = [("", "—"), *grade_choices(year, organization=True)]


def default_date_in_year(year: int, now: dt.date) -> dt.date:
    """Today, unless `year` is over: then its last day."""
    if now.year <= year:
        return now
    return dt.date(year, 12, 31) if year < now.year else dt.date(year, 1, 1)
