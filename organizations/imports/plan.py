"""Step 2b: valid rows matched with the members in the database (create, update, move)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from directive03.concurrency import edit_token

from ..access import access_for
from ..memberships import Period, check_history, date_label, with_gaps
from ..models import Member, Membership, Organization
from ..text import fold
from .common import COLUMN_BY_KEY, COLUMNS, MEMBER_FIELDS, card_candidates, padded_card, target_cells
from .reading import RawSheet
from .rows import _check_row, _Context, _display, _match_header


@dataclass
class Plan:
    """What applying the rows would do, against the database as it is now."""

    creates: list[dict] = field(default_factory=list)
    updates: list[tuple[Member, dict]] = field(default_factory=list)
    moves: list[tuple[Member, dict]] = field(default_factory=list)  # update, then change cell
    restarts: list[tuple[int, dt.date]] = field(default_factory=list)  # (member id, new start of the open period)
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    actions: dict[int, dict] = field(default_factory=dict)  # line -> action for the preview


def _member_fields(values: dict) -> dict:
    fields = {k: values[k] for k in MEMBER_FIELDS}
    fields["joined_on"] = dt.date.fromisoformat(values["joined_on"])
    return fields


def _since(values: dict) -> dt.date | None:
    return dt.date.fromisoformat(values["since"]) if values.get("since") else None


def _changes(member: Member, values: dict) -> list[str]:
    """The headers of the columns whose value differs from the member's."""
    return [COLUMN_BY_KEY[k].header for k, v in _member_fields(values).items() if getattr(member, k) != v]


def _existing(cards: list[str]) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for start in range(0, len(cards), 900):
        chunk = Member.objects.filter(card_number__in=cards[start:start + 900]).select_related("cell")
        found.update((m.card_number, m) for m in chunk)
    return found


def _stored_periods(member_ids: list[int]) -> dict[int, list[Period]]:
    periods: dict[int, list[Period]] = defaultdict(list)
    for start in range(0, len(member_ids), 900):
        for member_id, *period in (
            Membership.objects.filter(member_id__in=member_ids[start:start + 900])
            .order_by("member_id", "start", "pk").values_list("member_id", "cell_id", "start", "end")
        ):
            periods[member_id].append(Period(*period))
    return periods


def _plan(rows: list[dict], *, org: Organization, cells: list[Organization], user, today: dt.date) -> Plan:
    """Match valid rows with existing members by card number (restoring the leading zeros a spreadsheet
    dropped); refuse members of other units; check the cell histories the rows would make."""
    plan = Plan()
    cells_by_id = {c.pk: c for c in cells}
    existing = _existing([card for r in rows for card in card_candidates(r["values"]["card_number"])])
    for row in rows:
        values = row["values"]
        member = next((existing[c] for c in card_candidates(values["card_number"]) if c in existing), None)
        restored = member.card_number if member is not None else padded_card(values["card_number"])
        if restored != values["card_number"]:
            row["card_restored"] = restored
            values["card_number"] = restored
    known = [m.pk for m in existing.values() if m.cell_id is None or m.cell_id in cells_by_id]
    stored = _stored_periods(known)
    histories: dict[int, list[Period]] = {}
    checked: dict[int, Member] = {}
    lines: dict[int, int] = {}
    access = access_for(user)
    for row in rows:
        values, line = row["values"], row["line"]
        member = existing.get(values["card_number"])
        cell = cells_by_id.get(values["cell_id"])
        since = _since(values)
        error, column = None, COLUMN_BY_KEY["card_number"].header
        if cell is None:
            column = COLUMN_BY_KEY["cell"].header
            error = _("Chi bộ không còn thuộc %(org)s hoặc đã thôi hoạt động.") % {"org": org.name}
        elif member is None:
            plan.creates.append(values)
            plan.actions[line] = {"action": "create"}
        elif member.cell_id is not None and member.cell_id not in cells_by_id:
            if access.reads(member.cell):
                error = _("Số thẻ %(card)s là của đảng viên đang sinh hoạt tại %(cell)s, ngoài đơn vị này. "
                          "Hãy làm thủ tục chuyển sinh hoạt trước.") % {"card": member.card_number, "cell": member.cell.name}
            else:
                error = _("Số thẻ %(card)s là của đảng viên thuộc đơn vị khác.") % {"card": member.card_number}
        else:
            periods = stored.get(member.pk, [])
            current = periods[-1] if periods and periods[-1].end is None else None
            column = COLUMN_BY_KEY["since"].header
            if member.cell_id != cell.pk:  # a move between the unit's cells, or a member coming back
                on = since or today
                left = periods[-1].end if periods and current is None else None
                if left is not None and on < left:
                    error = _("Ngày sinh hoạt tại chi bộ %(date)s trước ngày đảng viên chuyển đi (%(left)s).") % {
                        "date": date_label(on), "left": date_label(left)}
                elif current is not None and current.start >= on:
                    if since is None:
                        error = _("Đảng viên vừa bắt đầu sinh hoạt tại %(cell)s hôm nay; chưa thể chuyển chi bộ.") % {
                            "cell": member.cell.name}
                    else:
                        error = _("Ngày chuyển đến %(date)s phải sau ngày bắt đầu sinh hoạt tại %(cell)s (%(start)s).") % {
                            "date": date_label(on), "cell": member.cell.name, "start": date_label(current.start)}
                else:
                    history = [*periods[:-1], Period(current.cell_id, current.start, on)] if current else list(periods)
                    histories[member.pk] = with_gaps([*history, Period(cell.pk, on)])
                    plan.moves.append((member, values))
                    plan.actions[line] = {"action": "move", "from_cell": member.cell.name if member.cell else "",
                                          "changes": _changes(member, values)}
            else:
                changed = _changes(member, values)
                if since is not None and current is not None and since != current.start:
                    if len(periods) > 1:
                        error = _("Đảng viên đã sinh hoạt ở chi bộ khác trước đó; hãy sửa ngày trên trang của đảng "
                                  "viên (quá trình sinh hoạt).")
                    else:
                        histories[member.pk] = [Period(cell.pk, since)]
                        plan.restarts.append((member.pk, since))
                        changed.append(COLUMN_BY_KEY["since"].header)
                if error:
                    pass
                elif changed:
                    plan.updates.append((member, values))
                    plan.actions[line] = {"action": "update", "changes": changed}
                else:
                    plan.unchanged += 1
                    plan.actions[line] = {"action": "same"}
            if member.pk in histories:
                checked[member.pk] = Member(pk=member.pk, joined_on=_member_fields(values)["joined_on"])
                lines[member.pk] = line
        if error:
            plan.errors.append({"line": line, "column": column, "message": error})
    problems = check_history(histories, members=checked, cells=cells_by_id, today=today)
    for member_id, messages in problems.items():
        for message in messages:
            plan.errors.append({"line": lines[member_id], "column": COLUMN_BY_KEY["since"].header,
                                "message": message})
    return plan


