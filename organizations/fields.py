from django import forms
from django.db import models

from .text import clean_line, clean_name, clean_text, fold


class CleanFormCharField(forms.CharField):
    """A form's text field that cleans what was typed (organizations.text.clean_text) before any
    validator: a NUL or a control character pasted into a form is removed, never refused with
    "Null characters are not allowed", and what the user sees again is the cleaned text."""

    def __init__(self, *args, cleaner=clean_text, **kwargs):
        self.cleaner = cleaner
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = self.cleaner(value)
        return super().to_python(value)


class CleanTextMixin:
    """A text column that stores only clean text (organizations.text.clean_text): on a form's or the
    admin's validation (to_python), on save and bulk_create (pre_save: the saved object holds what was
    stored), on update() and in lookups (get_prep_value). No NUL or control character reaches the
    database, whichever way a write comes."""

    text_cleaner = staticmethod(clean_text)  # overridden per field kind (names: clean_name)

    def _cleaned(self, value):
        return type(self).text_cleaner(value) if isinstance(value, str) else value

    def to_python(self, value):
        return self._cleaned(super().to_python(value))

    def get_prep_value(self, value):
        return self._cleaned(super().get_prep_value(value))

    def formfield(self, **kwargs):
        if not self.choices:  # a select keeps its own field
            kwargs.setdefault("form_class", CleanFormCharField)
            if kwargs["form_class"] is CleanFormCharField:
                kwargs.setdefault("cleaner", type(self).text_cleaner)
        return super().formfield(**kwargs)

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        cleaned = self._cleaned(value)
        if cleaned is not value and cleaned != value:
            setattr(model_instance, self.attname, cleaned)
        return cleaned


class CleanCharField(CleanTextMixin, models.CharField):
    """Every CharField of the three apps: one line of clean text. The schema is a plain CharField's (no
    migration)."""

    text_cleaner = staticmethod(clean_line)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class CleanTextField(CleanTextMixin, models.TextField):
    """Every TextField of the three apps. The schema is a plain TextField's (no migration)."""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


class NameField(CleanTextMixin, models.CharField):
    """A CharField stored as a clean name: NFC, one line, single spaces (also on bulk_create)."""

    text_cleaner = staticmethod(clean_name)


class SearchKeyField(models.CharField):
    """Derived, diacritics-free lower-case copy of another field, kept on every save."""

    def __init__(self, *args, source: str = "name", **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = fold(getattr(model_instance, self.source) or "")[: self.max_length]
        setattr(model_instance, self.attname, value)
        return value
