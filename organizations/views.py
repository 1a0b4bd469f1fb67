"""Browsing the hierarchy: my subtree as a tree, search, and a unit's page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from directive03.forms import DateField

from . import selectors
from .access import Action, access_for, get_org_for_user
from .models import Organization, Role
from .text import fold

#: Above this many cells the tree as of a date stops at the committees (cells are counted).
AS_OF_CELLS_SHOWN = 400


class AsOfForm(forms.Form):
    """`?ngay=`: the date of the tree, read as every date input is (directive03.forms.DateField)."""

    ngay = DateField()


def _as_of(request, access):
    """The tree on the date of `?ngay=dd/mm/yyyy`: None without it; (date, roots) or (error, None)."""
    raw = request.GET.get("ngay", "").strip()[:20]
    if not raw:
        return None
    form = AsOfForm({"ngay": raw})
    if not form.is_valid():
        return form.errors["ngay"][0], None
    on = form.cleaned_data["ngay"]
    root_ids = None if access.is_superuser else [g.org_id for g in access.grants]
    return on, selectors.subtrees_as_of(on, root_ids)


@require_GET
@login_required
def tree(request):
    access = access_for(request.user)
    query = request.GET.get("q", "").strip()[:100]
    context = {"query": query, "ngay": request.GET.get("ngay", "").strip()[:20],
               "can_restructure": access.has_kind(Role.Kind.BOARD, Role.Kind.ADMIN)}
    as_of = _as_of(request, access)
    if as_of is not None:
        on, roots = as_of
        if roots is None:
            context["date_error"] = on
        else:
            cells = sum(r.cell_count for r in roots)
            context.update(as_of=on, as_of_roots=roots, show_cells=cells <= AS_OF_CELLS_SHOWN)
            return render(request, "organizations/tree_as_of.html", context)
    if query:
        results = selectors.search_units(access.visible(), query)
        selectors.with_counts(results)
        ancestors = selectors.ancestors_by_path(results)
        for unit in results:
            unit.trail = [
                ancestors[unit.path[: i * selectors.STEPLEN]]
                for i in range(1, unit.depth)
                if unit.path[: i * selectors.STEPLEN] in ancestors and access.reads(ancestors[unit.path[: i * selectors.STEPLEN]])
            ]
        context["results"] = results
    else:
        roots = access.roots()
        for root in roots:
            root.child_list = list(selectors.children_of(root))
        selectors.with_counts(roots + [child for root in roots for child in root.child_list])
        context["roots"] = roots
    return render(request, "organizations/tree.html", context)


@require_GET
@login_required
def unit_children(request, pk: int):
    """htmx partial: the children of a unit, with their counts, for expanding the tree."""
    org = get_org_for_user(request.user, pk)
    children = selectors.with_counts(list(selectors.children_of(org)))
    return render(request, "organizations/_children.html", {"children": children})


@require_GET
@login_required
def unit_detail(request, pk: int):
    org = get_org_for_user(request.user, pk)
    access = access_for(request.user)
    children = [] if org.is_cell else list(selectors.children_of(org))
    selectors.with_counts([org, *children])
    trail = [a for a in Organization.objects.get_ancestors(org) if access.reads(a)]
    officers = Role.objects.filter(organization=org).select_related("user").order_by("kind", "user__last_name")
    province = trail[0] if trail and trail[0].depth == 1 else None
    context = {
        "org": org,
        "trail": trail,
        "officers": officers,
        "can_manage_members": access.can(Action.MANAGE_MEMBERS, org),
        "can_close": province is not None and org.is_active and access.restructures(province),
    }
    if org.is_cell:
        query = request.GET.get("q", "").strip()[:100]
        members = selectors.members_of_cell(org)
        if query:
            members = members.filter(search_key__contains=fold(query))
        page = Paginator(members, 100).get_page(request.GET.get("page"))
        context.update(
            query=query,
            page=page,
            cell_officers=selectors.cell_officers(org),
        )
    else:
        context["children"] = children
    return render(request, "organizations/unit_detail.html", context)
