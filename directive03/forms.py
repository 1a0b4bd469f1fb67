"""Form fields every app shares: a date typed as dd/mm/yyyy whatever the browser's language.

A native <input type="date"> shows mm/dd/yyyy to an English browser ("11/05/2026" for 5 November):
these are text inputs that show and accept dd/mm/yyyy (and ISO), the format of directive03.formats.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import formats

DATE_INVALID = _("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 31/12/2024.")


class DateInput(forms.DateInput):
    """A text input showing dd/mm/yyyy; what was typed is shown back as typed when the form is invalid."""

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {"placeholder": formats.DATE_PLACEHOLDER, "inputmode": "numeric", "autocomplete": "off", "maxlength": "10"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format=formats.DATE_INPUT_FORMATS[0])


class DateField(forms.DateField):
    """dd/mm/yyyy (then ISO), never the locale's mm/dd/yyyy."""

    widget = DateInput
    input_formats = formats.DATE_INPUT_FORMATS
    default_error_messages = {"invalid": DATE_INVALID}

    def to_python(self, value):
        return super().to_python(formats.normalize_date_text(value) if isinstance(value, str) else value)
