"""Admin search that folds like the public pages (organizations.text.fold).

Every word of the search must occur, folded, in one of the admin's search fields: a field with a search
key (SearchKeyField(source=that field)) is searched through its indexed key, any other through the
database's fold function. A name typed decomposed (NFD), in lower case, or with "Ð" (U+00D0) for "Đ"
finds the same rows as the public search.
"""

from __future__ import annotations

from functools import reduce
from operator import and_, or_

from django.contrib.admin.utils import lookup_spawns_duplicates
from django.db.models import Q

from .fields import SearchKeyField
from .text import fold, folded


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
