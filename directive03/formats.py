"""Vietnamese formatting of dates and numbers as official documents write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def long_date(value: dt.date, place: str | None = None) -> str:
    """'ngày 04 tháng 4 năm 2013': days below 10 and months 1 and 2 take a leading zero.

    With a place: 'Kiên Giang, ngày 04 tháng 4 năm 2013'.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    text = f"ngày {value.day:02d} tháng {month} năm {value.year}"
    return f"{place}, {text}" if place else text


def number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """'88.695' and '12,5': dot for thousands, comma for decimals."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(numerator: int, denominator: int, decimals: int = 1) -> str:
    """'97,5%'; an empty denominator gives '–' rather than a made-up zero."""
    if not denominator:
        return "–"
    value = Decimal(numerator) * 100 / Decimal(denominator)
    text = number(value, decimals)
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return f"{text}%"


def short_date(value: dt.date) -> str:
    """'14/5/2011', '08/01/2013': the date of a cited document, as Party documents write it (days below 10
    and the months 1 and 2 take a leading zero, as in `long_date`)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"{value.day:02d}/{month}/{value.year}"