def base_token(rows: list[dict], cells: list[Organization]) -> str:
    """The version of what a preview of `rows` was made from: the members their card numbers name
    (every column the import writes, their cell), those members' cell histories, and the cells the
    file may name. A card that names nobody counts too: a member created since changes the token."""
    cards = sorted({card for r in rows if r.get("values") for card in card_candidates(r["values"]["card_number"])})
    members = _existing(cards)
    periods = _stored_periods(sorted(m.pk for m in members.values()))
    token_rows: list[tuple] = [("cell", c.pk, c.name, c.valid_to) for c in cells]
    for member in members.values():
        token_rows.append(("member", member.pk, member.card_number, member.cell_id, member.left_on,
                           *(getattr(member, k) for k in MEMBER_FIELDS)))
        token_rows.extend(("period", member.pk, p.cell_id, p.start, p.end) for p in periods.get(member.pk, []))
    return edit_token(token_rows)


def check_sheet(sheet: RawSheet, *, org: Organization, user, today: dt.date,
                progress=None) -> tuple[list[dict], list[dict], str]:
    """Rows for the batch ({line, cells, values or None, action…}), the errors, by line, and the
    base_token of the members the preview was made from; progress(share of the rows checked) is
    called along the way."""
    positions = _match_header(sheet.header)
    cells = target_cells(org)
    by_key: dict[str, Organization | None] = {}
    for c in cells:
        by_key[fold(c.name)] = None if fold(c.name) in by_key else c
    ctx = _Context(org=org, cells_by_key=by_key, today=today, cells_by_id={c.pk: c for c in cells})
    rows: list[dict] = []
    errors: list[dict] = []
    first_line: dict[str, int] = {}
    every = max(len(sheet.rows) // 20, 1)
    for i, (line, values) in enumerate(sheet.rows):
        if progress is not None and i % every == 0:
            progress(i / len(sheet.rows))
        raw = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        formulas = {key for key, i in positions.items() if (line, i) in sheet.formulas}
        normalized, row_errors = _check_row(raw, formulas, ctx)
        if normalized is not None:
            card = padded_card(normalized["card_number"])
            if card in first_line:
                row_errors = [(COLUMN_BY_KEY["card_number"].header,
                               _("Số thẻ %(card)s trùng với dòng %(line)s.") % {"card": card, "line": first_line[card]})]
                normalized = None
            else:
                first_line[card] = line
        errors.extend({"line": line, "column": col, "message": msg} for col, msg in row_errors)
        rows.append({"line": line, "cells": [_display(raw.get(c.key)) for c in COLUMNS], "values": normalized})
    valid = [r for r in rows if r["values"] is not None]
    plan = _plan(valid, org=org, cells=cells, user=user, today=today)
    for row in valid:
        row.update(plan.actions.get(row["line"], {}))
    errors.extend(plan.errors)
    if not rows:
        errors.append({"line": None, "column": None, "message": _("Tệp chỉ có dòng tiêu đề, không có đảng viên nào.")})
    errors.sort(key=lambda e: (e["line"] or 0))
    return rows, errors, base_token(valid, cells)


def replan(rows: list[dict], *, org: Organization, user, today: dt.date) -> tuple[list[dict], str]:
    """The preview of a checked batch made again on the database as it is now (its rows had no
    errors): the rows' actions are updated in place; returns the errors (by line) and the new
    base_token."""
    cells = target_cells(org)
    valid = [r for r in rows if r.get("values")]
    for row in valid:
        for key in ("action", "changes", "from_cell"):
            row.pop(key, None)
    plan = _plan(valid, org=org, cells=cells, user=user, today=today)
    for row in valid:
        row.update(plan.actions.get(row["line"], {}))
    return plan.errors, base_token(valid, cells)

