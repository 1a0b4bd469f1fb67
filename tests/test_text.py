"""The one boundary for text (organizations/text.py): cleaning, folding, and the model fields that apply it."""

from __future__ import annotations

import re
import unicodedata

import pytest
from django.apps import apps
from django.db import models

from organizations.fields import CleanTextMixin
from organizations.models import Member, Organization
from organizations.text import clean_name, clean_text, fold

from .factories import MemberFactory

DIRTY_APPS = ("organizations", "pledges", "reports")
#: What must never be stored: control characters other than "\n" and "\t", NUL included.
STORED_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(("typed", "stored"), [
    ("Kết quả\x0bdòng 2", "Kết quả\ndòng 2"),  # Word's manual line break (issue 10)
    ("Kết quả\x0cdòng 2", "Kết quả\ndòng 2"),  # form feed
    ("Có NUL\x00 ở đây", "Có NUL ở đây"),
    ("chuông\x07 và xóa\x7f lùi\x08", "chuông và xóa lùi"),
    ("dòng 1\r\ndòng 2\rdòng 3", "dòng 1\ndòng 2\ndòng 3"),
    ("cột 1\tcột 2\n", "cột 1\tcột 2\n"),  # tab and newline stay
    ("Nguye\u0302\u0303n", "Nguyễn"),  # NFD -> NFC
    ("\ufeffBOM ở đầu", "BOM ở đầu"),
    ("dấu\u2028dòng", "dấu\ndòng"),
    ("\uf0b7 Học tập\n\uf0a7 Làm theo", "• Học tập\n• Làm theo"),  # Word's Symbol/Wingdings bullets
    ("\uf0d8 Mũi tên \uf076 thoi \uf0fc đạt", "‣ Mũi tên • thoi ✓ đạt"),
    ("ASCII only", "ASCII only"),
])
def test_clean_text(typed, stored):
    assert clean_text(typed) == stored


def test_clean_name_is_one_line():
    assert clean_name("  Trần\x0bQuang\x00  Vinh \n") == "Trần Quang Vinh"


@pytest.mark.parametrize("typed", [
    "Đỗ Thu Lệ", "đỗ thu lệ", "ĐỖ THU LỆ", "\u00d0ỗ Thu Lệ",  # Ð (U+00D0) instead of Đ
    unicodedata.normalize("NFD", "Đỗ Thu Lệ"), unicodedata.normalize("NFD", "đỗ thu lệ"), "do thu le",
])
def test_fold_finds_every_spelling(typed):
    assert fold(typed) == "do thu le"


def text_fields():
    for model in (m for app in DIRTY_APPS for m in apps.get_app_config(app).get_models()):
        for f in model._meta.concrete_fields:
            if isinstance(f, models.CharField | models.TextField) and not f.name == "search_key" \
                    and not getattr(f, "source", None) and f.name != "path":
                yield model, f


def test_every_text_column_of_the_three_apps_cleans_what_it_stores():
    """A new CharField/TextField that forgets the boundary fails here (treebeard's path and the derived
    search keys are not typed by anyone)."""
    fields = list(text_fields())
    assert len(fields) > 40
    forgotten = [f"{m.__name__}.{f.name}" for m, f in fields if not isinstance(f, CleanTextMixin)]
    assert forgotten == []


def test_save_bulk_create_and_update_store_clean_text(world):
    member = world.members_a[0]
    member.full_name = "Trần\x00 Thị\x0bÁnh"
    member.save()
    assert member.full_name == "Trần Thị Ánh"  # the saved object holds what was stored
    assert Member.objects.get(pk=member.pk).full_name == "Trần Thị Ánh"

    Member.objects.filter(pk=member.pk).update(full_name="Lê\x00 Văn\x0c Bình")
    assert Member.objects.get(pk=member.pk).full_name == "Lê Văn Bình"

    created = Member.objects.bulk_create([MemberFactory.build(cell=world.a, full_name="Võ\x00 Thị\x07 Sáu")])
    assert Member.objects.get(pk=created[0].pk).full_name == "Võ Thị Sáu"

    Organization.objects.filter(pk=world.a.pk).update(secretary_name="Phạm\x00 Văn\x0b Đồng")
    assert Organization.objects.get(pk=world.a.pk).secretary_name == "Phạm Văn Đồng"


def test_every_form_text_field_cleans_before_its_validators(db, rf):
    """The pages' forms and the admin's forms (every model admin of the three apps): no text field is a
    plain CharField, which would refuse a NUL ("Null characters are not allowed") instead of cleaning it."""
    import inspect

    from django import forms
    from django.contrib import admin

    import pledges.forms
    import reports.forms
    from organizations.fields import CleanFormCharField

    from .factories import UserFactory

    form_classes = [c for mod in (pledges.forms, reports.forms) for _, c in inspect.getmembers(mod, inspect.isclass)
                    if issubclass(c, forms.BaseForm) and c.__module__ == mod.__name__]
    request = rf.get("/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in DIRTY_APPS:
            form_classes.append(model_admin.get_form(request))
    assert len(form_classes) > 15
    plain = [f"{cls.__name__}.{name}" for cls in form_classes for name, f in cls.base_fields.items()
             if type(f) is forms.CharField]
    assert plain == []
    cleaning = [f for cls in form_classes for f in cls.base_fields.values() if isinstance(f, CleanFormCharField)]
    assert len(cleaning) > 20
    assert CleanFormCharField(required=False).clean("Kết quả\x0bdòng 2\x00") == "Kết quả\ndòng 2"
