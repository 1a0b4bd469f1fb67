"""Factories for tests: units go through the services so the tree and its history stay right."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.contrib.auth import get_user_model

from organizations import services
from organizations.models import Kind, Level, Member, Membership, Organization, Role

START = dt.date(2020, 1, 1)
_seq = itertools.count(1)

DEFAULT_KIND = {
    Level.PROVINCE: (Kind.TINH_UY, "TU"),
    Level.DISTRICT: (Kind.HUYEN_UY, "HU"),
    Level.COMMUNE: (Kind.DANG_UY_XA, "ĐU"),
    Level.CELL: (Kind.CHI_BO_TRUC_THUOC, "CB"),
}


def make_unit(parent: Organization | None, level: str, name: str | None = None, *,
              kind: str | None = None, valid_from: dt.date = START) -> Organization:
    default_kind, code = DEFAULT_KIND[Level(level)]
    return services.org_create(
        parent=parent, name=name or f"Đơn vị {next(_seq)}", level=level, kind=kind or default_kind,
        issuer_code=code, place_name="Kiên Giang", valid_from=valid_from,
    )


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    card_number = factory.Sequence(lambda n: f"{10000000 + n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    gender = Member.Gender.MALE
    birth_year = 1980
    joined_on = dt.date(2010, 5, 19)
    status = Member.Status.OFFICIAL
    position = Member.Position.MEMBER
    is_key_cadre = False
    cell = None

    @factory.post_generation
    def membership(obj, create, extracted, **kwargs):
        if create and obj.cell_id:
            Membership.objects.create(member=obj, cell=obj.cell, start=extracted or START)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("mat-khau-thu-123")


def user_with_role(username: str, org: Organization, kind: str):
    user = UserFactory(username=username)
    Role.objects.create(user=user, organization=org, kind=kind)
    return user


def ensure_reference_data() -> None:
    """The directives and national themes a data migration loads; a transactional test's flush
    removes them for the tests after it, so fixtures put them back (the loader is idempotent)."""
    import importlib

    from django.apps import apps

    from pledges.models import Directive

    if not Directive.objects.exists():
        importlib.import_module("pledges.migrations.0002_directives_and_themes").load(apps, None)
