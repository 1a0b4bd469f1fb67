"""Checks that higher apps add to a plan's closures (organizations may not import them).

A check is called with the ids of the units a plan closes and the plan's date, and returns the
problems as sentences (Vietnamese, through gettext). reports registers "still has open reports".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

ClosureCheck = Callable[[set[int], dt.date], Iterable[str]]

_closure_checks: list[ClosureCheck] = []


def register_closure_check(check: ClosureCheck) -> ClosureCheck:
    if check not in _closure_checks:
        _closure_checks.append(check)
    return check


def closure_problems(unit_ids: set[int], on: dt.date) -> list[str]:
    if not unit_ids:
        return []
    return [problem for check in _closure_checks for problem in check(unit_ids, on)]
