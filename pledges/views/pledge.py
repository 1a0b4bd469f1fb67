"""Pledges of a cell's year: the list, and one member's (or the cell's collective) registration and amendments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from directive03.concurrency import EditConflict, check_token
from organizations.access import Action, access_for
from organizations.models import Member, Organization

from .. import selectors, services
from ..forms import PledgeForm, default_date_in_year, parse_commitments, set_errors
from ..models import Pledge
from ..periods import date_label, today
from ._common import check_year, get_cell, require, split_errors

#: Empty commitment rows offered on a new registration.
BLANK_ROWS = 2


@require_GET
@login_required
def pledge_list(request, cell_id: int, year: int):
    check_year(year)
    cell = get_cell(request.user, cell_id)
    on = default_date_in_year(year, today())
    pledges = selectors.pledges_as_of(cell=cell, year=year, on=on)
    by_member = {p.pledge.member_id: p for p in pledges if p.pledge.member_id is not None}
    collective = next((p for p in pledges if p.pledge.member_id is None), None)
    members = list(selectors.members_in_year(cell=cell, year=year))
    rows = [{"member": m, "pledge": by_member.pop(m.pk, None), "proposed": services.propose_kind(m)} for m in members]
    rows += [{"member": p.pledge.member, "pledge": p, "proposed": None} for p in by_member.values()]
    registered = sum(1 for r in rows if r["pledge"])
    return render(request, "pledges/pledge_list.html", {
        "cell": cell, "year": year, "rows": rows, "collective": collective, "registered": registered,
        "kinds": dict(Pledge.Kind.choices), "can_edit": access_for(request.user).can(Action.EDIT_CELL, cell),
    })


@require_http_methods(["GET", "POST"])
@login_required
def pledge_member(request, cell_id: int, year: int, member_id: int):
    check_year(year)
    cell = get_cell(request.user, cell_id)
    member = selectors.members_in_year(cell=cell, year=year).filter(pk=member_id).first()
    if member is None:  # not of this cell in that year: as if it did not exist
        raise Http404
    return _pledge_page(request, cell, year, member=member)


@require_http_methods(["GET", "POST"])
@login_required
def pledge_collective(request, cell_id: int, year: int):
    check_year(year)
    return _pledge_page(request, get_cell(request.user, cell_id), year, member=None)


def _pledge_page(request, cell: Organization, year: int, *, member: Member | None):
    if member is not None:
        pledge = Pledge.objects.filter(member=member, year=year).first()
    else:
        pledge = Pledge.objects.filter(organization=cell, year=year).first()
    history = selectors.pledge_history(pledge=pledge) if pledge else []
    revising = pledge is not None
    collective = member is None
    now = today()
    form_kwargs = {"revising": revising, "collective": collective}
    errors: dict = {}
    version = selectors.pledge_token(pledge)
    if request.method == "POST":
        require(request.user, Action.EDIT_CELL, cell)
        typed_version = request.POST.get("version", "")
        commitments = parse_commitments(request.POST)
        try:
            # the page as it was opened (registration or amendment) keeps what was typed in it
            check_token(typed_version, version)
        except EditConflict as exc:
            revising = "reason" in request.POST
            form_kwargs["revising"] = revising
            errors, version = {"top": [exc.message], "conflict": True}, typed_version
        form = PledgeForm(request.POST, **form_kwargs)
        if errors:
            status = 409
        elif form.is_valid():
            try:
                _write(request, cell, year, member, pledge, form.cleaned_data, commitments, typed_version)
            except EditConflict as exc:
                errors, version, status = {"top": [exc.message], "conflict": True}, typed_version, 409
            except ValidationError as exc:
                by_field, _members, other = split_errors(exc, ["kind", "on", "reason", "commitments"])
                errors = {"commitments": by_field.pop("commitments", []), "top": other}
                set_errors(form, by_field)
            else:
                return redirect(reverse("pledges:pledges", args=[cell.pk, year]) + (f"#m-{member.pk}" if member else ""))
        if not errors.get("conflict"):
            status = 400
    else:
        initial = {"on": default_date_in_year(year, now)}
        if member is not None and not revising:
            initial["kind"] = services.propose_kind(member)
        form = PledgeForm(initial=initial, **form_kwargs)
        if history:
            commitments = [(c.content, c.verification) for c in history[-1].commitments.all()]
        else:
            commitments = [("", "")] * BLANK_ROWS
        status = 200
    return render(request, "pledges/pledge_edit.html", {
        "cell": cell, "year": year, "member": member, "pledge": pledge, "history": history,
        "form": form, "commitments": commitments or [("", "")], "errors": errors, "revising": revising,
        "proposed": services.propose_kind(member) if member is not None else None,
        "can_edit": access_for(request.user).can(Action.EDIT_CELL, cell), "version": version,
    }, status=status)


def _write(request, cell, year, member, pledge, cleaned, commitments, version: str) -> None:
    on = cleaned["on"]
    if pledge is None:
        owner = {"member": member} if member is not None else {"organization": cell}
        services.pledge_register(
            **owner, year=year, kind=cleaned.get("kind") or None, commitments=commitments, by=request.user, on=on,
            expected_token=version,
        )
        messages.success(request, _("Đã đăng ký bản cam kết năm %(year)s của %(owner)s.")
                         % {"year": year, "owner": member.full_name if member else cell.name})
    else:
        revision = services.pledge_revise(
            pledge=pledge, commitments=commitments, reason=cleaned.get("reason", ""), by=request.user, on=on,
            expected_token=version,
        )
        messages.success(request, _("Đã bổ sung, điều chỉnh bản đăng ký (lần %(n)s, hiệu lực từ %(date)s).")
                         % {"n": revision.number, "date": date_label(revision.valid_from)})
