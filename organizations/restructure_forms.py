"""Forms of the restructuring pages: a plan, one change, a spreadsheet, closing one unit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind, Level, PlanChange

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class VnDateField(forms.DateField):
    """dd/mm/yyyy, typed as text (never read month-first)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}))
        kwargs.setdefault("error_messages", {"invalid": _("Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 01/07/2025.")})
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value


class Styled:
    """Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PlanForm(Styled, forms.Form):
    province = forms.ChoiceField(label=_("Tỉnh"))
    title = forms.CharField(label=_("Tên phương án"), max_length=200)
    effective_on = VnDateField(label=_("Ngày hiệu lực"))

    def __init__(self, *args, provinces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.provinces = {str(p.pk): p for p in provinces}
        self.fields["province"].choices = [(str(p.pk), p.name) for p in provinces]

    def clean_province(self):
        return self.provinces[self.cleaned_data["province"]]


class ChangeForm(Styled, forms.Form):
    op = forms.ChoiceField(label=_("Loại thay đổi"), choices=PlanChange.Op.choices)
    unit = forms.CharField(label=_("Đơn vị"), required=False, max_length=500,
                           help_text=_("Gõ vài chữ của tên để chọn theo đường dẫn đầy đủ."))
    target = forms.CharField(label=_("Đơn vị đích"), required=False, max_length=500,
                             help_text=_("Cấp trên mới (chuyển, thành lập) hoặc đơn vị tiếp nhận (hợp nhất)."))
    new_name = forms.CharField(label=_("Tên mới"), required=False, max_length=200)
    place_name = forms.CharField(label=_("Địa danh mới"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("Cấp (đơn vị mới)"), required=False,
                              choices=[("", "—"), *[(v, label) for v, label in Level.choices if v != Level.PROVINCE]])
    unit_kind = forms.ChoiceField(label=_("Loại hình (đơn vị mới)"), required=False,
                                  choices=[("", "—"), *Kind.choices])
    issuer_code = forms.CharField(label=_("Ký hiệu (đơn vị mới)"), required=False, max_length=10)


class PlanFileForm(Styled, forms.Form):
    file = forms.FileField(label=_("Tệp phương án (.xlsx)"))


class CloseForm(Styled, forms.Form):
    effective_on = VnDateField(label=_("Ngày giải thể"))
