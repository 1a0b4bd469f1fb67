"""Browsing the hierarchy: my subtree as a tree, search, and a unit's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .access import Action, access_for, get_org_for_user
from .models import Organization, Role
from .text import fold


@require_GET
@login_required
def tree(request):
    access = access_for(request.user)
    query = request.GET.get("q", "").strip()[:100]
    context = {"query": query}
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
    context = {
        "org": org,
        "trail": trail,
        "officers": officers,
        "can_manage_members": access.can(Action.MANAGE_MEMBERS, org),
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
