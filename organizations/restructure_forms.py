"""Forms of the restructuring pages: a plan, one change, a spreadsheet, closing one unit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from directive03.forms import DateField

from .fields import CleanFormCharField
from .models import Kind, Level, PlanChange


class Styled:
    """Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PlanForm(Styled, forms.Form):
    province = forms.ChoiceField(label=_("Tỉnh"))
    title = CleanFormCharField(label=_("Tên phương án"), max_length=200)
    effective_on = DateField(label=_("Ngày hiệu lực"))

    def __init__(self, *args, provinces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.provinces = {str(p.pk): p for p in provinces}
        self.fields["province"].choices = [(str(p.pk), p.name) for p in provinces]

    def clean_province(self):
        return self.provinces[self.cleaned_data["province"]]


class ChangeForm(Styled, forms.Form):
    op = forms.ChoiceField(label=_("Loại thay đổi"), choices=PlanChange.Op.choices)
    unit = CleanFormCharField(label=_("Đơn vị"), required=False, max_length=500,
                           help_text=_("Gõ vài chữ của tên để chọn theo đường dẫn đầy đủ."))
    target = CleanFormCharField(label=_("Đơn vị đích"), required=False, max_length=500,
                             help_text=_("Cấp trên mới (chuyển, thành lập) hoặc đơn vị tiếp nhận (hợp nhất)."))
    new_name = CleanFormCharField(label=_("Tên mới"), required=False, max_length=200)
    place_name = CleanFormCharField(label=_("Địa danh mới"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("Cấp (đơn vị mới)"), required=False,
                              choices=[("", "—"), *[(v, label) for v, label in Level.choices if v != Level.PROVINCE]])
    unit_kind = forms.ChoiceField(label=_("Loại hình (đơn vị mới)"), required=False,
                                  choices=[("", "—"), *Kind.choices])
    issuer_code = CleanFormCharField(label=_("Ký hiệu (đơn vị mới)"), required=False, max_length=10)


class PlanFileForm(Styled, forms.Form):
    file = forms.FileField(label=_("Tệp phương án (.xlsx)"))


class CloseForm(Styled, forms.Form):
    effective_on = DateField(label=_("Ngày giải thể"))
