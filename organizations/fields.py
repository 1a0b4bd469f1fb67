from django.db import models

from .text import clean_name, fold


class NameField(models.CharField):
    """A CharField stored NFC-normalized with single spaces (also on bulk_create)."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_name(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return clean_name(value) if isinstance(value, str) else value


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
