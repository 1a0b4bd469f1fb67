"""Admin search that folds like the public pages (organizations.text.fold), and admin lists in
Vietnamese alphabetical order (organizations.text.ViOrder, the one collation rule).

Every word of the search must occur, folded, in one of the admin's search fields: a field with a search
key (SearchKeyField(source=that field)) is searched through its indexed key, any other through the
database's fold function. A name typed decomposed (NFD), in lower case, or with "Ð" (U+00D0) for "Đ"
finds the same rows as the public search.
"""

from __future__ import annotations

from functools import reduce
from operator import and_, or_

from django.contrib.admin.utils import lookup_spawns_duplicates
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, OrderBy, Q

from .fields import SearchKeyField
from .text import ViOrder, fold, folded


def _search_key_of(model, path: str) -> str | None:
    """'member__full_name' -> 'member__search_key' when full_name has a search key, else None."""
    *relations, name = path.split("__")
    opts = model._meta
    for relation in relations:
        opts = opts.get_field(relation).related_model._meta
    for field in opts.concrete_fields:
        if isinstance(field, SearchKeyField) and field.source == name:
            return "__".join([*relations, field.name])
    return None


class FoldedSearchMixin:
    """Put first in a ModelAdmin's bases."""

    def get_search_results(self, request, queryset, search_term):
        words = fold(search_term).split()
        paths = [p.lstrip("^=@") for p in self.get_search_fields(request)]
        if not words or not paths:
            return queryset, False
        terms = []
        for path in dict.fromkeys(paths):
            key = _search_key_of(queryset.model, path)
            if key:
                terms.append(lambda word, key=key: Q(**{f"{key}__contains": word}))
            elif not path.endswith("search_key"):
                alias = "folded_" + path
                queryset = queryset.alias(**{alias: folded(path)})
                terms.append(lambda word, alias=alias: Q(**{f"{alias}__contains": word}))
            else:
                terms.append(lambda word, path=path: Q(**{f"{path}__contains": word}))
        condition = reduce(and_, (reduce(or_, (term(word) for term in terms)) for word in words))
        duplicates = any(lookup_spawns_duplicates(self.opts, p) for p in paths)
        return queryset.filter(condition), duplicates


# -- order -------------------------------------------------------------------------------------

#: The fields that name a row of a model, the first group a model has: what a list sorted "by the
#: user" or "by the unit" sorts by (a user: family name, then given name).
NAME_FIELDS = (("full_name",), ("name",), ("last_name", "first_name"), ("title",), ("code",))
#: Text columns that are codes, not names: their binary order is their order.
NOT_NAMES = ("path", "card_number")


def _name_fields(model) -> tuple[str, ...]:
    names = {f.name for f in model._meta.concrete_fields}
    return next((group for group in NAME_FIELDS if all(n in names for n in group)), ())


def vietnamese_terms(model, path: str) -> list | None:
    """The Vietnamese-order expressions (no direction) that ordering `model` by `path` means: a text
    column, or a foreign key by the name of what it points to; None when `path` is not a name."""
    *relations, name = path.split("__")
    opts = model._meta
    try:
        for relation in relations:
            opts = opts.get_field(relation).related_model._meta
        field = opts.get_field(name)
    except (FieldDoesNotExist, AttributeError):
        return None  # an annotation, a property: left as it is
    if field.many_to_one or field.one_to_one:
        group = _name_fields(field.related_model)
        return [ViOrder(F(f"{path}__{n}")) for n in group] or None
    if isinstance(field, (models.CharField, models.TextField)) and not isinstance(field, SearchKeyField) \
            and not field.choices and field.name not in NOT_NAMES:
        return [ViOrder(F(path))]
    return None


class VietnameseChangeList(ChangeList):
    """Every name the list is ordered by (the admin's default ordering, a column the user clicks) in
    Vietnamese alphabetical order, on SQLite and PostgreSQL alike."""

    def get_ordering(self, request, queryset):
        ordering = []
        for term in super().get_ordering(request, queryset):
            if isinstance(term, str):
                descending = term.startswith("-")
                terms = vietnamese_terms(self.model, term.lstrip("-"))
                if terms:
                    ordering.extend(t.desc() if descending else t.asc() for t in terms)
                    continue
            elif isinstance(term, OrderBy) and isinstance(term.expression, F):
                terms = vietnamese_terms(self.model, term.expression.name)
                if terms:
                    ordering.extend(t.desc() if term.descending else t.asc() for t in terms)
                    continue
            ordering.append(term)
        return ordering


class VietnameseOrderMixin:
    """Put in a ModelAdmin's bases (before admin.ModelAdmin): its change list in Vietnamese order."""

    def get_changelist(self, request, **kwargs):
        return VietnameseChangeList
